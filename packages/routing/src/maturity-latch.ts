// Whether the gate trusts its own coordinate, with hysteresis. The "converged" bar (facts §7.2:
// ≥ 10 samples and error ≤ 0.5 s) is where routing leaves bootstrap mode; falling back needs a clear
// loss of confidence (error above twice the bar, or the samples gone after a reset). Without the
// gap a coordinate whose error hovers near the bar flipped the router between distance and
// capacity ranking from one job to the next (seen on a loopback cluster).
// The error is the coordinate's absolute error in ms (facts' `e` is in seconds). An earlier version
// compared Vivaldi's relative error with 0.5: a gate next to a datacenter (1 ms links, where a 1 ms
// miss is a 100 % relative error) then stayed in bootstrap for the whole run and ranked by capacity
// alone (bench/routing.ts: 7 % of decisions, nearly all to a farther datacenter).
import { coordinateIsMature } from './bootstrap.js';

export interface MaturityLatchOptions {
  /** facts §7.2 MIN_SAMPLES_FOR_ROUTING. */
  minSamples?: number;
  /** Enter: absolute error at most this, ms (facts §7.2 "converged: error ≤ 0.5 s"). */
  enterMaxErrorMs?: number;
  /** Leave: absolute error above this, ms (ours: twice the entry bar). */
  exitMaxErrorMs?: number;
}

export class MaturityLatch {
  private mature = false;
  private readonly minSamples: number;
  private readonly enterMaxErrorMs: number;
  private readonly exitMaxErrorMs: number;

  constructor(options: MaturityLatchOptions = {}) {
    this.minSamples = options.minSamples ?? 10;
    this.enterMaxErrorMs = options.enterMaxErrorMs ?? 500;
    this.exitMaxErrorMs = options.exitMaxErrorMs ?? 2 * this.enterMaxErrorMs;
  }

  /** Feeds the current coordinate; returns whether routing may use distances. */
  update(sampleCount: number, errorMs: number): boolean {
    if (!this.mature) this.mature = coordinateIsMature(sampleCount, errorMs, this.minSamples, this.enterMaxErrorMs);
    else if (sampleCount < this.minSamples || !(errorMs <= this.exitMaxErrorMs)) this.mature = false;
    return this.mature;
  }
}
