// Human durations ("500ms", "30s", "2m", "1m30s") as used in k6 and Go, parsed to milliseconds.
// A bare number is rejected by the spec validator: its unit would be a guess.

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y;

/** Milliseconds for "1h", "2m", "30s", "500ms", "1m30s", "1.5s"; undefined when unparseable. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let consumed = 0;
  while (consumed < s.length) {
    PART.lastIndex = consumed;
    const m = PART.exec(s);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** "1m30s"-style rendering for messages and reports. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
