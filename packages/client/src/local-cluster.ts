// Runs a topology on this host: every gate, manager and worker a real process on loopback, each
// with its own log file, readiness from its admin endpoint, and a clean stop (SIGTERM, then
// SIGKILL for anything still alive after the grace period). Used by `hyperscale cluster up`,
// `npm start` and the end-to-end tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeArgs, sleep, splitHostPort } from '@hyperscale/runtime';
import { HyperscaleClient } from './sdk.js';
import type { Topology } from './topology.js';

export type NodeRole = 'gate' | 'manager' | 'worker';

export interface ClusterNode {
  id: string;
  role: NodeRole;
  datacenter: string | undefined;
  grpcAddress: string;
  adminUrl: string;
  logFile: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

export interface LocalClusterOptions {
  /** Where node logs go (default: a new temporary directory). */
  logDir?: string;
  /** Extra environment for every node. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Directory holding `<role>-svc/dist/main.js` (default: this repository's services/). */
  servicesDir?: string;
}

function defaultServicesDir(): string {
  const fromEnv = process.env['HYPERSCALE_SERVICES_DIR'];
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL('../../../services/', import.meta.url));
}

export class LocalCluster {
  private readonly all: ClusterNode[] = [];
  /** How to start each node again in place (`restart`). */
  private readonly relaunchers = new Map<string, (env: Record<string, string>) => void>();
  readonly logDir: string;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly topology: Topology,
    private readonly options: LocalClusterOptions,
  ) {
    this.logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'hyperscale-cluster-'));
    mkdirSync(this.logDir, { recursive: true });
  }

  /** Starts every node and waits until the gate (or each manager) sees the whole topology. */
  static async start(topology: Topology, options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const cluster = new LocalCluster(topology, options);
    try {
      cluster.launchAll();
      await cluster.waitReady(options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await cluster.stop(2_000);
      throw error;
    }
    return cluster;
  }

  nodes(): readonly ClusterNode[] {
    return this.all;
  }

  node(id: string): ClusterNode {
    const node = this.all.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} in the cluster`);
    return node;
  }

  /** The first gate's gRPC address, or the first manager's in a gateless topology. */
  entryAddress(): string {
    const entry = this.all.find((n) => n.role === 'gate') ?? this.all.find((n) => n.role === 'manager');
    if (!entry) throw new Error('the topology has no gate and no manager');
    return entry.grpcAddress;
  }

  /** Sends a signal to one node and, for SIGKILL/SIGTERM, waits for it to exit. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.node(id);
    node.process.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await node.exited;
  }

  /**
   * Kills a node (SIGKILL) and starts it again in place — same id, settings and ports, its SWIM
   * ports included, as Kubernetes restarts a crashed container in its pod — then waits until it is
   * ready and the gate sees the topology. Its log file goes on after the first run's.
   */
  async restart(id: string, readyTimeoutMs = 30_000): Promise<ClusterNode> {
    const relaunch = this.relaunchers.get(id);
    if (!relaunch) throw new Error(`no node ${id} in the cluster`);
    const swimPorts = await this.swimPortsOf(this.node(id));
    await this.kill(id, 'SIGKILL');
    this.all.splice(this.all.indexOf(this.node(id)), 1);
    relaunch(swimPorts);
    const node = this.node(id);
    await this.waitReady(readyTimeoutMs, [node]);
    return node;
  }

  /** The SWIM ports a node bound (its pools chose them: the cluster starts them on port 0), as settings. */
  private async swimPortsOf(node: ClusterNode): Promise<Record<string, string>> {
    const pools = (await (await fetch(`${node.adminUrl}/membership`)).json()) as {
      pool: string;
      self: { addr: string };
    }[];
    const setting: Record<string, string> = {
      datacenter: 'HYPERSCALE_SWIM_PORT',
      global: 'HYPERSCALE_GLOBAL_SWIM_PORT',
    };
    const ports: Record<string, string> = {};
    for (const { pool, self } of pools) {
      const key = setting[pool];
      if (key) ports[key] = String(splitHostPort(self.addr).port);
    }
    return ports;
  }

  /** Stops every node: workers, then managers, then gates; SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs = 15_000): Promise<void> {
    this.stopping ??= (async () => {
      for (const role of ['worker', 'manager', 'gate'] as const) {
        const group = this.all.filter(
          (n) => n.role === role && n.process.exitCode === null && n.process.signalCode === null,
        );
        for (const n of group) n.process.kill('SIGTERM');
        await Promise.race([Promise.all(group.map((n) => n.exited)), sleep(graceMs)]);
        for (const n of group)
          if (n.process.exitCode === null && n.process.signalCode === null) n.process.kill('SIGKILL');
        await Promise.all(group.map((n) => n.exited));
      }
    })();
    return this.stopping;
  }

  private launchAll(): void {
    const t = this.topology;
    const gateAddresses = t.gates.map((g) => `${t.host}:${g.grpcPort}`);
    for (const gate of t.gates) this.launch('gate', gate.id, undefined, gate.grpcPort, gate.adminPort, { ...gate.env });
    for (const dc of t.datacenters) {
      const managerAddresses = dc.managers.map((m) => `${t.host}:${m.grpcPort}`);
      for (const m of dc.managers) {
        this.launch('manager', m.id, dc.name, m.grpcPort, m.adminPort, {
          HYPERSCALE_GATES: gateAddresses.join(','),
          ...m.env,
        });
      }
      for (const w of dc.workers) {
        this.launch('worker', w.id, dc.name, w.grpcPort, w.adminPort, {
          HYPERSCALE_MANAGERS: managerAddresses.join(','),
          HYPERSCALE_WORKER_CORES: String(w.cores),
          ...w.env,
        });
      }
    }
  }

  private launch(
    role: NodeRole,
    id: string,
    datacenter: string | undefined,
    grpcPort: number,
    adminPort: number,
    env: Record<string, string>,
  ): void {
    const service = join(this.options.servicesDir ?? defaultServicesDir(), `${role}-svc`);
    const entry = join(service, 'dist', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} does not exist: build the workspace first (pnpm build)`);
    const logFile = join(this.logDir, `${id}.log`);
    // appended: a restarted node's log follows its first run's
    const log = createWriteStream(logFile, { flags: 'a' });
    this.relaunchers.set(id, (extra) => this.launch(role, id, datacenter, grpcPort, adminPort, { ...env, ...extra }));
    const host = this.topology.host;
    const child = spawn(process.execPath, [...serviceNodeArgs(join(service, 'package.json')), entry], {
      env: {
        ...process.env,
        // SWIM pools on free ports (registration tells peers where), LAN timing for both pools:
        // on one host WAN timing only slows coordinates down. A topology's env may override.
        HYPERSCALE_SWIM_PORT: '0',
        HYPERSCALE_GLOBAL_SWIM_PORT: '0',
        HYPERSCALE_GLOBAL_SWIM_PROFILE: 'lan',
        ...this.topology.env,
        ...this.options.env,
        ...env,
        HYPERSCALE_NODE_ID: id,
        ...(datacenter ? { HYPERSCALE_DATACENTER: datacenter } : {}),
        HYPERSCALE_GRPC_HOST: host,
        HYPERSCALE_GRPC_PORT: String(grpcPort),
        HYPERSCALE_ADMIN_HOST: host,
        HYPERSCALE_ADMIN_PORT: String(adminPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        log.end();
        resolve(code);
      });
    });
    this.all.push({
      id,
      role,
      datacenter,
      grpcAddress: `${host}:${grpcPort}`,
      adminUrl: `http://${host}:${adminPort}`,
      logFile,
      process: child,
      exited,
    });
  }

  /** Waits until `nodes` (default: all) answer /readyz, then until the gate sees the whole topology. */
  private async waitReady(timeoutMs: number, nodes: readonly ClusterNode[] = this.all): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(nodes);
    while (pending.size > 0) {
      for (const node of pending) {
        if (node.process.exitCode !== null) {
          throw new Error(
            `${node.role} ${node.id} exited with code ${node.process.exitCode} while starting; see ${node.logFile}`,
          );
        }
        const ready = await fetch(`${node.adminUrl}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) pending.delete(node);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `not ready after ${timeoutMs} ms: ${[...pending].map((n) => n.id).join(', ')} (logs in ${this.logDir})`,
        );
      }
      await sleep(100);
    }
    if (this.topology.gates.length > 0) await this.waitGateSeesTopology(deadline);
  }

  /** The gate knows every datacenter with all of its workers' cores. */
  private async waitGateSeesTopology(deadline: number): Promise<void> {
    const client = new HyperscaleClient(this.entryAddress(), { deadlineMs: 2_000 });
    try {
      for (;;) {
        const seen = await client.datacenters().catch(() => []);
        const complete = this.topology.datacenters.every((dc) => {
          const info = seen.find((s) => s.name === dc.name);
          const cores = dc.workers.reduce((n, w) => n + w.cores, 0);
          return info !== undefined && info.totalCores >= cores && info.workerCount >= dc.workers.length;
        });
        if (complete) return;
        if (Date.now() > deadline)
          throw new Error(`the gate does not see the whole topology yet (logs in ${this.logDir})`);
        await sleep(100);
      }
    } finally {
      client.close();
    }
  }
}
