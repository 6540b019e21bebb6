// The gate's view of its datacenters: which managers registered, what each last reported, and
// the gate's circuit breaker towards each. It turns that into the router's DatacenterInput and
// into ListDatacenters rows; every map is bounded by the number of managers that registered.
import type { Clock } from '@hyperscale/deterministic';
import type { ManagerLoss } from '@hyperscale/jobs';
import type { BackpressureLevel } from '@hyperscale/protocol';
import {
  classifyDatacenterHealth,
  type DatacenterInput,
  type HealthBucket,
  type ManagerInput,
  type CircuitState as RouterCircuitState,
} from '@hyperscale/routing';
import { CircuitBreaker } from '@hyperscale/runtime';

export interface ManagerReportFields {
  isLeader: boolean;
  workerCount: number;
  healthyWorkerCount: number;
  totalCores: number;
  availableCores: number;
  activeJobs: number;
  queuedWorkflows: number;
  backpressureLevel: BackpressureLevel;
}

export interface RegisteredManager {
  managerId: string;
  datacenter: string;
  address: string;
  registeredAtMs: number;
  /** The manager process's instance id ('' from a manager that sends none); another one is a restart. */
  instanceId: string;
  /** When the current instance first registered (a restart resets it). */
  instanceSinceMs: number;
  lastReportMs: number;
  /** Set while SWIM holds the manager dead or gone; cleared when SWIM sees it alive again. */
  goneSinceMs: number | undefined;
  report: ManagerReportFields | undefined;
  breaker: CircuitBreaker;
}

export interface DatacenterRegistryOptions {
  clock: Clock;
  /** A manager silent for this long no longer counts for its datacenter. */
  staleAfterMs: number;
  maxManagers?: number;
  /**
   * Extra queue depth for a datacenter's backpressure, added to what its managers report so the
   * router's queue term sees it as load (mapping in gate-backpressure.ts).
   */
  backpressureQueueDepth?: (datacenter: string) => number;
}

const CIRCUIT: Record<string, RouterCircuitState> = { closed: 'closed', open: 'open', 'half-open': 'half_open' };

export class DatacenterRegistry {
  private readonly managers = new Map<string, RegisteredManager>();

  constructor(private readonly options: DatacenterRegistryOptions) {}

  /**
   * Registers (or re-registers) a manager; returns an error message when refused. A registration
   * under the same id with another instance id is the manager restarted: the jobs of the old
   * instance are lost (`managerLoss`).
   */
  register(managerId: string, datacenter: string, address: string, instanceId = ''): string | undefined {
    const existing = this.managers.get(managerId);
    if (!existing && this.managers.size >= (this.options.maxManagers ?? 10_000)) return 'manager limit reached';
    if (existing && existing.datacenter !== datacenter) {
      return `manager ${managerId} is registered for datacenter ${existing.datacenter}, not ${datacenter}`;
    }
    const now = this.options.clock.now();
    const sameInstance = existing !== undefined && (instanceId === '' || instanceId === existing.instanceId);
    this.managers.set(managerId, {
      managerId,
      datacenter,
      address,
      registeredAtMs: existing?.registeredAtMs ?? now,
      instanceId: instanceId || (existing?.instanceId ?? ''),
      instanceSinceMs: sameInstance ? existing.instanceSinceMs : now,
      lastReportMs: now,
      goneSinceMs: existing?.goneSinceMs,
      report: existing?.report,
      breaker: existing?.breaker ?? new CircuitBreaker({ clock: this.options.clock }),
    });
    return undefined;
  }

  /** Records a datacenter report; false when the manager is unknown (it must register again). */
  report(managerId: string, address: string, fields: ManagerReportFields): boolean {
    const manager = this.managers.get(managerId);
    if (!manager) return false;
    manager.lastReportMs = this.options.clock.now();
    if (address) manager.address = address;
    manager.report = fields;
    return true;
  }

  /**
   * SWIM declared the manager dead or gone: it stops counting for its datacenter at once, whatever
   * its last report said, until SWIM sees it alive again (a refutation or a rejoin). Reports alone
   * do not override the failure detector.
   */
  managerGone(managerId: string): void {
    const manager = this.managers.get(managerId);
    if (manager && manager.goneSinceMs === undefined) manager.goneSinceMs = this.options.clock.now();
  }

  /** SWIM sees the manager alive again. */
  managerBack(managerId: string): void {
    const manager = this.managers.get(managerId);
    if (manager) manager.goneSinceMs = undefined;
  }

  /**
   * Whether the manager instance running a job is lost, why, and for how long: SWIM holds it dead
   * or gone (`dead`), another instance registered under its id (`restarted`: the old one's jobs
   * died with it), or the gate forgot it, silent for ten stale periods (`forgotten`, forever);
   * undefined while it is not lost. Stale reports alone are not loss: the failure detector decides.
   */
  managerLoss(managerId: string, instanceId = ''): ManagerLoss | undefined {
    const manager = this.managers.get(managerId);
    if (manager === undefined) return { reason: 'forgotten', forMs: Number.POSITIVE_INFINITY };
    const now = this.options.clock.now();
    if (manager.goneSinceMs !== undefined) return { reason: 'dead', forMs: now - manager.goneSinceMs };
    if (instanceId !== '' && manager.instanceId !== instanceId)
      return { reason: 'restarted', forMs: now - manager.instanceSinceMs };
    return undefined;
  }

  private usable(m: RegisteredManager, now: number): boolean {
    return m.goneSinceMs === undefined && now - m.lastReportMs <= this.options.staleAfterMs && m.report !== undefined;
  }

  get(managerId: string): RegisteredManager | undefined {
    return this.managers.get(managerId);
  }

  /** Forgets managers silent for ten stale periods (they re-register when they come back). */
  prune(): void {
    const now = this.options.clock.now();
    for (const [id, m] of this.managers)
      if (now - m.lastReportMs > 10 * this.options.staleAfterMs) this.managers.delete(id);
  }

  datacenterNames(): string[] {
    return [...new Set([...this.managers.values()].map((m) => m.datacenter))].sort();
  }

  managersOf(datacenter: string): RegisteredManager[] {
    return [...this.managers.values()].filter((m) => m.datacenter === datacenter);
  }

  /** The router's input for every datacenter. */
  inputs(): DatacenterInput[] {
    return this.datacenterNames().map((dc) => this.input(dc));
  }

  input(datacenter: string): DatacenterInput {
    const now = this.options.clock.now();
    const all = this.managersOf(datacenter);
    const fresh = all.filter((m) => this.usable(m, now));
    // The leader's report describes the datacenter; without one, the freshest report does.
    const source =
      fresh.find((m) => m.report?.isLeader) ?? [...fresh].sort((a, b) => b.lastReportMs - a.lastReportMs)[0];
    const report = source?.report;
    const managers: ManagerInput[] = all.map((m) => ({
      managerId: m.managerId,
      circuit: CIRCUIT[m.breaker.state()] ?? 'closed',
      // A manager SWIM holds dead is as good as one never heard from.
      heartbeatAgeMs: m.goneSinceMs === undefined ? now - m.lastReportMs : Number.POSITIVE_INFINITY,
      isLeader: m.report?.isLeader ?? false,
      availableCores: m.report?.availableCores ?? 0,
      totalCores: m.report?.totalCores ?? 0,
      queueDepth: m.report?.queuedWorkflows ?? 0,
    }));
    return {
      datacenterId: datacenter,
      ...(report
        ? {
            healthSignals: {
              workerCount: report.healthyWorkerCount,
              overloadedWorkerCount: 0,
              managerCount: all.length,
              deadManagerCount: all.length - fresh.length,
              overloadedManagerCount: 0,
              totalCores: report.totalCores,
              availableCores: report.availableCores,
            },
          }
        : {}),
      healthAgeMs: source ? now - source.lastReportMs : Number.POSITIVE_INFINITY,
      managers,
      availableCores: report?.availableCores ?? 0,
      totalCores: report?.totalCores ?? 0,
      queueDepth: (report?.queuedWorkflows ?? 0) + (this.options.backpressureQueueDepth?.(datacenter) ?? 0),
    };
  }

  /** The health bucket of a datacenter right now. */
  health(datacenter: string): HealthBucket {
    const input = this.input(datacenter);
    return input.healthSignals ? classifyDatacenterHealth(input.healthSignals) : 'unhealthy';
  }

  debugState(): unknown {
    const now = this.options.clock.now();
    return [...this.managers.values()].map((m) => ({
      managerId: m.managerId,
      datacenter: m.datacenter,
      address: m.address,
      instanceId: m.instanceId,
      reportAgeMs: Math.round(now - m.lastReportMs),
      goneSinceMs: m.goneSinceMs,
      circuit: m.breaker.state(),
      report: m.report,
    }));
  }
}
