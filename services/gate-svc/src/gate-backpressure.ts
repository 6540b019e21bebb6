// The gate's backpressure (AD-37 items 4 and 5, AD-22/24/32):
//   - a BackpressureView of every manager's signal, fed by ReportDatacenter, with a level per
//     datacenter that routing sees as load (`queueDepthFor`), ListDatacenters shows, and the
//     progress forwarding to watchers follows (`forwardProgress`);
//   - the admission interceptor (in-flight caps + load shedding by priority) on every RPC, with a
//     per-client token bucket on SubmitJob (submission.client_id, else the peer's host: a client
//     that reconnects from another port is still the same client);
//   - an OverloadDetector fed by event-loop lag, handler latency, CPU and memory, whose state is
//     also the signal the gate puts in its ReportJobProgress acks (managers space their progress
//     pushes by it).
//
// Routing mapping (documented decision): the router's `load = 1 + 0.5·util + 0.3·q/(q+10) + …`
// (facts §7.3) already has a queue term, so datacenter backpressure is added to the datacenter's
// queue depth: NONE +0, THROTTLE +10, BATCH +30, REJECT +90 queued workflows, i.e. a queue term
// of 0 / 0.5 / 0.75 / 0.9 on an empty datacenter. A datacenter at REJECT thus scores like one with
// a long queue (load +0.27), which moves new jobs away when a peer is comparable, without ever
// excluding it (backpressure is about stats, not capacity), and bootstrap ranking (capacity, then
// queue depth) prefers the calmer of two equally free datacenters.
import type { ServerInterceptor } from '@grpc/grpc-js';
import {
  BackpressureLevel,
  type BackpressureSignal,
  BackpressureView,
  type ForwardDecision,
  InFlightTracker,
  LoadShedder,
  levelForOverload,
  OverloadDetector,
  OverloadSampler,
  RateLimiter,
  type RateLimitOperation,
  type ResourceSample,
  signalForLevel,
} from '@hyperscale/backpressure';
import { admissionInterceptor } from '@hyperscale/backpressure/shell';
import type { Clock } from '@hyperscale/deterministic';
import { type GrpcStatusError, resourceExhausted } from '@hyperscale/protocol';

/** Extra queue depth a datacenter's backpressure level stands for (see the header). */
export const QUEUE_DEPTH_OF_LEVEL: Readonly<Record<BackpressureLevel, number>> = {
  [BackpressureLevel.NONE]: 0,
  [BackpressureLevel.THROTTLE]: 10,
  [BackpressureLevel.BATCH]: 30,
  [BackpressureLevel.REJECT]: 90,
};

export const SUBMIT_JOB_PATH = '/hyperscale.v1.GateService/SubmitJob';
const SUBMIT_OPERATION: RateLimitOperation = 'job_submit';

export interface GateBackpressureOptions {
  clock: Clock;
  enabled?: boolean;
  /** SubmitJob token bucket per client. */
  submitCapacity?: number;
  submitRefillPerSecond?: number;
  latencyFloorMs?: number;
}

export class GateBackpressure {
  readonly enabled: boolean;
  readonly view: BackpressureView;
  readonly detector = new OverloadDetector();
  readonly shedder: LoadShedder;
  readonly inFlight = new InFlightTracker();
  readonly rateLimiter: RateLimiter;
  private readonly overloadSampler: OverloadSampler;

  constructor(private readonly options: GateBackpressureOptions) {
    this.enabled = options.enabled ?? true;
    this.view = new BackpressureView(options.clock);
    this.shedder = new LoadShedder(this.detector);
    this.rateLimiter = new RateLimiter(options.clock, {
      operations: {
        [SUBMIT_OPERATION]: {
          capacity: options.submitCapacity ?? 50,
          refillPerSecond: options.submitRefillPerSecond ?? 5,
        },
      },
    });
    this.overloadSampler = new OverloadSampler(this.detector, options.latencyFloorMs);
  }

  /** A manager's signal from its datacenter report. */
  onManagerSignal(managerId: string, datacenter: string, signal: BackpressureSignal): void {
    this.view.update(managerId, datacenter, signal);
  }

  /** The gate's own signal, for its ReportJobProgress acks: its overload state as a level. */
  signal(): BackpressureSignal {
    return signalForLevel(this.enabled ? levelForOverload(this.detector.state) : BackpressureLevel.NONE);
  }

  /** What routing sees: extra queue depth for the datacenter's backpressure (header). */
  queueDepthFor(datacenter: string): number {
    return this.enabled ? QUEUE_DEPTH_OF_LEVEL[this.view.levelFor(datacenter)] : 0;
  }

  /**
   * Whether the progress of a job spanning `datacenters` goes to watchers now: judged by its most
   * backpressured datacenter. Final results never come through here.
   */
  forwardProgress(jobId: string, datacenters: readonly string[]): ForwardDecision {
    if (!this.enabled || datacenters.length === 0) return 'forward';
    let worst = datacenters[0]!;
    for (const dc of datacenters) if (this.view.levelFor(dc) > this.view.levelFor(worst)) worst = dc;
    return this.view.decideForward(worst, jobId, false);
  }

  /** The SubmitJob rate limit: RESOURCE_EXHAUSTED with the bucket's retry-after, or undefined. */
  checkSubmit(clientId: string): GrpcStatusError | undefined {
    const decision = this.rateLimiter.check(clientId, SUBMIT_OPERATION);
    if (decision.allowed) return undefined;
    return resourceExhausted(`job submissions from ${clientId} are rate limited`, decision.retryAfterMs);
  }

  /** One overload reading (see OverloadSampler). Called on the sampling loop. */
  sample(reading: ResourceSample): void {
    this.overloadSampler.sample(reading);
  }

  interceptor(): ServerInterceptor {
    return admissionInterceptor({
      tracker: this.inFlight,
      shedder: this.shedder,
      now: () => this.options.clock.now(),
      enabled: () => this.enabled,
      onLatency: (_path, ms) => this.overloadSampler.recordHandlerLatency(ms),
      check: (path, message, peer) => {
        if (path !== SUBMIT_JOB_PATH) return undefined;
        const clientId = (message as { submission?: { clientId?: unknown } } | undefined)?.submission?.clientId;
        return this.checkSubmit(
          typeof clientId === 'string' && clientId !== '' ? `client:${clientId}` : `peer:${peer.replace(/:\d+$/, '')}`,
        );
      },
    });
  }

  debugState(): unknown {
    return {
      enabled: this.enabled,
      datacenters: this.view.datacenters(),
      forwards: this.view.forwardCounts,
      overloadState: this.detector.state,
      inFlight: this.inFlight.snapshot(),
      shed: this.shedder.snapshot(),
      rateLimitedSubmits: this.rateLimiter.limitedCount(SUBMIT_OPERATION),
    };
  }
}
