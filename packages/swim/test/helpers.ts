// Test helpers: build datagrams as a peer would, and a single node wired to a scripted network.
import { seededRandom } from '@hyperscale/deterministic';
import { assembleMessage, decodeMessage, encodePart, type Part } from '../src/codec.js';
import type { SwimProfile } from '../src/config.js';
import { DEFAULT_LIMITS } from '../src/config.js';
import { Envelope } from '../src/envelope.js';
import { SwimMembership } from '../src/membership.js';
import { EventScheduler } from '../src/sim/event-scheduler.js';
import type { Role } from '../src/types.js';

export const LIMITS = { maxIdBytes: DEFAULT_LIMITS.maxIdBytes, maxMetaBytes: DEFAULT_LIMITS.maxMetaBytes };
const plain = new Envelope('', undefined);

export function datagram(senderId: string, parts: Part[], envelope = plain): Uint8Array {
  return envelope.wrap(
    assembleMessage(
      senderId,
      parts.map((p) => encodePart(p, LIMITS)),
      LIMITS.maxIdBytes,
    ),
  );
}

export function decodeDatagram(bytes: Uint8Array, envelope = plain) {
  const opened = envelope.unwrap(bytes);
  if (!opened.ok) throw new Error(opened.error);
  return decodeMessage(opened.body, LIMITS);
}

export interface Sent {
  to: string;
  atMs: number;
  senderId: string;
  parts: Part[];
}

/**
 * One node under test on a scripted network: every datagram it sends is recorded; peers listed in
 * `responsive` answer its pings with acks after 1 ms.
 */
export function scriptedNode(options: { profile: SwimProfile; role?: Role; seed?: number }) {
  const scheduler = new EventScheduler(0);
  const sent: Sent[] = [];
  const responsive = new Set<string>();
  const addrOf = (id: string) => `${id}:1`;
  let node: SwimMembership | undefined;
  node = new SwimMembership({
    id: 'self',
    role: options.role ?? 'manager',
    addr: 'self:1',
    profile: options.profile,
    timers: scheduler,
    random: seededRandom(options.seed ?? 1),
    packets: {
      send: (to, bytes) => {
        const message = decodeDatagram(bytes);
        sent.push({ to, atMs: scheduler.now(), senderId: message.senderId, parts: message.parts });
        for (const part of message.parts) {
          if (part.type !== 'ping') continue;
          const target = part.targetId;
          if (!responsive.has(target) || to !== addrOf(target)) continue;
          const seq = part.seq;
          scheduler.after(1, () =>
            node?.handlePacket(
              to,
              datagram(target, [{ type: 'ack', seq, relayed: false, coordinate: new Uint8Array() }]),
            ),
          );
        }
      },
    },
    stream: { exchange: (_to, _req, _timeout, done) => scheduler.after(1, () => done(undefined)) },
  });
  /** Makes `id` a confirmed member by letting it speak to us directly. */
  const addConfirmed = (id: string, role: Role = 'manager') => {
    node?.handlePacket(
      addrOf(id),
      datagram(id, [{ type: 'alive', id, incarnation: 0, addr: addrOf(id), role, meta: {} }]),
    );
  };
  /** Gossip from `via` about `id` (never confirms `id`). */
  const hearOf = (id: string, role: Role, via: string) => {
    node?.handlePacket(
      addrOf(via),
      datagram(via, [{ type: 'alive', id, incarnation: 0, addr: addrOf(id), role, meta: {} }]),
    );
  };
  return { node: node!, scheduler, sent, responsive, addrOf, addConfirmed, hearOf };
}

/** Polls `condition` every `pollMs` until it holds or `timeoutMs` passes; says whether it held. */
export async function waitFor(condition: () => boolean, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return condition();
}
