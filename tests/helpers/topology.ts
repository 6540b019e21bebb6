// Builds local topologies with free ports for end-to-end tests.
import type { Topology } from '@hyperscale/client';
import { freePorts } from './free-ports.js';

export interface TopologyShape {
  gates: number;
  datacenters: {
    name: string;
    managers: number;
    workers: number;
    cores?: number;
    /** Environment of this datacenter's managers only. */
    managerEnv?: Record<string, string>;
  }[];
}

export async function localTopology(shape: TopologyShape, env: Record<string, string> = {}): Promise<Topology> {
  const needed = 2 * shape.gates + shape.datacenters.reduce((n, dc) => n + 2 * dc.managers + 2 * dc.workers, 0);
  const ports = await freePorts(needed);
  let next = 0;
  const take = () => ports[next++]!;
  return {
    host: '127.0.0.1',
    targetPort: undefined,
    env: { HYPERSCALE_LOG_LEVEL: 'info', ...env },
    gates: Array.from({ length: shape.gates }, (_, i) => ({
      id: `gate-${i + 1}`,
      grpcPort: take(),
      adminPort: take(),
    })),
    datacenters: shape.datacenters.map((dc) => ({
      name: dc.name,
      managers: Array.from({ length: dc.managers }, (_, i) => ({
        id: `${dc.name}-m${i + 1}`,
        grpcPort: take(),
        adminPort: take(),
        ...(dc.managerEnv ? { env: dc.managerEnv } : {}),
      })),
      workers: Array.from({ length: dc.workers }, (_, i) => ({
        id: `${dc.name}-w${i + 1}`,
        grpcPort: take(),
        adminPort: take(),
        cores: dc.cores ?? 1,
      })),
    })),
  };
}
