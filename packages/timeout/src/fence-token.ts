// Fence tokens as bigints. Dispatch tokens are `(term << 32) | counter` (facts §3.4) and pass
// 2^53 once a term passes 2^21, where a `number` would silently merge distinct tokens. The same
// composition turns a gate's job lease token into the epoch of its timeout decisions.

export type FenceToken = bigint;

const COUNTER_BITS = 32n;
const COUNTER_MASK = (1n << COUNTER_BITS) - 1n;

/** `(epoch << 32) | counter`: every token of a later epoch beats every token of an earlier one. */
export function composeFenceToken(epoch: bigint, counter: bigint): FenceToken {
  if (epoch < 0n) throw new RangeError(`fence epoch must be >= 0, got ${epoch}`);
  if (counter < 0n || counter > COUNTER_MASK) throw new RangeError(`fence counter must fit 32 bits, got ${counter}`);
  return (epoch << COUNTER_BITS) | counter;
}

export function fenceEpoch(token: FenceToken): bigint {
  return token >> COUNTER_BITS;
}

export function fenceCounter(token: FenceToken): bigint {
  return token & COUNTER_MASK;
}

/** Next token in the same epoch; rolls into the next epoch when the counter is full. */
export function nextFenceToken(token: FenceToken): FenceToken {
  return token + 1n;
}

export function maxFence(a: FenceToken, b: FenceToken): FenceToken {
  return a > b ? a : b;
}

/** Parses a decimal string (snapshots, JSON) into a fence token; refuses anything else. */
export function parseFenceToken(text: string): FenceToken {
  if (!/^\d{1,40}$/.test(text)) throw new RangeError(`not a fence token: ${JSON.stringify(text)}`);
  return BigInt(text);
}
