// Pieces of the shell and observability that need no sockets: keyring, fault injection, metrics.
import { seededRandom } from '@hyperscale/deterministic';
import { describe, expect, it } from 'vitest';
import { LAN_PROFILE } from '../src/config.js';
import { Envelope } from '../src/envelope.js';
import { renderMetrics } from '../src/metrics.js';
import { parseHostPort } from '../src/shell/address.js';
import { FaultInjectingTransport } from '../src/shell/fault-transport.js';
import { Keyring } from '../src/shell/keyring.js';
import { EventScheduler } from '../src/sim/event-scheduler.js';
import { scriptedNode } from './helpers.js';

describe('keyring', () => {
  it('seals with the primary, opens with any installed key, authenticates the header', () => {
    const k1 = Keyring.generateKey();
    const k2 = Keyring.generateKey();
    const sender = new Keyring([k1]);
    const receiver = new Keyring([k2]);
    const envelopeOut = new Envelope('dc', sender);
    const envelopeIn = new Envelope('dc', receiver);
    const sealed = envelopeOut.wrap(new Uint8Array([1, 65, 9]));
    expect(envelopeIn.unwrap(sealed)).toEqual({ ok: false, error: 'decrypt' });
    receiver.install(k1);
    expect(envelopeIn.unwrap(sealed)).toEqual({ ok: true, body: new Uint8Array([1, 65, 9]) });
    const tampered = sealed.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(envelopeIn.unwrap(tampered).ok).toBe(false);
    expect(sealed.length).toBe(6 + 3 + envelopeOut.overheadBytes() - 6);
    expect(() => receiver.remove(k2)).toThrow(RangeError); // the primary stays
    receiver.use(k1);
    receiver.remove(k2);
    expect(receiver.size()).toBe(1);
    expect(() => new Keyring([new Uint8Array(16)])).toThrow(/32 bytes/);
  });
});

describe('fault-injecting transport', () => {
  it('drops, delays and blocks as configured, reproducibly', () => {
    const clock = new EventScheduler();
    const delivered: [string, number][] = [];
    const inner = { send: (to: string) => delivered.push([to, clock.now()]) };
    const faults = new FaultInjectingTransport(inner, clock, seededRandom(3), { loss: 0.5, delayMs: 20 });
    for (let i = 0; i < 1000; i++) faults.send('a:1', new Uint8Array(1));
    faults.blocked.add('b:1');
    faults.send('b:1', new Uint8Array(1));
    expect(delivered).toHaveLength(0);
    clock.advance(20);
    expect(delivered.length).toBeGreaterThan(400);
    expect(delivered.length).toBeLessThan(600);
    expect(delivered.every(([to, at]) => to === 'a:1' && at === 20)).toBe(true);
    expect(faults.dropped).toBe(1000 - delivered.length + 1);
  });
});

describe('metrics and addresses', () => {
  it('renders members by state and role and the drop counters', () => {
    const { node, addConfirmed, hearOf } = scriptedNode({ profile: LAN_PROFILE });
    node.start();
    addConfirmed('p1', 'worker');
    hearOf('p2', 'gate', 'p1');
    node.handlePacket('x:1', new Uint8Array([1, 2, 3]));
    const text = renderMetrics(node, { pool: 'dc' });
    expect(text).toContain('hyperscale_swim_members{node="self",pool="dc",state="alive",role="worker"} 1');
    expect(text).toContain('hyperscale_swim_members{node="self",pool="dc",state="unconfirmed",role="gate"} 1');
    expect(text).toContain('hyperscale_swim_datagrams_dropped_total{node="self",pool="dc",reason="bad_magic"} 1');
  });

  it('parses host:port and refuses anything else', () => {
    expect(parseHostPort('127.0.0.1:7946')).toEqual({ host: '127.0.0.1', port: 7946 });
    expect(parseHostPort('[::1]:1')).toEqual({ host: '::1', port: 1 });
    for (const bad of ['x', 'h:0', 'h:70000', 'h:p']) expect(() => parseHostPort(bad)).toThrow(RangeError);
  });
});
