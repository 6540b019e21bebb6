// How a service joins a SWIM pool: one call from its settings (port, seeds, profile, keys, a
// datagram delay for emulating distance on one host) to a started node, with every membership
// event passed to the service's logger. Gates, managers and workers share it so a pool is joined
// the same way everywhere.

import type { Logger } from '@hyperscale/runtime';
import type { ProfileName } from '../config.js';
import { MEMBER_EVENTS, type MemberEventName, type MemberMeta, type MemberView, type Role } from '../types.js';
import { Keyring } from './keyring.js';
import { createSwimNode, type SwimNode } from './swim-node.js';

/** Events after which a member no longer counts: declared dead, left, or removed unconfirmed. */
export const DEPARTURE_EVENTS: ReadonlySet<MemberEventName> = new Set([
  'member-dead',
  'member-leave',
  'member-removed',
]);

export interface PoolNodeOptions {
  /** Which pool this is, for logs and views ('datacenter', 'global'). */
  pool: string;
  id: string;
  role: Role;
  bindHost: string;
  /** 0 picks a free port; the bound address is what registration advertises. */
  bindPort: number;
  advertiseAddr?: string;
  seeds: readonly string[];
  profile: ProfileName;
  /** Base64 AES-256 keys, primary first (empty: no encryption). */
  keys?: readonly string[];
  /** Pool label: datagrams labelled for another pool are dropped. */
  label: string;
  meta: MemberMeta;
  /** Delay added to every outgoing datagram (emulates a distant node on one host; 0 = none). */
  injectDelayMs?: number;
  /** Every membership change is logged here (deaths and suspicions as warnings). */
  logger: Logger;
  onEvent?: (event: MemberEventName, member: MemberView) => void;
  /** Every RTT measured on a direct probe (see SwimNodeOptions.onRttSample). */
  onRttSample?: (peerId: string, rttMs: number) => void;
}

/** The settings fragments of pool-settings.ts, as the options of one pool. */
type PoolPlacement = Pick<PoolNodeOptions, 'bindPort' | 'seeds' | 'profile' | 'keys' | 'injectDelayMs'> & {
  advertiseAddr?: string;
};

interface CommonSwimSettings {
  swimKeys: readonly string[];
  swimInjectDelay: number;
}

/** The datacenter pool's placement from a service's settings (`datacenterPoolSettings`). */
export function datacenterPoolPlacement(
  settings: CommonSwimSettings & {
    swimPort: number;
    swimAdvertiseAddress: string | undefined;
    swimSeeds: readonly string[];
    swimProfile: ProfileName;
  },
): PoolPlacement {
  return {
    bindPort: settings.swimPort,
    ...(settings.swimAdvertiseAddress ? { advertiseAddr: settings.swimAdvertiseAddress } : {}),
    seeds: settings.swimSeeds,
    profile: settings.swimProfile,
    keys: settings.swimKeys,
    injectDelayMs: settings.swimInjectDelay,
  };
}

/** The global pool's placement from a service's settings (`globalPoolSettings`). */
export function globalPoolPlacement(
  settings: CommonSwimSettings & {
    globalSwimPort: number;
    globalSwimAdvertiseAddress: string | undefined;
    globalSwimSeeds: readonly string[];
    globalSwimProfile: ProfileName;
  },
): PoolPlacement {
  return {
    bindPort: settings.globalSwimPort,
    ...(settings.globalSwimAdvertiseAddress ? { advertiseAddr: settings.globalSwimAdvertiseAddress } : {}),
    seeds: settings.globalSwimSeeds,
    profile: settings.globalSwimProfile,
    keys: settings.swimKeys,
    injectDelayMs: settings.swimInjectDelay,
  };
}

export async function startPoolNode(options: PoolNodeOptions): Promise<SwimNode> {
  const node = createSwimNode({
    id: options.id,
    role: options.role,
    bindHost: options.bindHost,
    bindPort: options.bindPort,
    ...(options.advertiseAddr ? { advertiseAddr: options.advertiseAddr } : {}),
    seeds: options.seeds,
    profile: options.profile,
    ...(options.keys && options.keys.length > 0 ? { keyring: Keyring.fromBase64(options.keys) } : {}),
    label: options.label,
    meta: options.meta,
    ...(options.injectDelayMs && options.injectDelayMs > 0 ? { faults: { delayMs: options.injectDelayMs } } : {}),
    ...(options.onRttSample ? { onRttSample: options.onRttSample } : {}),
  });
  for (const event of MEMBER_EVENTS) {
    node.on(event, (member) => {
      const fields = {
        pool: options.pool,
        event,
        member: member.id,
        role: member.role,
        state: member.state,
        addr: member.addr,
      };
      if (event === 'member-dead' || event === 'member-suspect') options.logger.warn(fields, 'membership change');
      else options.logger.info(fields, 'membership change');
      options.onEvent?.(event, member);
    });
  }
  await node.start();
  return node;
}

export interface PoolMemberRow {
  id: string;
  role: string;
  state: string;
  incarnation: number;
  addr: string;
  /** Vivaldi RTT upper bound from this node, ms (conservative when the coordinate is unknown). */
  rttUcbMs: number | undefined;
}

export interface PoolView {
  pool: string;
  self: { id: string; addr: string };
  members: PoolMemberRow[];
  stats: ReturnType<SwimNode['stats']>;
}

/** What a node sees of its pool: served on the services' `/membership` and read by `hyperscale members`. */
export function poolView(pool: string, node: SwimNode): PoolView {
  return {
    pool,
    self: { id: node.id, addr: node.addr },
    members: node
      .members()
      .map((m) => ({
        id: m.id,
        role: m.role,
        state: m.state,
        incarnation: m.incarnation,
        addr: m.addr,
        rttUcbMs: node.rttUcbMs(m.id),
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    stats: node.stats(),
  };
}
