// A fault-injecting wrapper around any PacketTransport (TOOLCHAIN: this kernel has no netem):
// per-destination loss, delay with jitter, duplication and blocked peers, from a seeded Random.
import type { Random } from '@hyperscale/deterministic';
import type { PacketTransport } from '../membership.js';
import type { Timers } from '../types.js';

export interface FaultOptions {
  loss?: number;
  delayMs?: number;
  jitterMs?: number;
  duplication?: number;
}

export class FaultInjectingTransport implements PacketTransport {
  readonly blocked = new Set<string>();
  dropped = 0;

  constructor(
    private readonly inner: PacketTransport,
    private readonly timers: Timers,
    private readonly random: Random,
    public faults: FaultOptions = {},
  ) {}

  send(toAddr: string, bytes: Uint8Array): void {
    const f = this.faults;
    if (this.blocked.has(toAddr) || this.random.next() < (f.loss ?? 0)) {
      this.dropped++;
      return;
    }
    const copies = this.random.next() < (f.duplication ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = (f.delayMs ?? 0) + (f.jitterMs ?? 0) * this.random.next();
      if (delay <= 0) this.inner.send(toAddr, bytes);
      else this.timers.after(delay, () => this.inner.send(toAddr, bytes));
    }
  }
}
