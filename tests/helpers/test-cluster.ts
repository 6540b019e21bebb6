// A local cluster for one describe block of end-to-end tests: an HTTP target that counts what it
// receives, the gate/manager/worker processes of a topology with free ports, and a client of the
// cluster's entry point — started before the block's tests and stopped after them (whatever part
// of it started, if start-up failed half-way).
import {
  HyperscaleClient,
  LocalCluster,
  startTargetServer,
  type TargetServer,
  type Topology,
} from '@hyperscale/client';
import { afterAll, beforeAll } from 'vitest';
import { localTopology, type TopologyShape } from './topology.js';

export interface TestCluster {
  target: TargetServer;
  topology: Topology;
  cluster: LocalCluster;
  client: HyperscaleClient;
}

/** Starting or stopping a cluster of real processes may take this long. */
const CLUSTER_HOOK_TIMEOUT_MS = 60_000;

/**
 * Registers the block's beforeAll/afterAll and returns the cluster, whose fields are set once
 * beforeAll has run (read them inside tests and hooks, not at collection time).
 */
export function useTestCluster(shape: TopologyShape, env: Record<string, string> = {}): TestCluster {
  const running = {} as Partial<TestCluster>;
  beforeAll(async () => {
    running.target = await startTargetServer();
    running.topology = await localTopology(shape, env);
    running.cluster = await LocalCluster.start(running.topology);
    running.client = new HyperscaleClient(running.cluster.entryAddress());
  }, CLUSTER_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    running.client?.close();
    await running.cluster?.stop();
    await running.target?.close();
  }, CLUSTER_HOOK_TIMEOUT_MS);
  return running as TestCluster;
}
