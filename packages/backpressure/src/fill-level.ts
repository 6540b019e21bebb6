// Fill ratio → backpressure level, with hysteresis on the way down. Levels rise the moment the
// fill crosses a threshold (reacting late to an overload is what starves control traffic) and
// fall only once the fill is clearly below it, so a buffer hovering at 0.70 does not make every
// worker flip between NONE and THROTTLE on alternate acks.
import { BackpressureLevel } from './backpressure-signal.js';
import { BACKPRESSURE_DEFAULTS } from './config.js';

export interface LevelThresholds {
  throttleAt: number;
  batchAt: number;
  rejectAt: number;
  hysteresis: number;
}

export class FillLevelTracker {
  private current = BackpressureLevel.NONE;
  private readonly thresholds: LevelThresholds;

  constructor(thresholds: Partial<LevelThresholds> = {}) {
    this.thresholds = { ...BACKPRESSURE_DEFAULTS.levels, ...thresholds };
    const { throttleAt, batchAt, rejectAt, hysteresis } = this.thresholds;
    if (!(throttleAt > 0 && throttleAt < batchAt && batchAt < rejectAt && rejectAt <= 1)) {
      throw new RangeError(`level thresholds must satisfy 0 < throttle < batch < reject <= 1`);
    }
    if (!(hysteresis >= 0 && hysteresis < throttleAt)) {
      throw new RangeError(`hysteresis must be in [0, throttleAt)`);
    }
  }

  get level(): BackpressureLevel {
    return this.current;
  }

  /** Feeds the current fill ratio (0..1, clamped) and returns the resulting level. */
  update(fillRatio: number): BackpressureLevel {
    const fill = Number.isFinite(fillRatio) ? Math.min(1, Math.max(0, fillRatio)) : 1;
    const raw = this.levelAt(fill, 0);
    if (raw >= this.current) {
      this.current = raw;
      return this.current;
    }
    // Going down: keep the highest level whose (threshold − hysteresis) the fill still reaches,
    // but never above where we are.
    const held = this.levelAt(fill, this.thresholds.hysteresis);
    this.current = Math.min(this.current, held) as BackpressureLevel;
    return this.current;
  }

  private levelAt(fill: number, margin: number): BackpressureLevel {
    const { throttleAt, batchAt, rejectAt } = this.thresholds;
    if (fill >= rejectAt - margin) return BackpressureLevel.REJECT;
    if (fill >= batchAt - margin) return BackpressureLevel.BATCH;
    if (fill >= throttleAt - margin) return BackpressureLevel.THROTTLE;
    return BackpressureLevel.NONE;
  }
}
