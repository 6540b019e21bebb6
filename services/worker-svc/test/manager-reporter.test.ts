// ManagerReporter against a real in-process gRPC manager on 127.0.0.1: a manager that forgets the
// worker (it restarted) and registers it again as another instance is reported once as restarted;
// re-registering with the same process, or with a manager that sends no instance id, is not.
import { type HandlersOf, ManagerService, serviceDefinition, serviceImplementation } from '@hyperscale/protocol';
import { createLogger, type GrpcServer, startGrpcServer } from '@hyperscale/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagerReporter } from '../src/manager-reporter.js';

const logger = createLogger({ service: 'test', nodeId: 'w1', level: 'silent' });
const servers: GrpcServer[] = [];
const reporters: ManagerReporter[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.forceShutdown();
  for (const r of reporters.splice(0)) r.close();
});

/** A manager process as the worker sees it: its instance id, and whether it still knows the worker. */
async function fakeManager() {
  const state = { instanceId: 'first', knowsWorker: true, registrations: 0 };
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  const handlers: HandlersOf<typeof ManagerService> = {
    submitJob: unused,
    applyGlobalTimeout: unused,
    reportResult: unused,
    cancelJob: unused,
    getJob: unused,
    watchJob: unused,
    reportProgress: unused,
    registerWorker: async () => {
      state.registrations++;
      state.knowsWorker = true;
      return { accepted: true, managerId: 'm1', managerInstanceId: state.instanceId, heartbeatIntervalMs: 1_000 };
    },
    workerHeartbeat: async () => ({ known: state.knowsWorker }),
  };
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    services: [
      {
        definition: serviceDefinition(ManagerService),
        implementation: serviceImplementation(ManagerService, handlers),
      },
    ],
  });
  servers.push(server);
  /** The process restarts: a new instance that knows nothing of the worker. */
  const restart = (instanceId: string) => {
    state.instanceId = instanceId;
    state.knowsWorker = false;
  };
  return { address: `127.0.0.1:${server.port}`, state, restart };
}

function reporter(onManagerRestarted: (managerId: string) => void): ManagerReporter {
  const r = new ManagerReporter({
    workerId: 'w1',
    advertiseAddress: '127.0.0.1:1',
    totalCores: 1,
    clusterId: 'c',
    environmentId: 'e',
    logger,
    now: () => performance.now(),
    availableCores: () => 1,
    activeWorkflowIds: () => [],
    onManagerRestarted,
  });
  reporters.push(r);
  return r;
}

describe('ManagerReporter and manager restarts', () => {
  it('reports a manager that registers the worker again as another instance, once', async () => {
    const manager = await fakeManager();
    const restarted: string[] = [];
    const r = reporter((id) => restarted.push(id));
    await r.heartbeat(manager.address); // registers, heartbeats
    await r.heartbeat(manager.address);
    expect(manager.state.registrations).toBe(1);
    expect(restarted).toEqual([]);

    manager.restart('second');
    await r.heartbeat(manager.address); // told it is unknown
    await r.heartbeat(manager.address); // registers again: another instance
    expect(manager.state.registrations).toBe(2);
    expect(restarted).toEqual(['m1']);
    await r.heartbeat(manager.address);
    expect(restarted).toEqual(['m1']);
  });

  it('does not take a re-registration with the same process, or without an instance id, for a restart', async () => {
    const manager = await fakeManager();
    const restarted: string[] = [];
    const r = reporter((id) => restarted.push(id));
    await r.heartbeat(manager.address);
    manager.state.knowsWorker = false; // forgot the worker (e.g. pruned it) without restarting
    await r.heartbeat(manager.address);
    await r.heartbeat(manager.address);
    expect(manager.state.registrations).toBe(2);
    manager.restart(''); // a manager that sends no instance id
    await r.heartbeat(manager.address);
    await r.heartbeat(manager.address);
    expect(manager.state.registrations).toBe(3);
    expect(restarted).toEqual([]);
  });
});
