#!/usr/bin/env -S node --max-semi-space-size=8
// manager-svc composition root: settings → logger → job table → gRPC server → gate link →
// background loops → admin HTTP → graceful shutdown. Business rules live in packages.
import { randomBytes } from 'node:crypto';
import { ALL_PRIORITIES, priorityLabel, signalToProto } from '@hyperscale/backpressure';
import { ResourceSampler, registerBackpressureMetrics } from '@hyperscale/backpressure/shell';
import { ManagerService, serviceDefinition, serviceImplementation } from '@hyperscale/protocol';
import {
  BackgroundTasks,
  createLogger,
  createMetricsRegistry,
  installProcessGuards,
  installShutdown,
  loadSettingsOrExit,
  registerCounterSnapshot,
  sleep,
  startAdminServer,
  startGrpcServer,
  systemClock,
  warnWithoutNodeArgs,
} from '@hyperscale/runtime';
import { GateLink } from './gate-link.js';
import { ManagerBackpressure } from './manager-backpressure.js';
import { managerHandlers } from './manager-handlers.js';
import { ManagerJobs } from './manager-jobs.js';
import { ManagerMembership } from './membership.js';
import { managerSettings } from './settings.js';
import { managerTimeoutConfig } from './timeout-settings.js';

async function main(): Promise<void> {
  const settings = loadSettingsOrExit(managerSettings, 'manager-svc');
  const logger = createLogger({ service: 'manager-svc', nodeId: settings.nodeId, level: settings.logLevel });
  installProcessGuards({ logger });
  warnWithoutNodeArgs(new URL('../package.json', import.meta.url), logger);
  const registry = createMetricsRegistry({ service: 'manager-svc', nodeId: settings.nodeId });

  // The advertised address is known once the port is bound; handlers read it through `identity`.
  const identity = {
    managerId: settings.nodeId,
    instanceId: randomBytes(8).toString('hex'),
    datacenter: settings.datacenter,
    address: '',
  };
  // Refused calls still prove a worker is alive: a shed heartbeat or progress report must not
  // make the storm look like worker loss. `jobs` is built below; refusals only start after.
  let touchWorker: (workerId: string) => void = () => {};
  const backpressure = new ManagerBackpressure({
    clock: systemClock,
    enabled: settings.backpressure,
    statsBuffer: { hotCapacity: settings.statsBufferCapacity },
    latencyFloorMs: settings.overloadLatencyFloor,
    saturationThreshold: settings.saturationThreshold,
    saturationWindowMs: settings.saturationWindow,
    saturationHoldMs: settings.saturationHold,
    onRefused: (_path, message) => {
      const workerId = (message as { workerId?: unknown } | undefined)?.workerId;
      if (typeof workerId === 'string' && workerId !== '') touchWorker(workerId);
    },
  });
  const gateLink = new GateLink({
    gates: settings.gates,
    identity,
    clusterId: settings.clusterId,
    environmentId: settings.environmentId,
    logger: logger.child({ component: 'gate-link' }),
    clock: systemClock,
    backpressure: () => signalToProto(backpressure.signal()),
  });
  const jobs = new ManagerJobs({
    identity,
    clock: systemClock,
    logger: logger.child({ component: 'jobs' }),
    workerTimeoutMs: settings.workerTimeout,
    maxActiveJobs: settings.maxActiveJobs,
    jobRetentionMs: settings.jobRetention,
    gateReporting: gateLink,
    timeoutConfig: managerTimeoutConfig(settings),
  });
  gateLink.attach(jobs);
  registerCounterSnapshot(registry, 'hyperscale_timeout_manager', 'AD-34/AD-26 manager timeouts', () =>
    jobs.timeouts.metrics(),
  );
  // SWIM pools before gRPC: a worker or gate registering is introduced to a pool that exists.
  identity.address = settings.advertiseAddress ?? `${settings.grpcHost}:${settings.grpcPort}`;
  const membership = await ManagerMembership.join(settings, identity, jobs, logger.child({ component: 'membership' }));
  gateLink.useMembership(membership);
  touchWorker = (workerId) => {
    jobs.pool.touch(workerId);
  };
  registerBackpressureMetrics(registry, 'manager', {
    backpressure_level: () => backpressure.signal().level,
    requests_shed_total: () =>
      ALL_PRIORITIES.map((p) => [{ priority: priorityLabel(p) }, backpressure.shedder.shedCount(p)]),
    requests_in_flight: () =>
      ALL_PRIORITIES.map((p) => [{ priority: priorityLabel(p) }, backpressure.inFlight.inFlight(p)]),
    in_flight_rejected_total: () =>
      ALL_PRIORITIES.map((p) => [{ priority: priorityLabel(p) }, backpressure.inFlight.refusedCount(p)]),
    overload_state: () => backpressure.detector.state,
    stats_records_dropped_total: () => backpressure.stats.rejectedCount,
  });

  const grpc = await startGrpcServer({
    host: settings.grpcHost,
    port: settings.grpcPort,
    logger,
    interceptors: [backpressure.interceptor()],
    services: [
      {
        definition: serviceDefinition(ManagerService),
        implementation: serviceImplementation(
          ManagerService,
          managerHandlers({
            jobs,
            managerId: settings.nodeId,
            instanceId: identity.instanceId,
            clusterId: settings.clusterId,
            environmentId: settings.environmentId,
            heartbeatIntervalMs: Math.max(100, Math.floor(settings.workerTimeout / 3)),
            backpressure,
            membership,
          }),
          { onUnexpectedError: (method, error) => logger.error({ err: error, method }, 'handler failed') },
        ),
      },
    ],
  });
  identity.address = settings.advertiseAddress ?? `${settings.grpcHost}:${grpc.port}`;
  membership.advertiseGrpc(identity.address);

  const tasks = new BackgroundTasks({ logger: logger.child({ component: 'tasks' }) });
  tasks.every('jobs tick', settings.tickInterval, () => jobs.tick());
  tasks.every('stats aggregation', settings.statsAggregateInterval, () => {
    backpressure.aggregate();
  });
  const sampler = new ResourceSampler();
  tasks.every('overload sampling', settings.overloadSampleInterval, () => {
    backpressure.sample(sampler.read());
  });
  tasks.every('progress push', settings.progressInterval, () => jobs.pushProgress());
  tasks.every('gate result outbox', 1_000, () => gateLink.flushOutbox());
  for (const gate of settings.gates) {
    let failures = 0;
    tasks.every(
      `report to ${gate}`,
      settings.reportInterval,
      async () => {
        try {
          await gateLink.report(gate);
          failures = 0;
        } catch (error) {
          if (failures++ % 10 === 0) logger.warn({ err: error, gate }, 'gate unreachable');
        }
      },
      { runImmediately: true },
    );
  }

  const admin = await startAdminServer({
    host: settings.adminHost,
    port: settings.adminPort,
    logger,
    registry,
    isReady: () => {
      if (settings.gates.length > 0 && gateLink.registeredGates.length === 0) {
        return { ready: false, reason: 'not registered with any gate yet' };
      }
      if (jobs.pool.list().length === 0) return { ready: false, reason: 'no worker registered yet' };
      return { ready: true };
    },
    jsonRoutes: { '/membership': () => membership.pools() },
    debugState: () => ({
      identity,
      gates: settings.gates.map((g) => ({ address: g, registered: gateLink.registeredGates.includes(g) })),
      pendingGateResults: gateLink.pendingResults(),
      backpressure: backpressure.debugState(),
      gateProgressHeld: gateLink.progressHeld,
      membership: membership.pools(),
      ...(jobs.debugState() as object),
    }),
  });

  installShutdown({
    logger,
    steps: [
      { name: 'stop gRPC', run: () => grpc.tryShutdown(5_000), timeoutMs: 6_000 },
      { name: 'leave SWIM pools', run: () => membership.leave(), timeoutMs: 3_000 },
      {
        name: 'deliver final results to gates',
        run: async () => {
          for (let i = 0; i < 50 && gateLink.pendingResults() > 0; i++) await sleep(100);
        },
        timeoutMs: 6_000,
      },
      {
        name: 'stop background tasks',
        run: async () => {
          await tasks.stopAll();
          sampler.stop();
        },
        timeoutMs: 5_000,
      },
      { name: 'close admin server', run: () => admin.close(), timeoutMs: 2_000 },
      {
        name: 'close clients',
        run: async () => {
          jobs.close();
          gateLink.close();
        },
        timeoutMs: 1_000,
      },
    ],
  });
  logger.info(
    {
      grpc: identity.address,
      admin: `${admin.address.host}:${admin.address.port}`,
      datacenter: settings.datacenter,
      gates: settings.gates,
    },
    'manager ready',
  );
}

main().catch((error: unknown) => {
  console.error(`manager-svc: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
