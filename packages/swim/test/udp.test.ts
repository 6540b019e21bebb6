// Real UDP on 127.0.0.1: several swim-agent processes detect a kill -9 and a graceful leave; fuzzed
// datagrams (random, truncated, oversized, wrong key, wrong label, wrong version) never crash a
// member and are all counted.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope } from '../src/envelope.js';
import { Keyring } from '../src/shell/keyring.js';
import { createSwimNode, type SwimNode } from '../src/shell/swim-node.js';
import { droppedDatagrams } from '../src/stats.js';
import { datagram, waitFor } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const agentPath = fileURLToPath(new URL('../dist/cli/swim-agent.js', import.meta.url));
// Below the kernel's ephemeral range (32768+) and away from the bench's 21000–24999.
const basePort = 25_000 + Math.floor((Math.random() * 7000) / 40) * 40;

interface Agent {
  name: string;
  port: number;
  child: ChildProcess;
  events: { event: string; node: string }[];
}

function startAgent(name: string, port: number, join?: number): Agent {
  const args = [agentPath, 'run', '--name', name, '--bind', `127.0.0.1:${port}`, '--profile', 'local'];
  if (join !== undefined) args.push('--join', `127.0.0.1:${join}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const agent: Agent = { name, port, child, events: [] };
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      agent.events.push(JSON.parse(line) as { event: string; node: string });
      newline = buffer.indexOf('\n');
    }
  });
  return agent;
}

const saw = (agent: Agent, event: string, node: string) =>
  agent.events.some((e) => e.event === event && e.node === node);

describe('swim-agent processes on 127.0.0.1', () => {
  const agents: Agent[] = [];
  beforeAll(() => {
    execFileSync('pnpm', ['exec', 'tsc', '-b', 'packages/swim'], { cwd: root, stdio: 'inherit' });
  });
  afterAll(() => {
    for (const agent of agents) if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
  });

  it('four processes converge, detect a SIGKILL as dead and a SIGTERM as leave', async () => {
    const names = ['p0', 'p1', 'p2', 'p3'];
    names.forEach((name, i) => {
      agents.push(startAgent(name, basePort + 10 * i, i === 0 ? undefined : basePort));
    });
    const converged = await waitFor(
      () => agents.every((a) => names.every((n) => n === a.name || saw(a, 'member-join', n))),
      15_000,
    );
    expect(converged).toBe(true);
    agents[3]!.child.kill('SIGKILL');
    const killedAt = Date.now();
    const detected = await waitFor(() => agents.slice(0, 3).every((a) => saw(a, 'member-dead', 'p3')), 15_000);
    expect(detected).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    agents[2]!.child.kill('SIGTERM');
    const left = await waitFor(() => agents.slice(0, 2).every((a) => saw(a, 'member-leave', 'p2')), 10_000);
    expect(left).toBe(true);
    // Nobody healthy was ever declared dead.
    expect(agents.slice(0, 2).every((a) => !saw(a, 'member-dead', 'p0') && !saw(a, 'member-dead', 'p1'))).toBe(true);
    const members = execFileSync(process.execPath, [agentPath, 'members', '--agent', `127.0.0.1:${basePort + 1}`], {
      encoding: 'utf8',
    });
    expect(members).toMatch(/p1\t127\.0\.0\.1:\d+\tmanager\talive/);
    expect(members).toMatch(/p3\t.*\tdead/);
    expect(members).toMatch(/p2\t.*\tleft/);
  }, 60_000);
});

describe('fuzzed datagrams against a live member', () => {
  const nodes: SwimNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('never crash it, and every one is counted as dropped', async () => {
    const key = Keyring.generateKey();
    const limits = { rateLimitBurst: 100_000, rateLimitPerSecond: 100_000 };
    const a = createSwimNode({
      id: 'fa',
      role: 'manager',
      bindHost: '127.0.0.1',
      bindPort: 0,
      profile: 'local',
      keyring: [key],
      label: 'fz',
      limits,
      seed: 1,
    });
    nodes.push(a);
    await a.start();
    const b = createSwimNode({
      id: 'fb',
      role: 'worker',
      bindHost: '127.0.0.1',
      bindPort: 0,
      profile: 'local',
      keyring: [key],
      label: 'fz',
      seeds: [a.addr],
      seed: 2,
    });
    nodes.push(b);
    await b.start();
    expect(await waitFor(() => a.member('fb')?.state === 'alive' && b.member('fa')?.state === 'alive', 5000)).toBe(
      true,
    );

    const port = Number(a.addr.split(':')[1]);
    const socket = createSocket('udp4');
    const wrongKey = new Envelope('fz', new Keyring([Keyring.generateKey()]));
    const wrongLabel = new Envelope('other', new Keyring([key]));
    const plain = new Envelope('fz', undefined);
    const valid = new Envelope('fz', new Keyring([key])).wrap(new Uint8Array([2, 102, 122]));
    const payloads: Uint8Array[] = [];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 150; i++)
      payloads.push(Uint8Array.from({ length: 1 + Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
    for (let i = 1; i < valid.length; i++) payloads.push(valid.slice(0, i)); // truncated
    for (let i = 0; i < 20; i++) payloads.push(new Uint8Array(1401 + i * 10)); // oversized
    const ping = datagram('intruder', [{ type: 'ping', seq: 1, targetId: 'fa', coordinate: new Uint8Array() }]);
    for (let i = 0; i < 20; i++) payloads.push(wrongKey.wrap(ping.subarray(4)));
    for (let i = 0; i < 20; i++) payloads.push(wrongLabel.wrap(ping.subarray(4)));
    for (let i = 0; i < 20; i++) payloads.push(plain.wrap(ping.subarray(4))); // unencrypted
    const badVersion = plain.wrap(ping.subarray(4));
    badVersion[1] = 0x20;
    for (let i = 0; i < 20; i++) payloads.push(badVersion);
    const before = droppedDatagrams(a.stats());
    for (let i = 0; i < payloads.length; i += 25) {
      await Promise.all(
        payloads
          .slice(i, i + 25)
          .map((p) => new Promise<void>((resolve) => socket.send(p, port, '127.0.0.1', () => resolve()))),
      );
    }
    socket.close();
    const counted = await waitFor(() => droppedDatagrams(a.stats()) - before >= payloads.length, 5000);
    const stats = a.stats();
    expect(counted).toBe(true);
    expect(droppedDatagrams(stats) - before).toBe(payloads.length);
    expect(stats.oversized).toBe(20);
    expect(stats.labelMismatches).toBe(20);
    expect(stats.unencryptedRefused).toBe(20);
    expect(stats.versionMismatches).toBeGreaterThanOrEqual(20);
    expect(stats.decryptFailures).toBeGreaterThanOrEqual(20);
    expect(stats.handlerErrors).toBe(0);
    expect(a.validateState()).toEqual([]);
    // Still a healthy member: the peer keeps seeing it alive after a few more probe rounds.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(b.member('fa')?.state).toBe('alive');
    expect(a.member('fb')?.state).toBe('alive');
    expect(a.member('intruder')).toBeUndefined();
  }, 30_000);
});

describe('RTT samples for routing (onRttSample)', () => {
  it('hands every direct-probe RTT to the callback, with the peer id, while Vivaldi still learns', async () => {
    const samples: { peer: string; rttMs: number }[] = [];
    const a = createSwimNode({
      id: 'ra',
      role: 'gate',
      bindHost: '127.0.0.1',
      bindPort: 0,
      profile: 'local',
      seed: 3,
      onRttSample: (peer, rttMs) => samples.push({ peer, rttMs }),
    });
    await a.start();
    const b = createSwimNode({
      id: 'rb',
      role: 'manager',
      bindHost: '127.0.0.1',
      bindPort: 0,
      profile: 'local',
      seeds: [a.addr],
      seed: 4,
    });
    await b.start();
    try {
      expect(await waitFor(() => samples.length >= 3, 15_000)).toBe(true);
      expect(samples.every((s) => s.peer === 'rb' && s.rttMs >= 0 && s.rttMs < 1_000)).toBe(true);
      expect((a.localCoordinate() as { sampleCount: number }).sampleCount).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
