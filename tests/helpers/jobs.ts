// What end-to-end tests ask of a running cluster: a job's final result (polled with GetJob), a
// condition to become true, the request count of merged statistics, a node's debug state, and a
// call retried while the server sheds it.
import { status as grpcStatus } from '@grpc/grpc-js';
import type { HyperscaleClient } from '@hyperscale/client';
import { summarize } from '@hyperscale/loadgen';
import { grpcCodeOf, grpcMetadataOf, type JobResult } from '@hyperscale/protocol';
import { sleep } from '@hyperscale/runtime';
import { statsFromProto } from '@hyperscale/wire';

/**
 * Polls GetJob until the job has its final result; throws after `timeoutMs`. With `retryShed`, a
 * poll the server sheds (RESOURCE_EXHAUSTED, e.g. a gate overloaded because the test host is
 * busy) is retried after the server's retry-after instead of failing the test.
 */
export async function resultOf(
  client: HyperscaleClient,
  jobId: string,
  {
    timeoutMs = 30_000,
    pollMs = 100,
    retryShed = false,
  }: { timeoutMs?: number; pollMs?: number; retryShed?: boolean } = {},
): Promise<JobResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = retryShed ? await whileShed(() => client.get(jobId), deadline - Date.now()) : await client.get(jobId);
    if (job.result) return job.result;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

/**
 * Runs `call`, retrying while the server sheds it (RESOURCE_EXHAUSTED), after its retry-after
 * (`retry-after-ms`, else 100 ms), for at most `timeoutMs`; any other error is thrown at once.
 */
export async function whileShed<T>(call: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (grpcCodeOf(error) !== grpcStatus.RESOURCE_EXHAUSTED || Date.now() > deadline) throw error;
      const hinted = Number(grpcMetadataOf(error, 'retry-after-ms'));
      await sleep(Math.min(1_000, Number.isFinite(hinted) && hinted > 0 ? hinted : 100));
    }
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
