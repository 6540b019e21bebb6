// A gate and one manager per datacenter wired by direct calls on a VirtualClock: the shell the
// services will be, reduced to delivering effects. Lets multi-DC scenarios run in milliseconds.
import { VirtualClock } from '@hyperscale/deterministic';
import {
  GateJobTimeoutTracker,
  type GateTimeoutEffect,
  type JobTerminalStatus,
  ManagerJobTimeouts,
  type ManagerTimeoutEffect,
  type TimeoutConfig,
  type TimeoutReason,
} from '../src/index.js';

export interface CancelEvent {
  datacenter: string;
  jobId: string;
  reason: TimeoutReason;
  at: number;
}

export interface FinishedEvent {
  jobId: string;
  status: JobTerminalStatus;
  reason: TimeoutReason | null;
  at: number;
  datacenters: Record<string, JobTerminalStatus>;
}

export class Cluster {
  readonly clock = new VirtualClock(0);
  readonly gate: GateJobTimeoutTracker;
  readonly managers = new Map<string, ManagerJobTimeouts>();
  gateReachable = true;
  readonly cancels: CancelEvent[] = [];
  readonly finished: FinishedEvent[] = [];
  readonly evictions: string[] = [];
  private stopTimers: (() => void)[] = [];

  constructor(
    readonly datacenters: string[],
    readonly config: Partial<TimeoutConfig> = {},
  ) {
    this.gate = new GateJobTimeoutTracker({ clock: this.clock, config });
    for (const dc of datacenters) this.managers.set(dc, this.newManager(dc, `${dc}-m1`));
  }

  newManager(dc: string, managerId: string): ManagerJobTimeouts {
    return new ManagerJobTimeouts({
      clock: this.clock,
      identity: { datacenter: dc, managerId, host: '127.0.0.1', port: 9000 },
      config: this.config,
    });
  }

  manager(dc: string): ManagerJobTimeouts {
    const manager = this.managers.get(dc);
    if (manager === undefined) throw new Error(`no manager for ${dc}`);
    return manager;
  }

  submit(jobId: string, timeoutMs: number, leaseToken = 1n): void {
    for (const dc of this.datacenters) {
      const started = this.manager(dc).startTracking({
        jobId,
        timeoutMs,
        gate: { addr: 'gate-1', leaseToken },
        workflowsTotal: 2,
      });
      if (!started.ok) throw new Error(started.detail);
    }
    const tracked = this.gate.startTracking({ jobId, timeoutMs, datacenters: this.datacenters, leaseToken });
    if (!tracked.ok) throw new Error(tracked.detail);
  }

  /** Starts the periodic loops: every manager's tick and the gate's check. */
  startLoops(): void {
    const managerEvery = this.gate.config.managerTickIntervalMs;
    const gateEvery = this.gate.config.gateCheckIntervalMs;
    const loop = (every: number, body: () => void): void => {
      let cancel = (): void => {};
      const arm = (): void => {
        cancel = this.clock.after(every, () => {
          body();
          arm();
        });
      };
      arm();
      this.stopTimers.push(() => cancel());
    };
    loop(managerEvery, () => {
      for (const dc of this.datacenters) this.deliverFromManager(dc, this.manager(dc).tick());
    });
    loop(gateEvery, () => {
      if (this.gateReachable) this.deliverFromGate(this.gate.check());
    });
  }

  stopLoops(): void {
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
  }

  deliverFromManager(dc: string, effects: ManagerTimeoutEffect[]): void {
    const manager = this.manager(dc);
    for (const effect of effects) {
      switch (effect.kind) {
        case 'time-out-job':
          this.cancels.push({ datacenter: dc, jobId: effect.jobId, reason: effect.reason, at: this.clock.now() });
          break;
        case 'evict-worker':
          this.evictions.push(`${dc}/${effect.workerId}`);
          break;
        case 'send-progress-report':
          if (this.gateReachable && this.gate.receiveProgressReport(effect.report).accepted) {
            manager.gateAcknowledged(effect.report.jobId, 'progress');
          }
          break;
        case 'send-timeout-report':
          if (this.gateReachable && this.gate.receiveTimeoutReport(effect.report).accepted) {
            manager.gateAcknowledged(effect.report.jobId, 'timeout-report');
          }
          break;
        case 'send-leader-transfer':
          if (this.gateReachable && this.gate.receiveLeaderTransfer(effect.transfer).accepted) {
            manager.gateAcknowledged(effect.transfer.jobId, 'leader-transfer');
          }
          break;
        case 'send-final-status':
          if (this.gateReachable) {
            const { verdict, effects: gateEffects } = this.gate.receiveFinalStatus(effect.status);
            if (verdict.accepted) manager.gateAcknowledged(effect.status.jobId, 'final-status');
            this.deliverFromGate(gateEffects);
          }
          break;
      }
    }
  }

  deliverFromGate(effects: GateTimeoutEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'job-finished') {
        this.finished.push({
          jobId: effect.jobId,
          status: effect.status,
          reason: effect.reason,
          at: this.clock.now(),
          datacenters: effect.datacenters,
        });
        continue;
      }
      for (const target of effect.targets) {
        const manager = this.manager(target.datacenter);
        const result = manager.receiveGlobalTimeout(effect.message);
        if (result.outcome === 'accepted') {
          this.gate.globalTimeoutAcknowledged(effect.jobId, target.datacenter);
          this.deliverFromManager(target.datacenter, result.effects);
        } else if (result.outcome === 'already-final') {
          this.gate.globalTimeoutAcknowledged(effect.jobId, target.datacenter);
          this.deliverFromGate(this.gate.receiveFinalStatus(result.correction).effects);
        }
      }
    }
  }

  /** Keeps a DC's job visibly progressing (workflow transitions) every `everyMs`. */
  keepProgressing(dc: string, jobId: string, everyMs: number): () => void {
    let stopped = false;
    const step = (): void => {
      if (stopped) return;
      this.manager(dc).recordProgress(jobId);
      this.clock.after(everyMs, step);
    };
    step();
    return () => {
      stopped = true;
    };
  }
}
