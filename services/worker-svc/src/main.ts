#!/usr/bin/env node
// worker-svc composition root: settings → logger → executor → gRPC server → manager reporting →
// orphan watch (a lost manager's shares stop) → admin HTTP → graceful shutdown. Business rules live
// in packages; this file only wires them.
import { availableParallelism } from 'node:os';
import { WorkerFlushPolicy } from '@hyperscale/backpressure';
import { registerBackpressureMetrics } from '@hyperscale/backpressure/shell';
import { serviceDefinition, serviceImplementation, WorkerService } from '@hyperscale/protocol';
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
  warnWithoutNodeArgs,
} from '@hyperscale/runtime';
import { CorePool } from './core-pool.js';
import { ManagerReporter } from './manager-reporter.js';
import { WorkerMembership } from './membership.js';
import { watchOrphanedShares } from './orphan-watch.js';
import { workerSettings } from './settings.js';
import { workerHandlers } from './worker-handlers.js';
import { threadShareRunner, WorkflowExecutor } from './workflow-executor.js';

async function main(): Promise<void> {
  const settings = loadSettingsOrExit(workerSettings, 'worker-svc');
  const logger = createLogger({ service: 'worker-svc', nodeId: settings.nodeId, level: settings.logLevel });
  installProcessGuards({ logger });
  warnWithoutNodeArgs(new URL('../package.json', import.meta.url), logger);
  const now = () => performance.now();
  const totalCores = settings.cores > 0 ? settings.cores : availableParallelism();
  const registry = createMetricsRegistry({ service: 'worker-svc', nodeId: settings.nodeId });

  const cores = new CorePool(totalCores);
  // AD-37: progress leaves at the pace the busiest manager allows; the base period is ours.
  const flushPolicy = new WorkerFlushPolicy<string>({ now }, { baseIntervalMs: settings.progressInterval });
  registerBackpressureMetrics(registry, 'worker', {
    backpressure_level: () => flushPolicy.level(),
    progress_updates_throttled_total: () => flushPolicy.counters.throttled,
    progress_updates_batched_total: () => flushPolicy.counters.batched,
    progress_updates_dropped_total: () => flushPolicy.counters.dropped,
  });
  let reporter: ManagerReporter | undefined;
  const executor = new WorkflowExecutor({
    workerId: settings.nodeId,
    totalCores,
    maxPending: settings.maxPendingWorkflows,
    logger: logger.child({ component: 'executor' }),
    runner: threadShareRunner(cores, settings.progressInterval),
    sendProgress: (report) => (reporter ? reporter.sendProgress(report) : Promise.reject(new Error('not started'))),
    deliverResult: (result) => reporter?.deliverResult(result),
    now,
    flushPolicy,
  });

  const grpc = await startGrpcServer({
    host: settings.grpcHost,
    port: settings.grpcPort,
    logger,
    services: [
      {
        definition: serviceDefinition(WorkerService),
        implementation: serviceImplementation(WorkerService, workerHandlers(executor), {
          onUnexpectedError: (method, error) => logger.error({ err: error, method }, 'handler failed'),
        }),
      },
    ],
  });
  const advertiseAddress = settings.advertiseAddress ?? `${settings.grpcHost}:${grpc.port}`;
  const membership = await WorkerMembership.join(settings, advertiseAddress, logger.child({ component: 'membership' }));
  const tasks = new BackgroundTasks({ logger: logger.child({ component: 'tasks' }) });
  const orphanWatch = watchOrphanedShares({
    membership: membership.pool,
    executor,
    tasks,
    logger: logger.child({ component: 'orphan-watch' }),
    now,
    graceMs: settings.orphanGrace,
  });
  registerCounterSnapshot(registry, 'hyperscale_worker_orphan', 'shares stopped because their manager was lost', () =>
    orphanWatch.counters(),
  );
  const activeReporter = new ManagerReporter({
    workerId: settings.nodeId,
    advertiseAddress,
    membership,
    totalCores,
    clusterId: settings.clusterId,
    environmentId: settings.environmentId,
    logger: logger.child({ component: 'manager-reporter' }),
    now,
    availableCores: () => executor.availableCores,
    activeWorkflowIds: () => executor.activeWorkflowIds(),
    onSignal: (manager, signal) => flushPolicy.onSignal(manager, signal),
    onManagerRestarted: (managerId) => orphanWatch.managerRestarted(managerId),
  });
  reporter = activeReporter;

  const healthyManagers = new Set<string>();
  for (const manager of settings.managers) {
    let failures = 0;
    tasks.every(
      `heartbeat ${manager}`,
      settings.heartbeatInterval,
      async () => {
        try {
          await activeReporter.heartbeat(manager);
          healthyManagers.add(manager);
          failures = 0;
        } catch (error) {
          healthyManagers.delete(manager);
          // The first miss and then every tenth: a manager that is still starting is not news.
          if (failures++ % 10 === 0) logger.warn({ err: error, manager }, 'manager unreachable');
        }
      },
      { runImmediately: true },
    );
  }
  // The flush policy decides when a flush is due; ticking at half its base period keeps timer
  // jitter from skipping whole cycles.
  tasks.every('progress', Math.max(10, Math.floor(settings.progressInterval / 2)), () => executor.flushProgress());
  tasks.every('result outbox', 1_000, () => activeReporter.flushOutbox());

  const admin = await startAdminServer({
    host: settings.adminHost,
    port: settings.adminPort,
    logger,
    registry,
    isReady: () =>
      healthyManagers.size > 0 ? { ready: true } : { ready: false, reason: 'not registered with any manager yet' },
    jsonRoutes: { '/membership': () => membership.pools() },
    debugState: () => ({
      nodeId: settings.nodeId,
      datacenter: settings.datacenter,
      advertiseAddress,
      totalCores,
      managers: settings.managers.map((m) => ({ address: m, healthy: healthyManagers.has(m) })),
      executor: executor.debugState(),
      managersInOrphanGrace: orphanWatch.inGrace(),
      membership: membership.pools(),
      pendingResults: activeReporter.pendingResults(),
    }),
  });

  installShutdown({
    logger,
    steps: [
      {
        name: 'drain shares',
        run: () => executor.drain(settings.drainTimeout, sleep),
        timeoutMs: settings.drainTimeout + 5_000,
      },
      // Leave after the results are out: until then the managers must not think we died.
      {
        name: 'deliver final results',
        run: async () => {
          for (let i = 0; i < 50 && activeReporter.pendingResults() > 0; i++) await sleep(100);
        },
        timeoutMs: 6_000,
      },
      { name: 'leave the SWIM pool', run: () => membership.leave(), timeoutMs: 3_000 },
      { name: 'stop background tasks', run: () => tasks.stopAll(), timeoutMs: 5_000 },
      { name: 'stop gRPC', run: () => grpc.tryShutdown(2_000), timeoutMs: 3_000 },
      { name: 'close admin server', run: () => admin.close(), timeoutMs: 2_000 },
      { name: 'close clients', run: async () => activeReporter.close(), timeoutMs: 1_000 },
      { name: 'stop core threads', run: () => cores.close(), timeoutMs: 2_000 },
    ],
  });
  logger.info(
    {
      grpc: advertiseAddress,
      admin: `${admin.address.host}:${admin.address.port}`,
      cores: totalCores,
      managers: settings.managers,
    },
    'worker ready',
  );
}

main().catch((error: unknown) => {
  console.error(`worker-svc: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
