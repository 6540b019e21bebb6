// Whether the gate trusts its own coordinate, with hysteresis. The "converged" bar (facts §7.2:
// ≥ 10 samples and error ≤ 0.5) is where routing leaves bootstrap mode; falling back needs a clear
// loss of confidence (error above twice the bar, or the samples gone after a reset). Without the
// gap a coordinate whose error hovers near 0.5 — common when RTTs are small and noisy — flipped the
// router between distance and capacity ranking from one job to the next (seen on a loopback
// cluster: two consecutive jobs ranked by different rules).
import { coordinateIsMature } from './bootstrap.js';

export interface MaturityLatchOptions {
  /** facts §7.2 MIN_SAMPLES_FOR_ROUTING. */
  minSamples?: number;
  /** Enter: error at most this (facts §7.2 "converged: error ≤ 0.5"). */
  enterMaxError?: number;
  /** Leave: error above this (ours: twice the entry bar). */
  exitMaxError?: number;
}

export class MaturityLatch {
  private mature = false;
  private readonly minSamples: number;
  private readonly enterMaxError: number;
  private readonly exitMaxError: number;

  constructor(options: MaturityLatchOptions = {}) {
    this.minSamples = options.minSamples ?? 10;
    this.enterMaxError = options.enterMaxError ?? 0.5;
    this.exitMaxError = options.exitMaxError ?? 2 * this.enterMaxError;
  }

  /** Feeds the current coordinate; returns whether routing may use distances. */
  update(sampleCount: number, error: number): boolean {
    if (!this.mature) this.mature = coordinateIsMature(sampleCount, error, this.minSamples, this.enterMaxError);
    else if (sampleCount < this.minSamples || !(error <= this.exitMaxError)) this.mature = false;
    return this.mature;
  }
}
