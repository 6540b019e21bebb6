// Key rotation over real UDP and TCP on 127.0.0.1 (issue 4 item 7): four members start on key A,
// an operator installs B everywhere, makes it primary everywhere, then removes A everywhere, node
// by node with traffic flowing in between. Nobody is suspected or declared dead, no datagram or
// stream exchange fails to open, a datagram sealed with the removed key alone is refused and
// counted, a member holding only B still joins, and a member with a wrong key cannot join while
// the others count its traffic as decrypt failures and carry on.
import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/codec.js';
import { Envelope } from '../src/envelope.js';
import { Keyring } from '../src/shell/keyring.js';
import { createSwimNode, type SwimNode } from '../src/shell/swim-node.js';
import type { SwimStats } from '../src/stats.js';
import { datagram, LIMITS, waitFor } from './helpers.js';

const LABEL = 'rotation';
const N = 4;

function startNode(id: string, keyring: Keyring, seeds: string[], joinWaitMs?: number): SwimNode {
  return createSwimNode({
    id,
    role: 'manager',
    bindHost: '127.0.0.1',
    bindPort: 0,
    profile: 'local',
    keyring,
    label: LABEL,
    seeds,
    ...(joinWaitMs === undefined ? {} : { joinWaitMs }),
  });
}

describe('keyring rotation over real UDP on 127.0.0.1', () => {
  const nodes: SwimNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('loses no member, then refuses the removed key and a wrong key', async () => {
    const keyA = Keyring.generateKey();
    const keyB = Keyring.generateKey();
    const cluster: SwimNode[] = [];
    const alarms: string[] = [];
    for (let i = 0; i < N; i++) {
      const node = startNode(`r${i}`, new Keyring([keyA]), i === 0 ? [] : [cluster[0]!.addr]);
      for (const event of ['member-suspect', 'member-dead', 'member-leave', 'member-removed'] as const)
        node.on(event, (m) => alarms.push(`${node.id}: ${event} ${m.id}`));
      nodes.push(node);
      cluster.push(node);
      await node.start();
    }
    const converged = (members: SwimNode[]) =>
      members.every((a) => members.every((b) => a === b || a.member(b.id)?.state === 'alive'));
    expect(await waitFor(() => converged(cluster), 5000)).toBe(true);

    const sum = (field: keyof SwimStats) => cluster.reduce((total, n) => total + (n.stats()[field] as number), 0);
    const baseline = {
      decryptFailures: sum('decryptFailures'),
      streamFailures: sum('streamFailures'),
      suspicionsStarted: sum('suspicionsStarted'),
      deathsDeclared: sum('deathsDeclared'),
      handlerErrors: sum('handlerErrors'),
    };
    // Wait until every member has sent `probes` more probes and heard back from its peers: proof
    // that traffic sealed under the current keyrings actually crossed the wire.
    const traffic = async (probes: number) => {
      const before = cluster.map((n) => n.stats());
      const ok = await waitFor(
        () =>
          cluster.every((n, i) => {
            const s = n.stats();
            return s.probesSent - before[i]!.probesSent >= probes && s.datagramsIn - before[i]!.datagramsIn >= probes;
          }),
        3000,
      );
      expect(ok, `${probes} probe(s) per member within 3 s`).toBe(true);
    };
    const healthy = (step: string) => {
      expect(converged(cluster), `converged after ${step}`).toBe(true);
      expect(alarms, `no suspicion or death after ${step}`).toEqual([]);
      expect(sum('decryptFailures'), `no decrypt failure after ${step}`).toBe(baseline.decryptFailures);
      expect(sum('suspicionsStarted'), `no suspicion started after ${step}`).toBe(baseline.suspicionsStarted);
      expect(sum('deathsDeclared')).toBe(baseline.deathsDeclared);
      expect(sum('streamFailures')).toBe(baseline.streamFailures);
      expect(sum('handlerErrors')).toBe(baseline.handlerErrors);
      for (const node of cluster) expect(node.validateState()).toEqual([]);
    };

    // The operator walks the cluster three times, one node at a time, letting probes flow between
    // nodes so that mixed keyrings really talk to each other.
    const steps: [string, (ring: Keyring) => void][] = [
      ['install B', (ring) => ring.install(keyB)],
      ['make B primary', (ring) => ring.use(keyB)],
      ['remove A', (ring) => ring.remove(keyA)],
    ];
    for (const [step, change] of steps) {
      for (const node of cluster) {
        change(node.keyring!);
        await traffic(1);
      }
      // A full probe rotation under the new keyrings everywhere.
      await traffic(N - 1);
      healthy(step);
    }
    for (const node of cluster) expect(node.keyring!.size()).toBe(1);

    // A member holding only B joins the rotated cluster (push/pull over TCP, then UDP).
    const late = startNode('r-late', new Keyring([keyB]), [cluster[1]!.addr]);
    nodes.push(late);
    expect(await late.start()).toBe(1);
    cluster.push(late);
    expect(await waitFor(() => converged(cluster), 5000)).toBe(true);
    healthy('a B-only member joined');

    // A datagram sealed with the removed key A alone is refused and counted; the same ping sealed
    // with B is answered, so the refusal is the key's doing.
    const target = cluster[0]!;
    const targetPort = Number(target.addr.split(':')[1]);
    const socket = createSocket('udp4');
    const replies: number[] = [];
    const envelopeB = new Envelope(LABEL, new Keyring([keyB]));
    socket.on('message', (bytes) => {
      const opened = envelopeB.unwrap(bytes);
      if (!opened.ok) return;
      for (const part of decodeMessage(opened.body, LIMITS).parts) if (part.type === 'ack') replies.push(part.seq);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const ping = (seq: number, envelope: Envelope) =>
      datagram('operator', [{ type: 'ping', seq, targetId: target.id, coordinate: new Uint8Array() }], envelope);
    const send = (bytes: Uint8Array) =>
      new Promise<void>((resolve) => socket.send(bytes, targetPort, '127.0.0.1', () => resolve()));
    const failuresBefore = target.stats().decryptFailures;
    const oldKeyOnly = new Envelope(LABEL, new Keyring([keyA]));
    for (let seq = 1; seq <= 5; seq++) await send(ping(seq, oldKeyOnly));
    await send(ping(100, envelopeB));
    const answered = await waitFor(() => replies.includes(100), 2000);
    expect(answered).toBe(true);
    expect(await waitFor(() => target.stats().decryptFailures - failuresBefore === 5, 1000)).toBe(true);
    expect(replies).toEqual([100]);
    expect(target.member('operator')).toBeUndefined();
    socket.close();

    // A member with a wrong key: its join (TCP push/pull to every seed) and its introduction
    // datagrams cannot be opened; every member counts them and nobody crashes or admits it.
    const before = cluster.map((n) => n.stats().decryptFailures);
    const stranger = startNode(
      'stranger',
      new Keyring([Keyring.generateKey()]),
      cluster.map((n) => n.addr),
      1500,
    );
    nodes.push(stranger);
    expect(await stranger.start()).toBe(0);
    for (const node of cluster) stranger.addUnconfirmed({ id: node.id, addr: node.addr, role: 'manager' });
    // Push/pull refused (1) plus at least the introduction datagram (1) at every member.
    expect(
      await waitFor(() => cluster.every((n, i) => n.stats().decryptFailures - before[i]! >= 2), 3000),
      'every member counted the traffic of the stranger as decrypt failures',
    ).toBe(true);
    await traffic(N - 1);
    for (const node of cluster) {
      expect(node.member('stranger')).toBeUndefined();
      expect(stranger.member(node.id)?.state).not.toBe('alive');
    }
    expect(stranger.stats().streamExchanges).toBe(0);
    expect(converged(cluster)).toBe(true);
    expect(alarms).toEqual([]);
    expect(sum('suspicionsStarted')).toBe(baseline.suspicionsStarted);
    expect(sum('handlerErrors')).toBe(baseline.handlerErrors);
    expect(stranger.stats().handlerErrors).toBe(0);
    for (const node of [...cluster, stranger]) expect(node.validateState()).toEqual([]);
  }, 20_000);
});
