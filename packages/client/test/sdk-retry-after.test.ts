// The SDK against a real grpc-js server that sheds the first submission with RESOURCE_EXHAUSTED and
// a retry-after, then accepts: the retry waits at least the retry-after, carries the same
// idempotency key, and the job exists once. Also: a retry-after beyond 60 s is not waited for.
import { status as grpcStatus, Server, ServerCredentials } from '@grpc/grpc-js';
import { parseJobSpec } from '@hyperscale/loadgen';
import {
  GateService,
  grpcCodeOf,
  type HandlersOf,
  resourceExhausted,
  serviceDefinition,
  serviceImplementation,
} from '@hyperscale/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HyperscaleClient } from '../src/sdk.js';

const spec = parseJobSpec(`
name: retry
workflows:
  - name: w
    vus: 1
    duration: 1s
    steps:
      - name: s
        url: http://127.0.0.1:1/
`);

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.forceShutdown();
});

/** A gate that refuses the first `refusals` submissions, then accepts (deduplicating by key). */
async function fakeGate(refusals: number, retryAfterMs: number) {
  const calls: { atMs: number; key: string }[] = [];
  const jobs = new Map<string, string>();
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  const handlers: HandlersOf<typeof GateService> = {
    submitJob: async (request) => {
      const key = request.submission?.idempotencyKey ?? '';
      calls.push({ atMs: performance.now(), key });
      if (calls.length <= refusals) throw resourceExhausted('rate limited', retryAfterMs);
      const existing = jobs.get(key);
      if (existing) return { accepted: { jobId: existing, duplicate: true, datacenters: ['dc-a'] } };
      const jobId = `job-${jobs.size + 1}`;
      jobs.set(key, jobId);
      return { accepted: { jobId, duplicate: false, datacenters: ['dc-a'] } };
    },
    watchJob: unused,
    getJob: unused,
    cancelJob: unused,
    listDatacenters: unused,
  };
  const server = new Server();
  servers.push(server);
  server.addService(serviceDefinition(GateService), serviceImplementation(GateService, handlers));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, calls, jobs };
}

describe('SDK and RESOURCE_EXHAUSTED', () => {
  it('waits at least the retry-after, retries with the same idempotency key, and submits once', async () => {
    const gate = await fakeGate(1, 300);
    // A short policy base so the server's retry-after, not the backoff, decides the wait.
    const client = new HyperscaleClient(gate.address, { rateLimitRetry: { baseDelayMs: 50 } });
    const { jobId, duplicate } = await client.submit(spec);
    client.close();
    expect(jobId).toBe('job-1');
    expect(duplicate).toBe(false);
    expect(gate.calls).toHaveLength(2);
    expect(gate.calls[1]!.key).toBe(gate.calls[0]!.key);
    expect(gate.calls[1]!.atMs - gate.calls[0]!.atMs).toBeGreaterThanOrEqual(300);
    expect(gate.jobs.size).toBe(1);
  });

  it('backs off ×1.5 and gives up after 3 retries', async () => {
    const gate = await fakeGate(10, 0);
    const waits: number[] = [];
    const client = new HyperscaleClient(gate.address, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const error = await client.submit(spec).catch((e: unknown) => e);
    client.close();
    expect(grpcCodeOf(error)).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect(waits).toEqual([1_000, 1_500, 2_250]);
    expect(gate.calls).toHaveLength(4);
  });

  it('does not wait when the server asks for more than 60 s', async () => {
    const gate = await fakeGate(10, 61_000);
    const waits: number[] = [];
    const client = new HyperscaleClient(gate.address, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const error = await client.submit(spec).catch((e: unknown) => e);
    client.close();
    expect(grpcCodeOf(error)).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    expect(waits).toEqual([]);
    expect(gate.calls).toHaveLength(1);
  });
});
