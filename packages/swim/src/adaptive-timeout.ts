// AD-35 timeout scaling (facts §7.2): a probe to a far or poorly-known peer waits longer, and a
// node in poor local health waits longer still, within configured bounds.
import { ADAPTIVE_TIMEOUT, type RoleConfirmationPolicy } from './config.js';

/** `min(10, max(1, rttUcb / 10 ms))`; 1 when no estimate exists at all. */
export function latencyMultiplier(rttUcbMs: number | undefined): number {
  if (rttUcbMs === undefined || !Number.isFinite(rttUcbMs)) return 1;
  return Math.min(ADAPTIVE_TIMEOUT.maxLatencyMultiplier, Math.max(1, rttUcbMs / ADAPTIVE_TIMEOUT.latencyUnitMs));
}

/** `1 + 0.5 × (1 − quality)`, quality clamped to [0, 1]; 1 when no estimate exists. */
export function confidenceMultiplier(quality: number | undefined): number {
  if (quality === undefined || !Number.isFinite(quality)) return 1;
  const q = Math.min(1, Math.max(0, quality));
  return 1 + ADAPTIVE_TIMEOUT.confidenceWeight * (1 - q);
}

/** base × local health × latency × confidence, clamped to [base, max]. */
export function adaptiveProbeTimeoutMs(
  baseMs: number,
  localHealthMultiplier: number,
  latency: number,
  confidence: number,
  maxMs: number,
): number {
  const scaled = baseMs * localHealthMultiplier * latency * confidence;
  return Math.min(Math.max(baseMs, maxMs), Math.max(baseMs, scaled));
}

/** How long a never-confirmed peer of this role is kept before it is removed. */
export function unconfirmedTimeoutMs(
  policy: RoleConfirmationPolicy,
  localHealthMultiplier: number,
  latency: number,
  confidence: number,
): number {
  const load = Math.min(localHealthMultiplier, policy.loadMultiplierMax);
  if (!policy.useVivaldi) return policy.passiveTimeoutMs * load;
  return policy.passiveTimeoutMs * latency * load * confidence;
}
