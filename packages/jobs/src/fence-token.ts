// Fence tokens (facts §3.4, DESIGN.md §5): `(term << 32) | counter`, so every token of a later
// term beats every token of an earlier one, and receivers accept only strictly greater tokens.

const COUNTER_BITS = 32n;
const COUNTER_MASK = (1n << COUNTER_BITS) - 1n;

export function fenceToken(term: bigint | number, counter: bigint | number): bigint {
  return (BigInt(term) << COUNTER_BITS) | (BigInt(counter) & COUNTER_MASK);
}

export function termOf(token: bigint): bigint {
  return token >> COUNTER_BITS;
}

/** Issues increasing tokens for one leader term. */
export class FenceTokenIssuer {
  private term: bigint;
  private counter = 0n;

  constructor(term: bigint | number = 1n) {
    this.term = BigInt(term);
  }

  next(): bigint {
    this.counter += 1n;
    if (this.counter > COUNTER_MASK) throw new RangeError('fence counter exhausted for this term');
    return fenceToken(this.term, this.counter);
  }

  /** A new leadership term: later tokens beat every token issued before. */
  enterTerm(term: bigint | number): void {
    const next = BigInt(term);
    if (next <= this.term) throw new RangeError(`term must grow: ${next} ≤ ${this.term}`);
    this.term = next;
    this.counter = 0n;
  }
}

/** Remembers the last token per key and accepts only strictly greater ones; bounded. */
export class FenceGuard {
  private readonly last = new Map<string, bigint>();

  constructor(private readonly maxKeys = 100_000) {}

  /** True (and remembered) when `token` is greater than the last one for `key`. */
  accept(key: string, token: bigint): boolean {
    const previous = this.last.get(key);
    if (previous !== undefined && token <= previous) return false;
    this.last.delete(key);
    this.last.set(key, token);
    while (this.last.size > this.maxKeys) {
      const oldest = this.last.keys().next().value as string;
      this.last.delete(oldest);
    }
    return true;
  }

  lastToken(key: string): bigint | undefined {
    return this.last.get(key);
  }

  forget(key: string): void {
    this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}
