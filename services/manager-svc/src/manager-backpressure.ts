// The manager's backpressure (AD-37 with AD-18/22/23/32): one object that owns
//   - the StatsBuffer every accepted progress report is recorded in (the manager's intake of
//     progress work), drained by the aggregation loop; its HOT fill gives the stats level;
//   - the OverloadDetector, fed by `sample()` with real latency (event-loop lag, handler latency),
//     CPU and memory readings;
//   - the InFlightTracker and LoadShedder the admission interceptor applies to every RPC;
// and answers `signal()`: managerSignal(stats level, overload state), the signal carried in every
// ReportProgressResponse, WorkerHeartbeatResponse and datacenter report to gates.
//
// Latency sample: each sample period the detector gets ONE latency, the larger of the event-loop
// lag p99 and the mean handler latency over the period, floored at `latencyFloorMs` (the rule and
// its reasons are OverloadSampler's, @hyperscale/backpressure; the gate samples the same way).
//
// Fast saturation check (ours): the detector reads once per sample period (250 ms) and relaxes
// only after two lower samples, so the first burst of a storm, and every burst of workers coming
// back, is queued in front of control RPCs for up to a period before anything is shed. Between
// samples, each NORMAL/LOW admission reads the event loop's utilisation over the last
// `saturationWindowMs` (a cheap counter read, at most once per window); above
// `saturationThreshold` the shedder and the signal act as STRESSED for `saturationHoldMs`: NORMAL
// and LOW are refused at once (RESOURCE_EXHAUSTED, which workers read as REJECT) and acks say
// BATCH. CRITICAL and HIGH are never refused by it.
// The window is 20 ms (it was 50): the check fires only once a whole window has elapsed, so at a
// storm's onset — every worker's reports in flight at once — a 50 ms window let 50–100 ms of
// reports be handled in full before the rest were refused, and a control RPC queued behind them
// waited that long (`pnpm bench backpressure`, slowestStormProbes: onset stall ~135 ms with 50,
// 35–70 ms with 20). A loop 90 % busy for 20 ms already costs a control RPC queued behind it about
// three idle p99s, so it is saturation for this purpose.
//
// With `enabled` false (the benchmark's "off" run) the signal is always NONE and nothing is shed,
// but every reading is still taken, so the two runs report the same figures.

import { performance } from 'node:perf_hooks';
import type { ServerInterceptor } from '@grpc/grpc-js';
import {
  BackpressureLevel,
  type BackpressureSignal,
  type InFlightLimits,
  InFlightTracker,
  LoadShedder,
  managerSignal,
  NO_BACKPRESSURE,
  type OverloadConfig,
  OverloadDetector,
  OverloadSampler,
  OverloadState,
  type RecordOutcome,
  type ResourceSample,
  StatsBuffer,
  type StatsBufferConfig,
} from '@hyperscale/backpressure';
import { admissionInterceptor } from '@hyperscale/backpressure/shell';
import type { Clock } from '@hyperscale/deterministic';
import { ManagerService } from '@hyperscale/protocol';

export interface ManagerBackpressureOptions {
  clock: Clock;
  enabled?: boolean;
  statsBuffer?: Partial<StatsBufferConfig>;
  overload?: Partial<OverloadConfig>;
  inFlight?: Partial<InFlightLimits>;
  /** Latencies below this are read as this (see the header). */
  latencyFloorMs?: number;
  /** Told of refused calls (the manager counts a refused worker heartbeat as a sign of life). */
  onRefused?: (path: string, message: unknown) => void;
  /** Event-loop utilisation over the window above which NORMAL/LOW are shed at once (default 0.9; > 1 turns the check off). */
  saturationThreshold?: number;
  /** The window the utilisation is measured over, ms (default 20, see the header). */
  saturationWindowMs?: number;
  /** How long a saturated reading holds (default 500 ms: two sample periods, the detector's own relax time). */
  saturationHoldMs?: number;
  /** Cumulative event-loop active and idle time, ms (default: perf_hooks). */
  loopTime?: () => { active: number; idle: number };
}

const perfLoopTime = () => {
  const u = performance.eventLoopUtilization();
  return { active: u.active, idle: u.idle };
};

/** The saturation check's defaults (the header says why each), also the settings' defaults. */
export const SATURATION_DEFAULTS = { threshold: 0.9, windowMs: 20, holdMs: 500 } as const;

const REPORT_PROGRESS_PATH = `/${ManagerService.typeName}/${ManagerService.method.reportProgress.name}`;

export class ManagerBackpressure {
  readonly enabled: boolean;
  readonly stats: StatsBuffer;
  readonly detector: OverloadDetector;
  readonly shedder: LoadShedder;
  readonly inFlight: InFlightTracker;
  private readonly overloadSampler: OverloadSampler;
  /** Highest level signalled since start (for tests and debug state). */
  private peak = BackpressureLevel.NONE;
  private readonly loopTime: () => { active: number; idle: number };
  private window: { atMs: number; active: number; idle: number };
  private saturatedUntilMs = Number.NEGATIVE_INFINITY;
  /** Times the fast check found the loop saturated (debug state). */
  private saturatedReadings = 0;

  constructor(private readonly options: ManagerBackpressureOptions) {
    this.enabled = options.enabled ?? true;
    this.stats = new StatsBuffer(options.clock, options.statsBuffer ? { config: options.statsBuffer } : {});
    this.detector = new OverloadDetector(options.overload);
    this.shedder = new LoadShedder(this.detector, () => this.fastState());
    this.loopTime = options.loopTime ?? perfLoopTime;
    this.window = { atMs: options.clock.now(), ...this.loopTime() };
    this.inFlight = new InFlightTracker(options.inFlight);
    this.overloadSampler = new OverloadSampler(this.detector, options.latencyFloorMs);
  }

  /** The signal this manager sends now. */
  signal(): BackpressureSignal {
    if (!this.enabled) return NO_BACKPRESSURE;
    const signal = managerSignal(this.stats.level, this.shedder.state());
    if (signal.level > this.peak) this.peak = signal.level;
    return signal;
  }

  /** Records one progress report's worth of stats; 'rejected' means the buffer is at REJECT (or full). */
  recordProgress(value: number): RecordOutcome {
    const outcome = this.stats.record(value);
    return this.enabled ? outcome : 'accepted';
  }

  /** The aggregation step: folds HOT into WARM/COLD. Called on the aggregation loop. */
  aggregate(budget?: number): number {
    return this.stats.aggregate(budget);
  }

  /** One overload reading (see the header). Called on the sampling loop. */
  sample(reading: ResourceSample): OverloadState {
    return this.overloadSampler.sample(reading);
  }

  /**
   * STRESSED while the event loop was found saturated within the hold, else HEALTHY. Re-reads the
   * loop's utilisation when the current window has elapsed.
   */
  fastState(): OverloadState {
    if (!this.enabled) return OverloadState.HEALTHY;
    const threshold = this.options.saturationThreshold ?? SATURATION_DEFAULTS.threshold;
    if (threshold > 1) return OverloadState.HEALTHY;
    const now = this.options.clock.now();
    if (now - this.window.atMs >= (this.options.saturationWindowMs ?? SATURATION_DEFAULTS.windowMs)) {
      const t = this.loopTime();
      const active = t.active - this.window.active;
      const total = active + (t.idle - this.window.idle);
      this.window = { atMs: now, ...t };
      if (total > 0 && active / total > threshold) {
        this.saturatedUntilMs = now + (this.options.saturationHoldMs ?? SATURATION_DEFAULTS.holdMs);
        this.saturatedReadings++;
      }
    }
    return now < this.saturatedUntilMs ? OverloadState.STRESSED : OverloadState.HEALTHY;
  }

  /** The admission interceptor for the gRPC server. */
  interceptor(): ServerInterceptor {
    return admissionInterceptor({
      tracker: this.inFlight,
      shedder: this.shedder,
      now: () => this.options.clock.now(),
      enabled: () => this.enabled,
      onLatency: (_path, ms) => this.overloadSampler.recordHandlerLatency(ms),
      ...(this.options.onRefused ? { onRefused: this.options.onRefused } : {}),
      // A progress report's refusal needs nothing from it (heartbeats are read: a sign of life).
      shedBeforeMessage: (path) => path === REPORT_PROGRESS_PATH,
    });
  }

  debugState(): unknown {
    return {
      enabled: this.enabled,
      signal: this.signal(),
      peakLevel: BackpressureLevel[this.peak],
      statsLevel: BackpressureLevel[this.stats.level],
      statsFill: this.stats.fillRatio(),
      statsAccepted: this.stats.acceptedCount,
      statsRejected: this.stats.rejectedCount,
      overload: { ...this.detector.diagnostics(), state: OverloadState[this.detector.state] },
      saturated: { now: OverloadState[this.fastState()], readings: this.saturatedReadings },
      inFlight: this.inFlight.snapshot(),
      shed: this.shedder.snapshot(),
    };
  }

  get peakLevel(): BackpressureLevel {
    return this.peak;
  }
}
