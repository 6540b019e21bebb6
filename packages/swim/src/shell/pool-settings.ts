// Setting fragments for SWIM pools, declared the same way by every service: the datacenter pool
// (managers and workers, LAN timing) and the global pool (gates and managers, WAN timing), plus
// the keyring and the testing delay. Each service spreads them into its own src/settings.ts, which
// stays the one list its deploy manifests are checked against.
import { s } from '@hyperscale/runtime';
import { PROFILES, type ProfileName } from '../config.js';

const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** The datacenter pool: `HYPERSCALE_SWIM_*`. */
export function datacenterPoolSettings(defaultPort: number) {
  return {
    swimPort: s.port({
      env: 'HYPERSCALE_SWIM_PORT',
      default: defaultPort,
      allowZero: true,
      description:
        'SWIM port of the datacenter pool (UDP datagrams and TCP push/pull on the same number; 0 = any free port)',
    }),
    swimAdvertiseAddress: s.hostPort({
      env: 'HYPERSCALE_SWIM_ADVERTISE_ADDRESS',
      optional: true,
      description:
        'host:port peers use to reach this node in the datacenter pool (default: grpc host and bound SWIM port)',
    }),
    swimSeeds: s.list({
      env: 'HYPERSCALE_SWIM_SEEDS',
      item: 'hostPort',
      default: [],
      description: 'datacenter-pool SWIM addresses to join (registration also introduces managers and workers)',
    }),
    swimProfile: s.enum({
      env: 'HYPERSCALE_SWIM_PROFILE',
      values: PROFILE_NAMES,
      default: 'lan',
      description: 'datacenter-pool timing: lan (memberlist LAN), wan, or local (fast, one host)',
    }),
  };
}

/** The global pool: `HYPERSCALE_GLOBAL_SWIM_*` (gates and managers; its coordinates drive routing). */
export function globalPoolSettings(defaultPort: number) {
  return {
    globalSwimPort: s.port({
      env: 'HYPERSCALE_GLOBAL_SWIM_PORT',
      default: defaultPort,
      allowZero: true,
      description: 'SWIM port of the global pool (UDP and TCP on the same number; 0 = any free port)',
    }),
    globalSwimAdvertiseAddress: s.hostPort({
      env: 'HYPERSCALE_GLOBAL_SWIM_ADVERTISE_ADDRESS',
      optional: true,
      description: 'host:port peers use to reach this node in the global pool (default: grpc host and bound port)',
    }),
    globalSwimSeeds: s.list({
      env: 'HYPERSCALE_GLOBAL_SWIM_SEEDS',
      item: 'hostPort',
      default: [],
      description: 'global-pool SWIM addresses to join (registration also introduces gates and managers)',
    }),
    globalSwimProfile: s.enum({
      env: 'HYPERSCALE_GLOBAL_SWIM_PROFILE',
      values: PROFILE_NAMES,
      default: 'wan',
      description: 'global-pool timing: wan (memberlist WAN), lan, or local (fast, one host)',
    }),
  };
}

/** What every pool of a node shares: the keyring and the testing delay. */
export function swimCommonSettings() {
  return {
    swimKeys: s.list({
      env: 'HYPERSCALE_SWIM_KEYS',
      item: 'string',
      default: [],
      secret: true,
      description: 'base64 AES-256-GCM keys for every SWIM datagram, primary first (empty: unencrypted)',
    }),
    swimInjectDelay: s.durationMs({
      env: 'HYPERSCALE_SWIM_INJECT_DELAY',
      default: '0ms',
      min: 0,
      max: 10_000,
      description: 'testing aid: delay every outgoing SWIM datagram, to emulate a distant node on one host',
    }),
  };
}
