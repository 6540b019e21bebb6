// `pnpm bench swim` — our SWIM (swim-agent) side by side with HashiCorp serf, same machine, same
// run, 127.0.0.1 only, LAN profile, N = 5 and N = 16 members each:
//
//  1. steady-state bytes per second per member (ours: the agents' own counters, datagrams + push/pull;
//     serf: memberlist.udp.sent + memberlist.tcp.sent from its statsd telemetry);
//  2. detection: SIGKILL a member, time until every survivor reports it failed (ours: member-dead,
//     serf: EventMemberFailed), ≥ 5 trials, the victim restarted between trials;
//  3. false positives: one member SIGSTOPped for 3 s every 30 s for 5 minutes — is it ever
//     declared failed? (all four clusters run this phase at once, so both see the same load).
//
// Bounded: at most 4 clusters (42 processes), every wait has a deadline, and everything started is
// stopped by pid. SWIM_BENCH_QUICK=1 shortens the false-positive phase to 60 s and uses 3 trials;
// SWIM_BENCH_TRIALS, SWIM_BENCH_SIZES and SWIM_BENCH_FP_MS override (bounded) for longer runs.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';

const QUICK = process.env.SWIM_BENCH_QUICK === '1';
/** Overrides for longer runs, each bounded: trials ≤ 30, sizes from {5, 16}, false-positive phase ≤ 300 s. */
const TRIALS = Math.min(30, Number(process.env.SWIM_BENCH_TRIALS ?? (QUICK ? 3 : 5)));
const FP_DURATION_MS = Math.min(300_000, Number(process.env.SWIM_BENCH_FP_MS ?? (QUICK ? 60_000 : 300_000)));
const FP_PERIOD_MS = 30_000;
const FP_STOP_MS = 3_000;
const BYTES_WINDOW_MS = 20_000;
const DETECTION_DEADLINE_MS = 60_000;
const SIZES = (process.env.SWIM_BENCH_SIZES ?? '5,16')
  .split(',')
  .map(Number)
  .filter((n) => n === 5 || n === 16);
const AGENT = fileURLToPath(new URL('../packages/swim/dist/cli/swim-agent.js', import.meta.url));

type Kind = 'ours' | 'serf';
interface Observation {
  atMs: number;
  observer: string;
  subject: string;
  kind: 'failed' | 'alive';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const children = new Set<ChildProcess>();

function ensureSerf(): boolean {
  try {
    execFileSync('serf', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log('serf not found: apt-get install -y serf');
    try {
      execFileSync('apt-get', ['install', '-y', 'serf'], { stdio: 'ignore', timeout: 180_000 });
      execFileSync('serf', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      console.log('could not install serf; serf columns will be null');
      return false;
    }
  }
}

class Member {
  proc: ChildProcess | undefined;
  startedAt = 0;
  constructor(
    readonly cluster: Cluster,
    readonly name: string,
    readonly port: number,
  ) {}

  start(join: number | undefined): void {
    const c = this.cluster;
    const args =
      c.kind === 'ours'
        ? [AGENT, 'run', '--name', this.name, '--bind', `127.0.0.1:${this.port}`, '--profile', 'lan']
        : [
            'agent',
            '-node',
            this.name,
            '-bind',
            `127.0.0.1:${this.port}`,
            '-rpc-addr',
            `127.0.0.1:${this.port + 1}`,
            '-profile',
            'lan',
            '-log-level',
            'info',
            '-config-file',
            c.serfConfigPath,
          ];
    if (join !== undefined) args.push(c.kind === 'ours' ? '--join' : '-join', `127.0.0.1:${join}`);
    const proc = spawn(c.kind === 'ours' ? process.execPath : 'serf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    let lastLine = '';
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      if (signal === null && code !== 0) console.log(`${this.name} exited with ${code}: ${lastLine}`);
    });
    this.proc = proc;
    this.startedAt = Date.now();
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        lastLine = buffer.slice(0, newline);
        c.parse(this, lastLine);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
  }

  kill(signal: NodeJS.Signals): void {
    this.proc?.kill(signal);
  }
}

class Cluster {
  readonly members: Member[] = [];
  readonly observations: Observation[] = [];
  readonly serfConfigPath: string;
  private statsd: Socket | undefined;
  private serfBytes = 0;
  readyLines = new Set<string>();

  constructor(
    readonly kind: Kind,
    readonly n: number,
    readonly basePort: number,
  ) {
    for (let i = 0; i < n; i++) this.members.push(new Member(this, `${kind[0]}${n}-${i}`, basePort + 10 * i));
    this.serfConfigPath = `/tmp/hyperscale-bench-serf-${basePort}.json`;
  }

  parse(member: Member, line: string): void {
    const now = Date.now();
    if (this.kind === 'ours') {
      if (!line.startsWith('{')) return;
      try {
        const e = JSON.parse(line) as { event: string; node: string };
        if (e.event === 'agent-start') this.readyLines.add(member.name);
        if (e.event === 'member-dead')
          this.observations.push({ atMs: now, observer: member.name, subject: e.node, kind: 'failed' });
        if (e.event === 'member-join' || e.event === 'member-alive')
          this.observations.push({ atMs: now, observer: member.name, subject: e.node, kind: 'alive' });
      } catch {
        // not an event line
      }
      return;
    }
    if (line.includes('Serf agent running')) this.readyLines.add(member.name);
    const failed = /EventMemberFailed: (\S+)/.exec(line);
    if (failed) this.observations.push({ atMs: now, observer: member.name, subject: failed[1]!, kind: 'failed' });
    const joined = /EventMemberJoin: (\S+)/.exec(line);
    if (joined && joined[1] !== member.name)
      this.observations.push({ atMs: now, observer: member.name, subject: joined[1]!, kind: 'alive' });
  }

  async start(): Promise<void> {
    if (this.kind === 'serf') await this.startStatsd();
    const [seed, ...rest] = this.members;
    seed!.start(undefined);
    await waitUntil(() => this.readyLines.has(seed!.name), 10_000);
    for (const m of rest) m.start(seed!.port);
  }

  private startStatsd(): Promise<void> {
    writeFileSync(this.serfConfigPath, JSON.stringify({ statsd_addr: `127.0.0.1:${this.basePort + 999}` }));
    const socket = createSocket('udp4');
    this.statsd = socket;
    socket.on('message', (msg) => {
      for (const line of msg.toString('utf8').split('\n')) {
        const m = /memberlist\.(udp|tcp)\.sent:([\d.]+)\|c/.exec(line);
        if (m) this.serfBytes += Number(m[2]);
      }
    });
    return new Promise((resolve) => socket.bind(this.basePort + 999, '127.0.0.1', () => resolve()));
  }

  /** Every running member has seen every other as alive since `sinceMs`. */
  convergedSince(sinceMs: number, subjects = this.members): boolean {
    return this.members.every((observer) =>
      subjects.every(
        (s) =>
          s === observer ||
          this.observations.some(
            (o) => o.observer === observer.name && o.subject === s.name && o.kind === 'alive' && o.atMs >= sinceMs,
          ),
      ),
    );
  }

  async totalBytes(): Promise<number> {
    if (this.kind === 'serf') return this.serfBytes;
    let total = 0;
    for (const m of this.members) {
      const reply = await rpc(m.port + 1, { op: 'stats' });
      const stats = (reply as { stats?: { bytesOut: number; streamBytesOut: number } }).stats;
      total += (stats?.bytesOut ?? 0) + (stats?.streamBytesOut ?? 0);
    }
    return total;
  }

  stop(): void {
    for (const m of this.members) m.kill('SIGKILL');
    this.statsd?.close();
  }
}

function rpc(port: number, request: object): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(`${JSON.stringify(request)}\n`));
    let data = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (c) => {
      data += c.toString('utf8');
    });
    socket.on('close', () => {
      try {
        resolve(JSON.parse(data));
      } catch {
        resolve({});
      }
    });
    socket.on('error', () => resolve({}));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await sleep(stepMs);
  }
  return condition();
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface DetectionResult {
  trialsMs: (number | null)[];
  medianMs: number | null;
  maxMs: number | null;
  undetected: number;
}

/** One trial on one cluster: kill, wait for every survivor's report, restart, wait until rejoined. */
async function detectionTrial(cluster: Cluster, victimIndex: number): Promise<number | null> {
  const victim = cluster.members[victimIndex]!;
  const survivors = cluster.members.filter((m) => m !== victim);
  const killedAt = Date.now();
  victim.kill('SIGKILL');
  const reported = (s: Member) =>
    cluster.observations.find(
      (o) => o.observer === s.name && o.subject === victim.name && o.kind === 'failed' && o.atMs >= killedAt,
    );
  const all = await waitUntil(() => survivors.every((s) => reported(s) !== undefined), DETECTION_DEADLINE_MS);
  const result = all ? Math.max(...survivors.map((s) => reported(s)!.atMs)) - killedAt : null;
  if (all) {
    const times = survivors
      .map((s) => ({ name: s.name, ms: reported(s)!.atMs - killedAt }))
      .sort((a, b) => a.ms - b.ms);
    const first = times[0]!;
    const last = times[times.length - 1]!;
    if (last.ms - first.ms > 2000)
      console.log(`  ${cluster.kind}: first report ${first.name} ${first.ms} ms, last ${last.name} ${last.ms} ms`);
  }
  await sleep(500);
  const restartedAt = Date.now();
  victim.start(cluster.members[0]!.port);
  await waitUntil(
    () =>
      survivors.every((s) =>
        cluster.observations.some(
          (o) => o.observer === s.name && o.subject === victim.name && o.kind === 'alive' && o.atMs >= restartedAt,
        ),
      ),
    30_000,
  );
  await sleep(2000);
  return result;
}

async function main(): Promise<void> {
  const serfAvailable = ensureSerf();
  const kinds: Kind[] = serfAvailable ? ['ours', 'serf'] : ['ours'];
  const clusters: Cluster[] = [];
  const results: Record<string, Record<string, unknown>> = {};
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  for (const [sizeIndex, n] of SIZES.entries()) {
    // Below 32768: the kernel's ephemeral range starts there, and outgoing connections could take a port.
    const pair = kinds.map((kind, k) => new Cluster(kind, n, 21_000 + sizeIndex * 2000 + k * 1000));
    clusters.push(...pair);
    const startedAt = Date.now();
    await Promise.all(pair.map((c) => c.start()));
    for (const c of pair) {
      const ok = await waitUntil(() => c.convergedSince(startedAt), 60_000, 200);
      console.log(`N=${n} ${c.kind}: ${ok ? 'converged' : 'NOT converged'} in ${Date.now() - startedAt} ms`);
    }
    await sleep(5000);
    // 1. bytes
    const before = await Promise.all(pair.map((c) => c.totalBytes()));
    const t0 = Date.now();
    await sleep(BYTES_WINDOW_MS);
    const after = await Promise.all(pair.map((c) => c.totalBytes()));
    const seconds = (Date.now() - t0) / 1000;
    const bytes = pair.map((c, i) => (after[i]! - before[i]!) / seconds / c.n);
    for (const [i, c] of pair.entries()) console.log(`N=${n} ${c.kind}: ${bytes[i]!.toFixed(0)} B/s per member`);
    // 2. detection, both implementations at once
    const trials: (number | null)[][] = pair.map(() => []);
    for (let t = 0; t < TRIALS; t++) {
      const victim = 1 + (t % (n - 1));
      const outcomes = await Promise.all(pair.map((c) => detectionTrial(c, victim)));
      for (const [i, ms] of outcomes.entries()) trials[i]!.push(ms);
      console.log(
        `N=${n} trial ${t + 1}: ${pair.map((c, i) => `${c.kind} ${outcomes[i] ?? 'undetected'} ms`).join(', ')}`,
      );
    }
    pair.forEach((c, i) => {
      // An undetected trial counts as the 60 s deadline, so it can only make our figure worse.
      const counted = trials[i]!.map((x) => x ?? DETECTION_DEADLINE_MS);
      const detection: DetectionResult = {
        trialsMs: trials[i]!,
        medianMs: median(counted),
        maxMs: counted.length > 0 ? Math.max(...counted) : null,
        undetected: trials[i]!.filter((x) => x === null).length,
      };
      results[`n${n}`] ??= {};
      results[`n${n}`]![c.kind] = { detection, bytesPerMemberPerSec: Math.round(bytes[i]!) };
    });
  }

  // 3. false positives, all clusters at once
  console.log(`false-positive phase: ${FP_DURATION_MS / 1000} s, SIGSTOP 3 s every 30 s`);
  const fpStart = Date.now();
  const paused = clusters.map((c) => c.members[c.n - 1]!);
  while (Date.now() - fpStart < FP_DURATION_MS) {
    const cycle = Date.now();
    for (const m of paused) m.kill('SIGSTOP');
    await sleep(FP_STOP_MS);
    for (const m of paused) m.kill('SIGCONT');
    await sleep(Math.max(0, FP_PERIOD_MS - (Date.now() - cycle)));
  }
  await sleep(15_000); // let any late suspicion expire
  for (const [i, c] of clusters.entries()) {
    const victim = paused[i]!;
    const falseFailures = c.observations.filter(
      (o) => o.kind === 'failed' && o.subject === victim.name && o.atMs >= fpStart,
    );
    const otherFailures = c.observations.filter(
      (o) => o.kind === 'failed' && o.subject !== victim.name && o.atMs >= fpStart,
    );
    const entry = results[`n${c.n}`]![c.kind] as Record<string, unknown>;
    entry.falsePositiveReports = falseFailures.length;
    entry.falsePositive = falseFailures.length > 0 || otherFailures.length > 0;
    console.log(
      `N=${c.n} ${c.kind}: paused member reported failed ${falseFailures.length} times, others ${otherFailures.length}`,
    );
  }
  for (const c of clusters) c.stop();

  const goals: Record<string, boolean | null> = {};
  for (const n of SIZES) {
    const ours = results[`n${n}`]?.ours as {
      detection: DetectionResult;
      bytesPerMemberPerSec: number;
      falsePositive: boolean;
    };
    const serf = results[`n${n}`]?.serf as typeof ours | undefined;
    if (serf === undefined) continue;
    goals[`n${n}_median_detection_le_serf`] =
      ours.detection.medianMs === null || serf.detection.medianMs === null
        ? null
        : ours.detection.medianMs <= serf.detection.medianMs;
    goals[`n${n}_no_false_positive_where_serf_has_none`] = serf.falsePositive || !ours.falsePositive;
    goals[`n${n}_bytes_le_1_2x_serf`] = ours.bytesPerMemberPerSec <= 1.2 * serf.bytesPerMemberPerSec;
  }
  console.log(
    JSON.stringify({
      bench: 'swim',
      quick: QUICK,
      trials: TRIALS,
      sizes: SIZES,
      fpDurationMs: FP_DURATION_MS,
      results,
      goals,
    }),
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
