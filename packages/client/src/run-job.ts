// Submit a job and follow it to its one final result, reconnecting the watch stream if it drops
// (a restarted gate, a flaky network) until the result arrives or the caller gives up.
import type { JobSpec } from '@hyperscale/loadgen';
import type { JobResult, JobUpdate } from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import type { HyperscaleClient } from './sdk.js';

export interface RunJobOptions {
  idempotencyKey?: string;
  onSubmitted?: (jobId: string, datacenters: string[]) => void;
  onUpdate?: (update: JobUpdate) => void;
  signal?: AbortSignal;
  /** Watch reconnections before giving up. */
  maxReconnects?: number;
}

export async function followJob(
  client: HyperscaleClient,
  jobId: string,
  options: RunJobOptions = {},
): Promise<JobResult> {
  let reconnects = 0;
  for (;;) {
    try {
      for await (const update of client.watch(jobId, options.signal)) {
        options.onUpdate?.(update);
        if (update.update.case === 'result') return update.update.value;
      }
      // The stream ended without a result: ask directly.
      const info = await client.get(jobId);
      if (info.result) return info.result;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (reconnects >= (options.maxReconnects ?? 20)) throw error;
    }
    reconnects++;
    await sleep(Math.min(5_000, 250 * 2 ** Math.min(reconnects, 5)));
  }
}

export async function runJob(
  client: HyperscaleClient,
  spec: JobSpec,
  options: RunJobOptions = {},
): Promise<{ jobId: string; result: JobResult }> {
  const submitted = await client.submit(spec, {
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.onSubmitted?.(submitted.jobId, submitted.datacenters);
  const result = await followJob(client, submitted.jobId, options);
  return { jobId: submitted.jobId, result };
}
