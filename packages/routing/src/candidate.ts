// What the router needs to know about each datacenter and its managers, shaped so a gate can fill
// it straight from its datacenter state (manager heartbeats, circuit breakers, health tracker).

import type { HealthBucket } from './health-bucket.js';
import type { DatacenterHealthSignals } from './health-classifier.js';

/** The gate's circuit breaker towards one manager (facts §5 "Circuit breakers"). */
export type CircuitState = 'closed' | 'half_open' | 'open';

export interface ManagerInput {
  readonly managerId: string;
  readonly circuit: CircuitState;
  /** Milliseconds since the gate last heard this manager's heartbeat. */
  readonly heartbeatAgeMs: number;
  /** The manager says it is the DC leader (only the leader accepts jobs, facts §1.3). */
  readonly isLeader?: boolean;
  /** The leader's term; among several self-declared leaders the highest term wins. */
  readonly term?: number;
  /** Optional per-manager load; when absent the manager's load factor uses only its circuit. */
  readonly availableCores?: number;
  readonly totalCores?: number;
  readonly queueDepth?: number;
}

export interface DatacenterInput {
  readonly datacenterId: string;
  /** The bucket when the gate already classified the datacenter … */
  readonly health?: HealthBucket;
  /** … or the raw counts to classify it (facts §5). `health` wins when both are given.
   * Neither ⇒ the datacenter never reported and is excluded as `health_unknown`. */
  readonly healthSignals?: DatacenterHealthSignals;
  /** Milliseconds since the health above was last refreshed. */
  readonly healthAgeMs: number;
  readonly managers: readonly ManagerInput[];
  readonly availableCores: number;
  readonly totalCores: number;
  /** Queued workflows/jobs waiting for cores in the datacenter. */
  readonly queueDepth: number;
}
