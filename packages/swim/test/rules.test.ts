// The membership rules one at a time, on a single node driven by hand-built datagrams.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adaptiveProbeTimeoutMs,
  confidenceMultiplier,
  latencyMultiplier,
  unconfirmedTimeoutMs,
} from '../src/adaptive-timeout.js';
import { BroadcastQueue } from '../src/broadcast-queue.js';
import { DecodeError, decodeMessage, encodePart, type Part } from '../src/codec.js';
import { LAN_PROFILE, ROLE_CONFIRMATION, type SwimProfile } from '../src/config.js';
import { Envelope } from '../src/envelope.js';
import { SenderRateLimiter } from '../src/rate-limiter.js';
import { datagram, decodeDatagram, LIMITS, scriptedNode } from './helpers.js';

const quiet: SwimProfile = { ...LAN_PROFILE, name: 'quiet', pushPullIntervalMs: 10_000_000 };

describe('codec', () => {
  const parts: Part[] = [
    { type: 'ping', seq: 7, targetId: 'n1', coordinate: new Uint8Array([1, 2, 3]) },
    { type: 'ack', seq: 7, relayed: true, coordinate: new Uint8Array() },
    { type: 'nack', seq: 4_000_000_000 },
    { type: 'ping-req', seq: 9, targetId: 'n2', targetAddr: '10.0.0.2:7946', timeoutMs: 300 },
    { type: 'alive', id: 'n3', incarnation: 5, addr: '[::1]:1', role: 'gate', meta: { grpc: 'h:1', dc: 'eu' } },
    { type: 'suspect', id: 'n4', incarnation: 1, from: 'n1' },
    { type: 'dead', id: 'n4', incarnation: 2, from: 'n4' },
    { type: 'state', id: 'n5', incarnation: 3, addr: 'a:1', role: 'worker', meta: {}, state: 'left' },
    { type: 'stream-header', kind: 'reply', join: true },
  ];
  it('round-trips every part type', () => {
    const message = decodeDatagram(datagram('me', parts));
    expect(message.senderId).toBe('me');
    expect(message.parts).toEqual(parts);
  });

  it('skips parts of unknown type and counts them', () => {
    const known = encodePart({ type: 'nack', seq: 1 }, LIMITS);
    const bytes = new Uint8Array([1, 120, 200, 0, 2, 9, 9, ...known]);
    const message = decodeMessage(bytes, LIMITS);
    expect(message.unknownParts).toBe(1);
    expect(message.parts).toEqual([{ type: 'nack', seq: 1 }]);
  });

  it('refuses oversized meta at encode time and truncated input at decode time', () => {
    expect(() =>
      encodePart(
        {
          type: 'alive',
          id: 'x',
          incarnation: 0,
          addr: 'a:1',
          role: 'gate',
          meta: { k: 'v'.repeat(250), j: 'w'.repeat(10) },
        },
        LIMITS,
      ),
    ).toThrow(RangeError);
    const good = datagram('me', parts).subarray(4);
    for (let i = 1; i < good.length; i++) {
      try {
        decodeMessage(good.subarray(0, i), LIMITS);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }
  });

  it('property: decoding arbitrary bytes only ever throws DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeMessage(bytes, LIMITS);
        } catch (error) {
          return error instanceof DecodeError;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('property: mutated datagrams never break a node', () => {
    const { node, scheduler, addConfirmed } = scriptedNode({ profile: quiet });
    node.start();
    addConfirmed('p1');
    const base = datagram('p1', parts.slice(0, 7));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (edits) => {
          const bytes = base.slice();
          for (const [at, value] of edits) bytes[at] = value;
          node.handlePacket('p1:1', bytes);
          scheduler.advance(10);
          return node.stats().handlerErrors === 0 && node.validateState().length === 0;
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('envelope', () => {
  it('drops another label, another major version, and sealed data without a keyring', () => {
    const ours = new Envelope('dc-a', undefined);
    const theirs = new Envelope('dc-b', undefined);
    const wrapped = theirs.wrap(new Uint8Array([1, 65]));
    expect(ours.unwrap(wrapped)).toEqual({ ok: false, error: 'label' });
    const v2 = ours.wrap(new Uint8Array([1, 65]));
    v2[1] = 0x21;
    expect(ours.unwrap(v2)).toEqual({ ok: false, error: 'version' });
    const minor = ours.wrap(new Uint8Array([1, 65]));
    minor[1] = 0x17; // same major, newer minor: accepted
    expect(ours.unwrap(minor).ok).toBe(true);
    const sealed = ours.wrap(new Uint8Array([1, 65]));
    sealed[2] = 1;
    expect(ours.unwrap(sealed)).toEqual({ ok: false, error: 'decrypt' });
  });
});

describe('incarnation and state rules', () => {
  it('gossip never confirms; direct evidence does; unconfirmed peers are never suspected', () => {
    const { node, addConfirmed, hearOf, addrOf } = scriptedNode({ profile: quiet });
    node.start();
    addConfirmed('p1');
    hearOf('x', 'manager', 'p1');
    expect(node.member('x')?.state).toBe('unconfirmed');
    node.handlePacket(addrOf('p1'), datagram('p1', [{ type: 'suspect', id: 'x', incarnation: 0, from: 'p1' }]));
    expect(node.member('x')?.state).toBe('unconfirmed');
    node.handlePacket(addrOf('p1'), datagram('p1', [{ type: 'dead', id: 'p1', incarnation: 0, from: 'p2' }]));
    node.handlePacket(addrOf('x'), datagram('x', [{ type: 'nack', seq: 99 }])); // anything from x itself
    expect(node.member('x')?.state).toBe('alive');
    expect(node.validateState()).toEqual([]);
  });

  it('higher incarnation wins; at the same incarnation only a more severe state', () => {
    const { node, addConfirmed, addrOf } = scriptedNode({ profile: quiet });
    node.start();
    addConfirmed('p1');
    addConfirmed('p2');
    const from = (parts: Part[]) => node.handlePacket(addrOf('p2'), datagram('p2', parts));
    from([{ type: 'suspect', id: 'p1', incarnation: 0, from: 'p2' }]);
    expect(node.member('p1')?.state).toBe('suspect');
    from([{ type: 'alive', id: 'p1', incarnation: 0, addr: addrOf('p1'), role: 'manager', meta: {} }]);
    expect(node.member('p1')?.state).toBe('suspect'); // same incarnation alive does not clear it
    from([{ type: 'alive', id: 'p1', incarnation: 1, addr: addrOf('p1'), role: 'manager', meta: {} }]);
    expect(node.member('p1')).toMatchObject({ state: 'alive', incarnation: 1 });
    from([{ type: 'dead', id: 'p1', incarnation: 0, from: 'p2' }]); // stale
    expect(node.member('p1')?.state).toBe('alive');
    from([{ type: 'dead', id: 'p1', incarnation: 1, from: 'p2' }]);
    expect(node.member('p1')?.state).toBe('dead');
    from([{ type: 'suspect', id: 'p1', incarnation: 1, from: 'p2' }]); // less severe: ignored
    expect(node.member('p1')?.state).toBe('dead');
    from([{ type: 'alive', id: 'p1', incarnation: 2, addr: addrOf('p1'), role: 'manager', meta: {} }]);
    expect(node.member('p1')?.state).toBe('alive'); // rejoin
    from([{ type: 'dead', id: 'p1', incarnation: 2, from: 'p1' }]);
    expect(node.member('p1')?.state).toBe('left');
  });

  it('a suspicion about us is refuted with a higher incarnation, and local health worsens', () => {
    const { node, scheduler, sent, addConfirmed, addrOf } = scriptedNode({ profile: quiet });
    node.start();
    addConfirmed('p1');
    node.handlePacket(addrOf('p1'), datagram('p1', [{ type: 'suspect', id: 'self', incarnation: 0, from: 'p1' }]));
    expect(node.self().incarnation).toBe(1);
    expect(node.localHealthScore()).toBe(1);
    scheduler.advance(1000);
    const refutation = sent.flatMap((s) => s.parts).find((p) => p.type === 'alive' && p.id === 'self');
    expect(refutation).toMatchObject({ incarnation: 1 });
  });

  it('buddy system: a ping to a suspect carries the suspicion', () => {
    const { node, scheduler, sent, addConfirmed, addrOf } = scriptedNode({ profile: quiet });
    node.start();
    addConfirmed('p1');
    addConfirmed('p2');
    node.handlePacket(addrOf('p2'), datagram('p2', [{ type: 'suspect', id: 'p1', incarnation: 0, from: 'p2' }]));
    scheduler.advance(1500); // p1 is probed next (someone else's suspicion)
    const ping = sent.find((s) => s.to === addrOf('p1') && s.parts.some((p) => p.type === 'ping'));
    expect(ping?.parts.some((p) => p.type === 'suspect' && p.id === 'p1')).toBe(true);
  });

  it('failed probe with missing nacks raises local health; indirect probes carry a deadline', () => {
    const { node, scheduler, sent, addConfirmed } = scriptedNode({ profile: quiet });
    node.start();
    for (const id of ['p1', 'p2', 'p3', 'p4']) addConfirmed(id);
    scheduler.advance(2100);
    const req = sent.flatMap((s) => s.parts).find((p) => p.type === 'ping-req');
    expect(req).toBeDefined();
    expect(req?.type === 'ping-req' && req.timeoutMs).toBeGreaterThan(0);
    expect(node.localHealthScore()).toBeGreaterThan(0); // 3 helpers, no nacks
  });

  it('AD-35: gate gets 5 proactive pings from half its timeout; worker none; both removed', () => {
    const { node, scheduler, sent } = scriptedNode({ profile: quiet });
    node.start();
    node.addUnconfirmed({ id: 'g', addr: 'g:1', role: 'gate' });
    node.addUnconfirmed({ id: 'w', addr: 'w:1', role: 'worker' });
    let removed: string[] = [];
    node.on('member-removed', (m) => removed.push(m.id));
    scheduler.advance(59_000);
    const pingsTo = (addr: string) =>
      sent.filter((s) => s.to === addr && s.parts.some((p) => p.type === 'ping')).length;
    expect(pingsTo('g:1')).toBe(0);
    scheduler.advance(60_000);
    expect(pingsTo('g:1')).toBe(ROLE_CONFIRMATION.gate.proactiveAttempts);
    expect(removed).toEqual([]);
    scheduler.advance(2000);
    expect(removed).toEqual(['g']);
    scheduler.advance(60_000);
    expect(removed).toEqual(['g', 'w']);
    expect(pingsTo('w:1')).toBe(0);
    expect(node.stats().confirmationPingsByRole).toEqual({ gate: 5, manager: 0, worker: 0 });
    removed = [];
  });
});

describe('gossip queue', () => {
  it('replaces updates about the same member, retires after the limit, stays bounded, alive first', () => {
    const q = new BroadcastQueue(3);
    q.enqueue('a', 'suspect', new Uint8Array(10));
    q.enqueue('a', 'dead', new Uint8Array(10));
    expect(q.size()).toBe(1);
    q.enqueue('b', 'alive', new Uint8Array([7, 7]));
    const first = q.take(100, 0, 2);
    expect(first[0]).toEqual(new Uint8Array([7, 7])); // alive ahead at equal transmits
    q.take(100, 0, 2);
    expect(q.size()).toBe(0);
    for (const key of ['c', 'd', 'e', 'f']) q.enqueue(key, 'alive', new Uint8Array(5));
    expect(q.size()).toBe(3);
    expect(q.take(12, 0, 10)).toHaveLength(2); // byte budget respected
  });
});

describe('rate limiter and adaptive timeouts', () => {
  it('limits a sender to its burst, refills over time, and bounds tracked senders', () => {
    const limiter = new SenderRateLimiter(3, 10, 2);
    expect([1, 2, 3, 4].map(() => limiter.allow('a', 0))).toEqual([true, true, true, false]);
    expect(limiter.allow('a', 100)).toBe(true);
    limiter.allow('b', 100);
    limiter.allow('c', 100);
    expect(limiter.trackedSenders()).toBe(2);
  });

  it('scales as AD-35 says, within bounds', () => {
    expect(latencyMultiplier(undefined)).toBe(1);
    expect(latencyMultiplier(5)).toBe(1);
    expect(latencyMultiplier(45)).toBe(4.5);
    expect(latencyMultiplier(500)).toBe(10);
    expect(confidenceMultiplier(1)).toBe(1);
    expect(confidenceMultiplier(0)).toBe(1.5);
    expect(adaptiveProbeTimeoutMs(500, 1, 1, 1, 800)).toBe(500);
    expect(adaptiveProbeTimeoutMs(500, 2, 4.5, 1.5, 800)).toBe(800);
    expect(unconfirmedTimeoutMs(ROLE_CONFIRMATION.gate, 8, 2, 1.5)).toBe(120_000 * 2 * 3 * 1.5);
    expect(unconfirmedTimeoutMs(ROLE_CONFIRMATION.worker, 2, 10, 1.5)).toBe(360_000);
  });
});

describe('stale accusations', () => {
  it('an accusation at an older incarnation is answered by re-gossiping the newer alive', () => {
    const { node, scheduler, sent, responsive, addConfirmed, addrOf } = scriptedNode({ profile: quiet });
    node.start();
    addConfirmed('p1');
    addConfirmed('p2');
    responsive.add('p1');
    responsive.add('p2');
    node.handlePacket(
      addrOf('p1'),
      datagram('p1', [{ type: 'alive', id: 'p1', incarnation: 3, addr: addrOf('p1'), role: 'manager', meta: {} }]),
    );
    scheduler.advance(5000); // let the alive's own retransmissions run out
    const before = sent.length;
    node.handlePacket(addrOf('p2'), datagram('p2', [{ type: 'dead', id: 'p1', incarnation: 2, from: 'p2' }]));
    expect(node.member('p1')).toMatchObject({ state: 'alive', incarnation: 3 });
    scheduler.advance(1000);
    const regossiped = sent.slice(before).flatMap((s) => s.parts);
    expect(regossiped).toContainEqual(expect.objectContaining({ type: 'alive', id: 'p1', incarnation: 3 }));
  });
});
