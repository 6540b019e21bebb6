// Durations in configuration are written the way operators think ('250ms', '5s', '2m') and used as
// milliseconds in code. One parser, so every service accepts the same spellings.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/**
 * Parses '250ms', '5s', '1.5s', '2m', '1h' or a plain number of milliseconds ('1500' or 1500).
 * Returns undefined when the input is not a duration.
 */
export function parseDurationMs(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const match = DURATION_PATTERN.exec(input.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = UNIT_MS[match[2] ?? 'ms'] ?? 1;
  return Math.round(amount * unit);
}

/** Renders milliseconds in the largest unit that keeps it an integer: 5000 → '5s'. */
export function formatDurationMs(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] ?? 1;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
