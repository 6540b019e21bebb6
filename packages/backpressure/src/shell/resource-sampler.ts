// Readings for the overload detector, taken from the process itself: event-loop lag (p99 since the
// last reading), CPU utilisation of the process since the last reading (user + system time over
// wall time, 0..1; a Node process does its request work on one thread, so one core is its
// capacity), and heap used over the V8 heap limit. One reading per call; the caller owns the loop.
// Shared by gate-svc and manager-svc.
import { getHeapStatistics } from 'node:v8';
import { startEventLoopLagMonitor } from '@hyperscale/runtime';
import type { ResourceSample } from '../overload-sampler.js';

/** Event-loop sampling period; node's histogram includes it in every value, so it is subtracted. */
const LAG_RESOLUTION_MS = 10;

export class ResourceSampler {
  private readonly lag = startEventLoopLagMonitor({ resolutionMs: LAG_RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  read(): ResourceSample {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const wallUs = Math.max(1, (now - this.lastAt) * 1000);
    const usedUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    this.lastCpu = cpu;
    this.lastAt = now;
    const lag = this.lag.snapshot();
    this.lag.reset();
    const heap = getHeapStatistics();
    return {
      eventLoopLagMs: Math.max(0, lag.p99Ms - LAG_RESOLUTION_MS),
      cpu: Math.min(1, usedUs / wallUs),
      memory: heap.heap_size_limit > 0 ? heap.used_heap_size / heap.heap_size_limit : 0,
    };
  }

  stop(): void {
    this.lag.stop();
  }
}
