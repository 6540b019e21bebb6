// Lifeguard's local health multiplier (memberlist awareness.go). A node that misses acks and nacks
// is more likely slow itself than surrounded by dead peers, so it probes less often and waits
// longer before accusing anyone. The score is an integer in [0, max − 1]; timeouts scale by
// score + 1.

export class Awareness {
  private score = 0;

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`awareness max must be an integer ≥ 1, got ${max}`);
  }

  /** Moves the score by `delta`, clamped to [0, max − 1]. */
  applyDelta(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }

  getHealthScore(): number {
    return this.score;
  }

  /** score + 1: the factor timeouts and the probe interval are multiplied by. */
  multiplier(): number {
    return this.score + 1;
  }

  scaleTimeout(timeoutMs: number): number {
    return timeoutMs * (this.score + 1);
  }
}
