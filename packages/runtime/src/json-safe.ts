// /debug/state dumps live service state, which holds bigints (fence tokens), Maps and Sets that
// JSON.stringify rejects or silently empties. toJsonSafe turns such a value into plain JSON data.

/** Converts a value to JSON-compatible data: bigint → string, Map → object, Set → array, cycles marked. */
export function toJsonSafe(value: unknown): unknown {
  return convert(value, new WeakSet<object>());
}

function convert(value: unknown, ancestors: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (ancestors.has(value)) return '[Circular]';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => convert(item, ancestors) ?? null);
    if (value instanceof Set) return [...value].map((item) => convert(item, ancestors) ?? null);
    const entries: [unknown, unknown][] =
      value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const converted = convert(item, ancestors);
      if (converted !== undefined) result[String(key)] = converted;
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}
