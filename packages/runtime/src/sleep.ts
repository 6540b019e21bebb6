// Waiting in the imperative shell: a promise that resolves after `ms` and rejects with an AbortError
// when the signal aborts, so every wait can be cut short on shutdown.
import { setTimeout as delay } from 'node:timers/promises';

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(Math.max(0, ms), undefined, signal === undefined ? undefined : { signal });
}
