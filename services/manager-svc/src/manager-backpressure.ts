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
// With `enabled` false (the benchmark's "off" run) the signal is always NONE and nothing is shed,
// but every reading is still taken, so the two runs report the same figures.

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
}

export class ManagerBackpressure {
  readonly enabled: boolean;
  readonly stats: StatsBuffer;
  readonly detector: OverloadDetector;
  readonly shedder: LoadShedder;
  readonly inFlight: InFlightTracker;
  private readonly overloadSampler: OverloadSampler;
  /** Highest level signalled since start (for tests and debug state). */
  private peak = BackpressureLevel.NONE;

  constructor(private readonly options: ManagerBackpressureOptions) {
    this.enabled = options.enabled ?? true;
    this.stats = new StatsBuffer(options.clock, options.statsBuffer ? { config: options.statsBuffer } : {});
    this.detector = new OverloadDetector(options.overload);
    this.shedder = new LoadShedder(this.detector);
    this.inFlight = new InFlightTracker(options.inFlight);
    this.overloadSampler = new OverloadSampler(this.detector, options.latencyFloorMs);
  }

  /** The signal this manager sends now. */
  signal(): BackpressureSignal {
    if (!this.enabled) return NO_BACKPRESSURE;
    const signal = managerSignal(this.stats.level, this.detector.state);
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

  /** The admission interceptor for the gRPC server. */
  interceptor(): ServerInterceptor {
    return admissionInterceptor({
      tracker: this.inFlight,
      shedder: this.shedder,
      now: () => this.options.clock.now(),
      enabled: () => this.enabled,
      onLatency: (_path, ms) => this.overloadSampler.recordHandlerLatency(ms),
      ...(this.options.onRefused ? { onRefused: this.options.onRefused } : {}),
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
      inFlight: this.inFlight.snapshot(),
      shed: this.shedder.snapshot(),
    };
  }

  get peakLevel(): BackpressureLevel {
    return this.peak;
  }
}
