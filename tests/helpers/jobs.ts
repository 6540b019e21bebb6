// What end-to-end tests ask of a running cluster: a job's final result (polled with GetJob), a
// condition to become true, the request count of merged statistics, a node's debug state.
import type { HyperscaleClient } from '@hyperscale/client';
import { summarize } from '@hyperscale/loadgen';
import type { JobResult } from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import { statsFromProto } from '@hyperscale/wire';

/** Polls GetJob until the job has its final result; throws after `timeoutMs`. */
export async function resultOf(
  client: HyperscaleClient,
  jobId: string,
  { timeoutMs = 30_000, pollMs = 100 }: { timeoutMs?: number; pollMs?: number } = {},
): Promise<JobResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.get(jobId);
    if (job.result) return job.result;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

/** Waits until `check` holds, polling every 50 ms; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Requests counted in a result's workflow statistics. */
export function requestsOf(workflows: JobResult['merged']): number {
  return workflows.reduce((n, w) => n + summarize(statsFromProto(w)!).requests, 0);
}

/** A node's `/debug/state` (admin HTTP), as the caller expects it to look. */
export async function debugStateOf<T>(node: { adminUrl: string }): Promise<T> {
  return (await (await fetch(`${node.adminUrl}/debug/state`)).json()) as T;
}
