#!/usr/bin/env node
// swim-agent: the project's counterpart of `serf agent` / `serf members` / `serf rtt`.
//   swim-agent run --name N --bind HOST:PORT [--join HOST:PORT,...] [--role gate|manager|worker]
//                  [--profile lan|wan|local] [--keyring FILE] [--label L] [--rpc HOST:PORT] [--meta k=v,...]
//   swim-agent members --agent HOST:PORT
//   swim-agent rtt A B --agent HOST:PORT
// `run` prints one JSON line per membership event. The control socket (--rpc, loopback by
// default on the bind port + 1) answers one JSON request per connection with one JSON line.
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { PROFILES, type ProfileName } from '../config.js';
import { formatHostPort, parseHostPort } from '../shell/address.js';
import { Keyring } from '../shell/keyring.js';
import { createSwimNode } from '../shell/swim-node.js';
import { MEMBER_EVENTS, ROLES, type Role } from '../types.js';

type Flags = Record<string, string | undefined>;

function parseFlags(args: readonly string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
      else if (args[i + 1] === undefined || args[i + 1]!.startsWith('--')) flags[arg.slice(2)] = 'true';
      else flags[arg.slice(2)] = args[++i];
    } else positional.push(arg);
  }
  return { positional, flags };
}

function fail(message: string): never {
  process.stderr.write(`swim-agent: ${message}\n`);
  process.exit(2);
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ts: Date.now(), ...line })}\n`);
}

function readKeyring(path: string): Keyring {
  const text = readFileSync(path, 'utf8').trim();
  const keys: string[] = text.startsWith('{') ? (JSON.parse(text) as { keys: string[] }).keys : text.split(/\s+/);
  return Keyring.fromBase64(keys);
}

async function run(flags: Flags): Promise<void> {
  const name = flags.name ?? fail('--name is required');
  const bind = parseHostPort(flags.bind ?? fail('--bind HOST:PORT is required'));
  const role = (flags.role ?? 'manager') as Role;
  if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
  const profile = (flags.profile ?? 'lan') as ProfileName;
  if (!(profile in PROFILES)) fail(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
  const meta: Record<string, string> = {};
  for (const pair of (flags.meta ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    if (k !== undefined && v !== undefined) meta[k] = v;
  }
  const node = createSwimNode({
    id: name,
    role,
    bindHost: bind.host,
    bindPort: bind.port,
    seeds: (flags.join ?? '').split(',').filter(Boolean),
    profile,
    keyring: flags.keyring === undefined ? undefined : readKeyring(flags.keyring),
    label: flags.label,
    meta,
  });
  for (const event of MEMBER_EVENTS) {
    node.on(event, (m) =>
      emit({ event, node: m.id, incarnation: m.incarnation, role: m.role, addr: m.addr, state: m.state }),
    );
  }
  await node.start();
  const rpc = parseHostPort(flags.rpc ?? formatHostPort('127.0.0.1', bind.port + 1));
  const server = createServer((socket) => {
    let buffer = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.length > 4096) return socket.destroy();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      let reply: unknown;
      try {
        const request = JSON.parse(buffer.slice(0, newline)) as { op: string; a?: string; b?: string };
        if (request.op === 'members') {
          reply = {
            self: node.self(),
            members: node.members().map((m) => ({
              ...m,
              rttMs: node.estimateRttMs(node.id, m.id) ?? null,
              rttUcbMs: node.rttUcbMs(m.id) ?? null,
              probeTimeoutMs: node.core.probeTimeoutFor(m),
            })),
          };
        } else if (request.op === 'rtt') {
          reply = { a: request.a, b: request.b, rttMs: node.estimateRttMs(request.a ?? '', request.b ?? '') ?? null };
        } else if (request.op === 'stats') {
          reply = { stats: node.stats(), problems: node.validateState() };
        } else reply = { error: `unknown op ${request.op}` };
      } catch (error) {
        reply = { error: String(error) };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(rpc.port, rpc.host);
  emit({ event: 'agent-start', node: name, addr: node.addr, rpc: formatHostPort(rpc.host, rpc.port) });
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    void node.leave().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function query(agent: string, request: Record<string, string>): Promise<Record<string, unknown>> {
  const { host, port } = parseHostPort(agent);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port }, () => socket.write(`${JSON.stringify(request)}\n`));
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
    });
    socket.on('end', () => resolve(JSON.parse(data) as Record<string, unknown>));
    socket.on('error', reject);
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseFlags(rest);
  switch (command) {
    case 'run':
      return run(flags);
    case 'members': {
      const reply = await query(flags.agent ?? '127.0.0.1:7947', { op: 'members' });
      if (flags.json !== undefined) {
        process.stdout.write(`${JSON.stringify(reply)}\n`);
        return;
      }
      const members = (reply.members ?? []) as {
        id: string;
        addr: string;
        role: string;
        state: string;
        incarnation: number;
        rttMs: number | null;
      }[];
      for (const m of members) {
        const rtt = m.rttMs === null ? '-' : `${m.rttMs.toFixed(2)}ms`;
        process.stdout.write(`${m.id}\t${m.addr}\t${m.role}\t${m.state}\tinc=${m.incarnation}\trtt=${rtt}\n`);
      }
      return;
    }
    case 'rtt': {
      const [a, b] = positional;
      if (a === undefined || b === undefined) fail('usage: swim-agent rtt A B --agent HOST:PORT');
      const reply = await query(flags.agent ?? '127.0.0.1:7947', { op: 'rtt', a, b });
      if (reply.rttMs === null) fail(`no coordinate for ${a} or ${b}`);
      process.stdout.write(`Estimated ${a} <-> ${b} rtt: ${Number(reply.rttMs).toFixed(3)} ms\n`);
      return;
    }
    default:
      fail('usage: swim-agent run|members|rtt …');
  }
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
