#!/usr/bin/env node
// gate-svc composition root: settings → logger → datacenter registry → router → job table →
// gRPC servers → background loops → admin HTTP → graceful shutdown. Rules live in packages.
import { ALL_PRIORITIES, priorityLabel } from '@hyperscale/backpressure';
import { ResourceSampler, registerBackpressureMetrics } from '@hyperscale/backpressure/shell';
import { GateControlService, GateService, serviceDefinition, serviceImplementation } from '@hyperscale/protocol';
import { GateJobRouter } from '@hyperscale/routing';
import {
  BackgroundTasks,
  createLogger,
  createMetricsRegistry,
  installProcessGuards,
  installShutdown,
  loadSettingsOrExit,
  registerCounterSnapshot,
  startAdminServer,
  startGrpcServer,
  systemClock,
  warnWithoutNodeArgs,
} from '@hyperscale/runtime';
import { DatacenterRegistry } from './datacenter-registry.js';
import { GateBackpressure } from './gate-backpressure.js';
import { gateControlHandlers, gateServiceHandlers } from './gate-handlers.js';
import { GateJobs } from './gate-jobs.js';
import { GateMembership } from './membership.js';
import { registerRoutingMetrics } from './routing-metrics.js';
import { gateSettings } from './settings.js';
import { gateTimeoutConfig } from './timeout-settings.js';

async function main(): Promise<void> {
  const settings = loadSettingsOrExit(gateSettings, 'gate-svc');
  const logger = createLogger({ service: 'gate-svc', nodeId: settings.nodeId, level: settings.logLevel });
  installProcessGuards({ logger });
  warnWithoutNodeArgs(new URL('../package.json', import.meta.url), logger);
  const registry = createMetricsRegistry({ service: 'gate-svc', nodeId: settings.nodeId });

  const backpressure = new GateBackpressure({
    clock: systemClock,
    enabled: settings.backpressure,
    submitCapacity: settings.submitRateCapacity,
    submitRefillPerSecond: settings.submitRatePerSecond,
    latencyFloorMs: settings.overloadLatencyFloor,
  });
  registerBackpressureMetrics(registry, 'gate', {
    backpressure_level: () => backpressure.view.datacenters().map((dc) => [{ datacenter: dc.datacenter }, dc.level]),
    requests_shed_total: () =>
      ALL_PRIORITIES.map((p) => [{ priority: priorityLabel(p) }, backpressure.shedder.shedCount(p)]),
    requests_in_flight: () =>
      ALL_PRIORITIES.map((p) => [{ priority: priorityLabel(p) }, backpressure.inFlight.inFlight(p)]),
    in_flight_rejected_total: () =>
      ALL_PRIORITIES.map((p) => [{ priority: priorityLabel(p) }, backpressure.inFlight.refusedCount(p)]),
    overload_state: () => backpressure.detector.state,
    rate_limited_total: () => [[{ operation: 'job_submit' }, backpressure.rateLimiter.limitedCount('job_submit')]],
    progress_forwards_throttled_total: () => [
      [{ decision: 'held' }, backpressure.view.forwardCounts.held],
      [{ decision: 'dropped' }, backpressure.view.forwardCounts.dropped],
    ],
  });
  const datacenters = new DatacenterRegistry({
    clock: systemClock,
    staleAfterMs: settings.managerStaleAfter,
    backpressureQueueDepth: (dc) => backpressure.queueDepthFor(dc),
  });
  // The global SWIM pool feeds the router's distances: until the gate's coordinate matures the
  // router ranks by bucket then capacity (bootstrap mode), then by RTT bound × load × quality.
  const membership = new GateMembership(datacenters, logger.child({ component: 'membership' }), systemClock);
  const distance = membership.distanceEstimator();
  const router = new GateJobRouter({ clock: systemClock, distance, candidates: () => datacenters.inputs() });
  registerRoutingMetrics(registry, router, () => !distance.localIsMature());
  let advertised = settings.advertiseAddress ?? `${settings.grpcHost}:${settings.grpcPort}`;
  // SWIM before gRPC: a manager registering is introduced to a pool that exists.
  await membership.join(settings, advertised);
  const jobs = new GateJobs({
    gateId: settings.nodeId,
    address: () => advertised,
    clock: systemClock,
    logger: logger.child({ component: 'jobs' }),
    registry: datacenters,
    router,
    resultGraceMs: settings.resultGrace,
    cancelGraceMs: settings.cancelGrace,
    idempotencyTtlMs: settings.idempotencyTtl,
    jobRetentionMs: settings.jobRetention,
    maxActiveJobs: settings.maxActiveJobs,
    timeoutConfig: gateTimeoutConfig(settings),
    forwardProgress: (jobId, dcs) => backpressure.forwardProgress(jobId, dcs),
    routingReviewIntervalMs: settings.routingReviewInterval,
    orphanGraceMs: settings.orphanGrace,
  });
  registerCounterSnapshot(registry, 'hyperscale_gate', 'running job shares found lost, by why', () => jobs.counters());
  registerCounterSnapshot(registry, 'hyperscale_timeout_gate', 'AD-34 gate global timeouts', () =>
    jobs.timeouts.metrics(),
  );
  const context = {
    gateId: settings.nodeId,
    jobs,
    registry: datacenters,
    router,
    clusterId: settings.clusterId,
    environmentId: settings.environmentId,
    reportIntervalMs: settings.reportInterval,
    backpressure,
    membership,
  };
  const onUnexpectedError = (method: string, error: unknown) => logger.error({ err: error, method }, 'handler failed');
  const grpc = await startGrpcServer({
    host: settings.grpcHost,
    port: settings.grpcPort,
    logger,
    interceptors: [backpressure.interceptor()],
    services: [
      {
        definition: serviceDefinition(GateService),
        implementation: serviceImplementation(GateService, gateServiceHandlers(context), { onUnexpectedError }),
      },
      {
        definition: serviceDefinition(GateControlService),
        implementation: serviceImplementation(GateControlService, gateControlHandlers(context), { onUnexpectedError }),
      },
    ],
  });
  advertised = settings.advertiseAddress ?? `${settings.grpcHost}:${grpc.port}`;

  const tasks = new BackgroundTasks({ logger: logger.child({ component: 'tasks' }) });
  tasks.every('jobs tick', settings.tickInterval, () => {
    jobs.tick();
    datacenters.prune();
  });
  tasks.every('progress push', settings.progressInterval, () => jobs.pushProgress());
  const sampler = new ResourceSampler();
  tasks.every('overload sampling', settings.overloadSampleInterval, () => backpressure.sample(sampler.read()));

  const admin = await startAdminServer({
    host: settings.adminHost,
    port: settings.adminPort,
    logger,
    registry,
    isReady: () =>
      datacenters.datacenterNames().length > 0
        ? { ready: true }
        : { ready: false, reason: 'no datacenter has registered yet' },
    jsonRoutes: { '/membership': () => membership.pools() },
    debugState: () => ({
      gateId: settings.nodeId,
      address: advertised,
      datacenters: datacenters.debugState(),
      jobs: jobs.debugState(),
      backpressure: backpressure.debugState(),
      membership: membership.pools(),
    }),
  });

  installShutdown({
    logger,
    steps: [
      { name: 'stop gRPC', run: () => grpc.tryShutdown(5_000), timeoutMs: 6_000 },
      { name: 'leave the SWIM pool', run: () => membership.leave(), timeoutMs: 3_000 },
      {
        name: 'stop background tasks',
        run: async () => {
          await tasks.stopAll();
          sampler.stop();
        },
        timeoutMs: 5_000,
      },
      { name: 'close admin server', run: () => admin.close(), timeoutMs: 2_000 },
      { name: 'close clients', run: async () => jobs.close(), timeoutMs: 1_000 },
    ],
  });
  logger.info({ grpc: advertised, admin: `${admin.address.host}:${admin.address.port}` }, 'gate ready');
}

main().catch((error: unknown) => {
  console.error(`gate-svc: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
