// The overload detector (AD-18, facts §5). It turns a stream of request latencies plus CPU and
// memory readings into one of four states. Four independent views, the worst wins:
//   delta     the recent mean latency against a slow-moving EMA baseline (relative slowdown),
//             ignored during warm-up while the baseline forms; a rising fast-vs-slow EMA drift
//             escalates it one level (a slow creep the baseline would otherwise absorb);
//   absolute  the recent mean latency against fixed ceilings (catches a baseline that crept up);
//   cpu       utilisation 0..1;
//   memory    utilisation 0..1.
// Escalation is immediate; relaxing needs `relaxAfterSamples` consecutive lower verdicts, so a
// single fast sample in the middle of a storm does not reopen the gates.
import { BACKPRESSURE_DEFAULTS } from './config.js';

export enum OverloadState {
  HEALTHY = 0,
  BUSY = 1,
  STRESSED = 2,
  OVERLOADED = 3,
}

export interface OverloadConfig {
  emaAlpha: number;
  slowEmaAlpha: number;
  currentWindow: number;
  minSamples: number;
  warmupSamples: number;
  deltaThresholds: readonly [number, number, number];
  driftEscalate: number;
  driftLiftHealthy: number;
  latencyThresholdsMs: readonly [number, number, number];
  cpuThresholds: readonly [number, number, number];
  memoryThresholds: readonly [number, number, number];
  relaxAfterSamples: number;
}

export interface OverloadDiagnostics {
  readonly state: OverloadState;
  readonly samples: number;
  readonly baselineMs: number;
  readonly recentMeanMs: number;
  readonly delta: number;
  readonly drift: number;
  readonly byDelta: OverloadState;
  readonly byLatency: OverloadState;
  readonly byCpu: OverloadState;
  readonly byMemory: OverloadState;
}

export class OverloadDetector {
  private readonly config: OverloadConfig;
  private readonly window: number[] = [];
  private windowSum = 0;
  private samples = 0;
  private ema = 0;
  private slowEma = 0;
  private cpu = 0;
  private memory = 0;
  private current = OverloadState.HEALTHY;
  private lowerStreak = 0;
  private last: OverloadDiagnostics;

  constructor(config: Partial<OverloadConfig> = {}) {
    this.config = { ...BACKPRESSURE_DEFAULTS.overload, ...config };
    if (!(this.config.currentWindow >= 1 && this.config.relaxAfterSamples >= 1)) {
      throw new RangeError('currentWindow and relaxAfterSamples must be >= 1');
    }
    this.last = this.diagnose();
  }

  get state(): OverloadState {
    return this.current;
  }

  /** Adds one request latency (ms) and re-evaluates. Non-finite or negative samples are ignored. */
  recordLatency(latencyMs: number): OverloadState {
    if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) return this.current;
    this.samples++;
    if (this.samples === 1) {
      this.ema = latencyMs;
      this.slowEma = latencyMs;
    } else {
      this.ema += this.config.emaAlpha * (latencyMs - this.ema);
      this.slowEma += this.config.slowEmaAlpha * (latencyMs - this.slowEma);
    }
    this.window.push(latencyMs);
    this.windowSum += latencyMs;
    if (this.window.length > this.config.currentWindow) this.windowSum -= this.window.shift()!;
    return this.evaluate();
  }

  /** Sets the latest CPU and memory utilisation (0..1) and re-evaluates. */
  recordResources(cpuUtilisation: number, memoryUtilisation: number): OverloadState {
    this.cpu = clamp01(cpuUtilisation);
    this.memory = clamp01(memoryUtilisation);
    return this.evaluate();
  }

  diagnostics(): OverloadDiagnostics {
    return this.last;
  }

  private evaluate(): OverloadState {
    this.last = this.diagnose();
    const candidate = Math.max(this.last.byDelta, this.last.byLatency, this.last.byCpu, this.last.byMemory);
    if (candidate >= this.current) {
      this.current = candidate;
      this.lowerStreak = 0;
    } else if (++this.lowerStreak >= this.config.relaxAfterSamples) {
      this.current = candidate;
      this.lowerStreak = 0;
    }
    this.last = { ...this.last, state: this.current };
    return this.current;
  }

  private diagnose(): OverloadDiagnostics {
    const c = this.config;
    const haveLatency = this.samples >= c.minSamples && this.window.length > 0;
    const recentMeanMs = this.window.length > 0 ? this.windowSum / this.window.length : 0;
    const delta = haveLatency && this.ema > 0 ? (recentMeanMs - this.ema) / this.ema : 0;
    const drift = haveLatency && this.slowEma > 0 ? (this.ema - this.slowEma) / this.slowEma : 0;
    let byDelta = OverloadState.HEALTHY;
    if (haveLatency && this.samples > c.warmupSamples) {
      byDelta = stateAbove(delta, c.deltaThresholds);
      if (drift > c.driftEscalate && byDelta > OverloadState.HEALTHY) {
        byDelta = Math.min(OverloadState.OVERLOADED, byDelta + 1) as OverloadState;
      }
      if (drift > c.driftLiftHealthy && byDelta === OverloadState.HEALTHY) byDelta = OverloadState.BUSY;
    }
    return {
      state: this.current,
      samples: this.samples,
      baselineMs: this.ema,
      recentMeanMs,
      delta,
      drift,
      byDelta,
      byLatency: haveLatency ? stateAbove(recentMeanMs, c.latencyThresholdsMs) : OverloadState.HEALTHY,
      byCpu: stateAbove(this.cpu, c.cpuThresholds),
      byMemory: stateAbove(this.memory, c.memoryThresholds),
    };
  }
}

/** Strictly above threshold i ⇒ state i+1 (facts §5: "> 0.2/0.5/1.0"). */
function stateAbove(value: number, thresholds: readonly [number, number, number]): OverloadState {
  if (value > thresholds[2]) return OverloadState.OVERLOADED;
  if (value > thresholds[1]) return OverloadState.STRESSED;
  if (value > thresholds[0]) return OverloadState.BUSY;
  return OverloadState.HEALTHY;
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
