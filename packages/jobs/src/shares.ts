// How work is divided: cores among ready workflows (facts §1.3 step 4, AUTO priority) and a
// workflow's VUs among the workers chosen for it (largest remainder, so shares sum exactly).

/**
 * Cores for each of `readyCount` workflows out of `freeCores`: k = min(n, free) workflows get
 * ⌊free/k⌋ each, the first free mod k one more, the rest wait (0).
 */
export function splitCoresAcrossWorkflows(readyCount: number, freeCores: number): number[] {
  const result = new Array<number>(readyCount).fill(0);
  const k = Math.min(readyCount, freeCores);
  if (k <= 0) return result;
  const base = Math.floor(freeCores / k);
  const extra = freeCores % k;
  for (let i = 0; i < k; i++) result[i] = base + (i < extra ? 1 : 0);
  return result;
}

/** Splits an integer total proportionally to weights; the parts sum exactly to `total`. */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (sum <= 0)
    return splitProportionally(
      total,
      weights.map(() => 1),
    );
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]! += 1;
    left--;
  }
  return parts;
}

/** Splits a rate (float) proportionally to weights. */
export function splitRate(rate: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (sum > 0 ? (rate * w) / sum : rate / weights.length));
}
