#!/usr/bin/env node
// The `hyperscale` command line: run a job and print its summary, inspect and cancel jobs, list
// datacenters, start a local cluster, or serve the built-in HTTP target.
import { readFileSync } from 'node:fs';
import { JobSpecError, parseJobSpec } from '@hyperscale/loadgen';
import { grpcCodeOf } from '@hyperscale/protocol';
import { jobStatusName } from '@hyperscale/wire';
import { LocalCluster } from '../local-cluster.js';
import { fetchPools, renderPools } from '../members.js';
import { ProgressView } from '../progress-view.js';
import { followJob, runJob } from '../run-job.js';
import { HyperscaleClient } from '../sdk.js';
import { EXIT_JOB_FAILED, EXIT_USAGE, exitCodeOf, renderSummary } from '../summary.js';
import { startTargetServer } from '../target-server.js';
import { parseTopology, TopologyError } from '../topology.js';
import { parseArgs, UsageError } from './args.js';

const USAGE = `usage:
  hyperscale run JOB.yaml [--gate HOST:PORT | --manager HOST:PORT] [--json] [--quiet]
  hyperscale status JOB_ID [--gate HOST:PORT | --manager HOST:PORT] [--json]
  hyperscale cancel JOB_ID [--gate HOST:PORT | --manager HOST:PORT] [--reason TEXT]
  hyperscale datacenters [--gate HOST:PORT] [--json]
  hyperscale members --admin HOST:PORT [--pool datacenter|global] [--json]
  hyperscale cluster up --topology FILE [--log-dir DIR]
  hyperscale target [--port N]

exit codes: 0 success, 99 thresholds failed, 1 job failed/timed out/cancelled, 2 usage or spec error
the gate defaults to $HYPERSCALE_GATE or 127.0.0.1:7100`;

function clientFor(flags: Record<string, string | boolean>): HyperscaleClient {
  if (typeof flags['manager'] === 'string') return new HyperscaleClient(flags['manager'], { target: 'manager' });
  const gate = typeof flags['gate'] === 'string' ? flags['gate'] : (process.env['HYPERSCALE_GATE'] ?? '127.0.0.1:7100');
  return new HyperscaleClient(gate);
}

const json = (value: unknown): string =>
  JSON.stringify(
    value,
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v),
    2,
  );

async function run(file: string, flags: Record<string, string | boolean>): Promise<number> {
  const spec = parseJobSpec(readFileSync(file, 'utf8'), file.endsWith('.json') ? 'json' : 'yaml');
  const client = clientFor(flags);
  const view = flags['quiet'] || flags['json'] ? undefined : new ProgressView(process.stderr);
  const abort = new AbortController();
  let jobId: string | undefined;
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1 || jobId === undefined) process.exit(130);
    process.stderr.write(`\ncancelling ${jobId} (Ctrl-C again to quit without waiting)\n`);
    void client.cancel(jobId, 'interrupted from the CLI').catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { result } = await runJob(client, spec, {
      signal: abort.signal,
      onSubmitted: (id, dcs) => {
        jobId = id;
        if (!flags['json']) process.stderr.write(`submitted ${id} to ${dcs.join(', ') || 'the gate'}\n`);
      },
      ...(view ? { onUpdate: (u) => view.update(u) } : {}),
    });
    view?.finish();
    if (flags['json']) process.stdout.write(`${json({ jobId, result })}\n`);
    else process.stdout.write(`${renderSummary(jobId ?? '', result)}\n`);
    return exitCodeOf(result);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client.close();
  }
}

async function status(jobId: string, flags: Record<string, string | boolean>): Promise<number> {
  const client = clientFor(flags);
  try {
    const info = await client.get(jobId);
    if (flags['json']) process.stdout.write(`${json(info)}\n`);
    else if (info.result) process.stdout.write(`${renderSummary(jobId, info.result)}\n`);
    else
      process.stdout.write(
        `job ${jobId}: ${jobStatusName(info.status)} (datacenters: ${info.datacenters.join(', ')})\n`,
      );
    return 0;
  } finally {
    client.close();
  }
}

async function cancel(jobId: string, flags: Record<string, string | boolean>): Promise<number> {
  const client = clientFor(flags);
  try {
    const reason = typeof flags['reason'] === 'string' ? flags['reason'] : 'cancelled from the CLI';
    const outcome = await client.cancel(jobId, reason);
    if (outcome.alreadyTerminal) {
      process.stdout.write(`job ${jobId} had already finished: ${jobStatusName(outcome.status)}\n`);
      return 0;
    }
    const result = await followJob(client, jobId);
    process.stdout.write(`job ${jobId}: ${jobStatusName(result.status)}\n`);
    return 0;
  } finally {
    client.close();
  }
}

async function datacenters(flags: Record<string, string | boolean>): Promise<number> {
  const client = clientFor(flags);
  try {
    const list = await client.datacenters();
    if (flags['json']) {
      process.stdout.write(`${json(list)}\n`);
      return 0;
    }
    const rows = list.map((d) => [
      d.name,
      ['?', 'HEALTHY', 'BUSY', 'DEGRADED', 'UNHEALTHY'][d.health] ?? '?',
      `${d.availableCores}/${d.totalCores}`,
      String(d.workerCount),
      String(d.managerCount),
      d.rttUcbMs > 0 ? d.rttUcbMs.toFixed(1) : '-',
      d.loadFactor.toFixed(2),
      d.coordinateQuality.toFixed(2),
      d.score.toFixed(1),
      d.isPrimary ? 'yes' : '',
    ]);
    const header = [
      'datacenter',
      'health',
      'cores free',
      'workers',
      'managers',
      'rtt ucb ms',
      'load',
      'quality',
      'score',
      'primary',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [header, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
    return 0;
  } finally {
    client.close();
  }
}

async function members(flags: Record<string, string | boolean>): Promise<number> {
  const admin = flags['admin'];
  if (typeof admin !== 'string') throw new UsageError("members needs --admin HOST:PORT (a node's admin address)");
  const pool = typeof flags['pool'] === 'string' ? flags['pool'] : undefined;
  if (pool !== undefined && pool !== 'datacenter' && pool !== 'global')
    throw new UsageError('--pool is datacenter or global');
  const pools = await fetchPools(admin);
  if (flags['json']) process.stdout.write(`${json(pool ? pools.filter((p) => p.pool === pool) : pools)}\n`);
  else process.stdout.write(`${renderPools(pools, pool)}\n`);
  return 0;
}

async function clusterUp(flags: Record<string, string | boolean>): Promise<number> {
  const file = flags['topology'];
  if (typeof file !== 'string') throw new UsageError('cluster up needs --topology FILE');
  const topology = parseTopology(readFileSync(file, 'utf8'));
  const target = topology.targetPort
    ? await startTargetServer({ port: topology.targetPort, host: topology.host })
    : undefined;
  const cluster = await LocalCluster.start(topology, {
    ...(typeof flags['log-dir'] === 'string' ? { logDir: flags['log-dir'] } : {}),
  });
  process.stdout.write(
    `cluster up: ${cluster.nodes().length} processes, entry ${cluster.entryAddress()}${target ? `, target ${target.url}` : ''}\nlogs in ${cluster.logDir}; Ctrl-C stops everything\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('stopping the cluster…\n');
  await cluster.stop();
  await target?.close();
  return 0;
}

async function target(flags: Record<string, string | boolean>): Promise<number> {
  const port = typeof flags['port'] === 'string' ? Number(flags['port']) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be 0..65535');
  const server = await startTargetServer({ port });
  process.stdout.write(`target listening on ${server.url}; GET /__hyperscale/count for the request count\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['json', 'quiet', 'help']);
  const [command, ...rest] = positional;
  if (!command || flags['help']) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : EXIT_USAGE;
  }
  switch (command) {
    case 'run':
      if (!rest[0]) throw new UsageError('run needs a job file');
      return run(rest[0], flags);
    case 'status':
      if (!rest[0]) throw new UsageError('status needs a job id');
      return status(rest[0], flags);
    case 'cancel':
      if (!rest[0]) throw new UsageError('cancel needs a job id');
      return cancel(rest[0], flags);
    case 'datacenters':
      return datacenters(flags);
    case 'members':
      return members(flags);
    case 'cluster':
      if (rest[0] !== 'up') throw new UsageError('the cluster command is `cluster up --topology FILE`');
      return clusterUp(flags);
    case 'target':
      return target(flags);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`hyperscale: ${error.message}\n\n${USAGE}\n`);
    else if (error instanceof JobSpecError || error instanceof TopologyError)
      process.stderr.write(`hyperscale: ${error.message}\n`);
    else if (grpcCodeOf(error) !== undefined) {
      const e = error as { code: number; details?: string };
      process.stderr.write(`hyperscale: the server answered ${e.code}: ${e.details ?? String(error)}\n`);
      process.exit(e.code === 3 || e.code === 5 ? EXIT_USAGE : EXIT_JOB_FAILED);
    } else process.stderr.write(`hyperscale: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(
      error instanceof UsageError || error instanceof JobSpecError || error instanceof TopologyError
        ? EXIT_USAGE
        : EXIT_JOB_FAILED,
    );
  },
);
