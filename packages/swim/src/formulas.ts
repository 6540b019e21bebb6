// memberlist's util.go formulas, as the code implements them (anchors §1.2): log10, not the
// log(N+1) the field comments claim.

/** Base suspicion timeout: `suspicionMult × max(1, log10(max(1, n))) × probeInterval`. */
export function suspicionTimeoutMs(suspicionMult: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  // memberlist keeps three decimals of the scale: interval × int(scale × 1000) / 1000.
  return Math.floor((suspicionMult * probeIntervalMs * Math.floor(nodeScale * 1000)) / 1000);
}

/** How many times an update is retransmitted: `retransmitMult × ceil(log10(n + 1))`. */
export function retransmitLimit(retransmitMult: number, n: number): number {
  const nodeScale = Math.ceil(Math.log10(n + 1));
  return retransmitMult * nodeScale;
}

/** Push/pull interval: unchanged up to 32 members, then × `ceil(log2 n − log2 32) + 1`. */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  const threshold = 32;
  if (n <= threshold) return intervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1;
  return multiplier * intervalMs;
}

/**
 * Time left on a suspicion timer after `confirmations` independent confirmations (memberlist
 * suspicion.go remainingSuspicionTime): the timeout falls from `max` towards `min` as
 * log(c+1)/log(k+1), is floored at `min` and truncated to whole milliseconds.
 */
export function remainingSuspicionTimeMs(
  confirmations: number,
  k: number,
  elapsedMs: number,
  minMs: number,
  maxMs: number,
): number {
  const fraction = Math.log(confirmations + 1) / Math.log(k + 1);
  const raw = maxMs / 1000 - fraction * ((maxMs - minMs) / 1000);
  let timeout = Math.floor(1000 * raw);
  if (timeout < minMs) timeout = minMs;
  return timeout - elapsedMs;
}
