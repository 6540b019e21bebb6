// Feeds an OverloadDetector one reading per sample period (AD-18 inputs, our sampling rule). The
// admission interceptor reports the latency of every handled call; each period the detector gets
// ONE latency, the larger of the event-loop lag p99 and the mean handler latency over the period,
// floored at `latencyFloorMs`, followed by the period's CPU and memory utilisation.
//
// Event-loop lag is what delays every control RPC of a Node process, so it is the honest reading
// of "requests are getting slower"; the floor keeps the detector's delta view (a ratio to a moving
// baseline) from reading scheduler noise around a near-zero idle baseline as a 100 % slowdown.
// The gate and the manager both sample this way.
import type { OverloadDetector, OverloadState } from './overload-detector.js';

/** One process reading over a sample period. */
export interface ResourceSample {
  /** Event-loop lag p99 over the sample period, ms. */
  eventLoopLagMs: number;
  /** CPU utilisation of the process over the period, 0..1. */
  cpu: number;
  /** Memory utilisation (heap used / heap limit), 0..1. */
  memory: number;
}

/** Latencies below this are read as this (ours: a few scheduler quanta of an idle Node process). */
export const DEFAULT_LATENCY_FLOOR_MS = 20;

export class OverloadSampler {
  private handlerLatencySum = 0;
  private handlerLatencyCount = 0;

  constructor(
    private readonly detector: OverloadDetector,
    private readonly latencyFloorMs: number = DEFAULT_LATENCY_FLOOR_MS,
  ) {}

  /** The latency of one handled call, admission to status. */
  recordHandlerLatency(latencyMs: number): void {
    this.handlerLatencySum += latencyMs;
    this.handlerLatencyCount++;
  }

  /** Ends the sample period: one latency and the resource readings to the detector. */
  sample(reading: ResourceSample): OverloadState {
    const handlerMean = this.handlerLatencyCount > 0 ? this.handlerLatencySum / this.handlerLatencyCount : 0;
    this.handlerLatencySum = 0;
    this.handlerLatencyCount = 0;
    this.detector.recordLatency(Math.max(this.latencyFloorMs, reading.eventLoopLagMs, handlerMean));
    return this.detector.recordResources(reading.cpu, reading.memory);
  }
}
