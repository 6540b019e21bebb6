import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelOutcome,
  createClient,
  FIELD_PATH_KEY,
  failedPrecondition,
  GateService,
  GrpcStatusError,
  grpcCodeOf,
  grpcErrorInfo,
  grpcMetadataOf,
  invalidArgument,
  isRetryableGrpcError,
  JobStatus,
  notFound,
  RETRY_AFTER_MS_KEY,
  resourceExhausted,
  serviceDefinition,
  serviceImplementation,
  unavailable,
  WorkerService,
} from '../src/index.js';

/** A promise with its resolver, to hold a handler in flight. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** GetJob fails as its job id says: one case per error convention of DESIGN.md §4. */
function failure(jobId: string): Error | undefined {
  switch (jobId) {
    case 'invalid':
      return invalidArgument('workflows[1].vus', 'must be positive');
    case 'exhausted':
      return resourceExhausted('shedding', 1499.2);
    case 'precondition':
      return failedPrecondition('stale fence token');
    case 'unavailable':
      return unavailable('not the leader', 'mgr-2:7400');
    case 'not-found':
      return notFound('no job j-9');
    case 'custom':
      return new GrpcStatusError(grpc.status.ABORTED, 'conflict', { 'x-reason': 'race' });
    case 'bug':
      return new TypeError('cannot read properties of undefined');
    default:
      return undefined;
  }
}

let server: grpc.Server;
let address = '';
const unexpected: { method: string; error: unknown }[] = [];
let slowEntered = gate();
const slowRelease = gate();
let streamAborted = gate();

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(
    serviceDefinition(WorkerService),
    serviceImplementation(
      WorkerService,
      {
        async dispatchWorkflow(request) {
          if (request.cores === 0) throw invalidArgument('cores', 'must be at least 1');
          if (request.cores > 100) throw new Error('boom');
          return { accepted: true, coresAssigned: request.cores, error: `fence=${request.fenceToken}` };
        },
        async cancelWorkflow() {
          return { outcome: CancelOutcome.NOT_FOUND };
        },
      },
      { onUnexpectedError: (method, error) => unexpected.push({ method, error }) },
    ),
  );
  server.addService(
    serviceDefinition(GateService),
    serviceImplementation(
      GateService,
      {
        async submitJob() {
          throw notFound('x');
        },
        async watchJob(request, stream) {
          if (request.jobId === 'missing') throw notFound(`job ${request.jobId}`);
          if (request.jobId === 'endless') {
            for (let i = 1; !stream.signal.aborted; i++) {
              await stream.write({ update: { jobId: request.jobId, sequence: BigInt(i) } });
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            streamAborted.open();
            return;
          }
          for (let i = 1; i <= 3; i++) {
            if (request.jobId === 'fail-at-3' && i === 3) throw unavailable('leader moved', 'mgr-3:7400');
            await stream.write({ update: { jobId: request.jobId, sequence: BigInt(i) } });
          }
        },
        async getJob(request) {
          if (request.jobId === 'slow') {
            slowEntered.open();
            await slowRelease.promise;
            return { job: { jobId: 'done slow' } };
          }
          const error = failure(request.jobId);
          if (error) throw error;
          throw new GrpcStatusError(grpc.status.UNIMPLEMENTED, 'no');
        },
        async cancelJob() {
          return { status: JobStatus.CANCELLED };
        },
        async listDatacenters(_request, call) {
          const trace = call.metadata.get('x-trace')[0];
          return { datacenters: [{ name: typeof trace === 'string' ? `eu-west ${trace}` : 'eu-west' }] };
        },
      },
      { onUnexpectedError: (method, error) => unexpected.push({ method, error }) },
    ),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  slowRelease.open();
  server.forceShutdown();
});

describe('grpc-js bridge for protobuf-es services', () => {
  it('round-trips a unary call including 64-bit fence tokens', async () => {
    const client = createClient(WorkerService, address);
    const fence = (7n << 32n) | 3n;
    const response = await client.dispatchWorkflow({ jobId: 'j', cores: 2, fenceToken: fence });
    expect(response.accepted).toBe(true);
    expect(response.coresAssigned).toBe(2);
    expect(response.error).toBe(`fence=${fence}`);
    client.close();
  });

  it('sends call metadata to the handler', async () => {
    const client = createClient(GateService, address);
    const response = await client.listDatacenters({}, { metadata: { 'x-trace': 't-1' } });
    expect(response.datacenters.map((d) => d.name)).toEqual(['eu-west t-1']);
    client.close();
  });

  it('maps GrpcStatusError to its status with metadata, and other errors to INTERNAL without crashing', async () => {
    const client = createClient(WorkerService, address);
    const bad = await client.dispatchWorkflow({ cores: 0 }).catch((e: unknown) => e);
    expect(grpcCodeOf(bad)).toBe(grpc.status.INVALID_ARGUMENT);
    expect(grpcMetadataOf(bad, 'field-path')).toBe('cores');
    const boom = await client.dispatchWorkflow({ cores: 1000 }).catch((e: unknown) => e);
    expect(grpcCodeOf(boom)).toBe(grpc.status.INTERNAL);
    expect(unexpected.map((u) => u.method)).toContain('hyperscale.v1.WorkerService.DispatchWorkflow');
    const ok = await client.cancelWorkflow({ jobId: 'j' });
    expect(ok.outcome).toBe(CancelOutcome.NOT_FOUND);
    client.close();
  });

  it('keeps the code and convention metadata of every error kind across the wire', async () => {
    const client = createClient(GateService, address);
    const errorOf = (jobId: string): Promise<unknown> =>
      client.getJob({ jobId }).then(
        () => {
          throw new Error('expected the call to fail');
        },
        (error: unknown) => error,
      );

    expect(grpcErrorInfo(await errorOf('invalid'))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      message: 'workflows[1].vus: must be positive',
      fieldPath: 'workflows[1].vus',
    });
    const exhausted = await errorOf('exhausted');
    expect(grpcErrorInfo(exhausted)).toEqual({
      code: grpc.status.RESOURCE_EXHAUSTED,
      message: 'shedding',
      retryAfterMs: 1500,
    });
    expect(grpcMetadataOf(exhausted, RETRY_AFTER_MS_KEY)).toBe('1500');
    expect(isRetryableGrpcError(exhausted)).toBe(true);
    const stale = await errorOf('precondition');
    expect(grpcErrorInfo(stale)).toEqual({ code: grpc.status.FAILED_PRECONDITION, message: 'stale fence token' });
    expect(isRetryableGrpcError(stale)).toBe(false);
    const notLeader = await errorOf('unavailable');
    expect(grpcErrorInfo(notLeader)).toEqual({
      code: grpc.status.UNAVAILABLE,
      message: 'not the leader',
      leaderHint: 'mgr-2:7400',
    });
    expect(isRetryableGrpcError(notLeader)).toBe(true);
    const missing = await errorOf('not-found');
    expect(grpcErrorInfo(missing)).toEqual({ code: grpc.status.NOT_FOUND, message: 'no job j-9' });
    expect(isRetryableGrpcError(missing)).toBe(false);
    const custom = await errorOf('custom');
    expect(grpcCodeOf(custom)).toBe(grpc.status.ABORTED);
    expect(grpcMetadataOf(custom, 'x-reason')).toBe('race');
    client.close();
  });

  it('reports an unexpected error with its method, answers INTERNAL, and keeps serving', async () => {
    const client = createClient(GateService, address);
    const error = await client.getJob({ jobId: 'bug' }).catch((e: unknown) => e);
    expect(grpcErrorInfo(error)).toEqual({
      code: grpc.status.INTERNAL,
      message: 'internal error in hyperscale.v1.GateService.GetJob: cannot read properties of undefined',
    });
    const reported = unexpected.find((u) => u.method === 'hyperscale.v1.GateService.GetJob');
    expect(reported?.error).toBeInstanceOf(TypeError);
    expect((await client.cancelJob({ jobId: 'j' })).status).toBe(JobStatus.CANCELLED);
    client.close();
  });

  it('streams server messages as an async iterable and surfaces stream errors', async () => {
    const client = createClient(GateService, address);
    const seen: bigint[] = [];
    for await (const message of client.watchJob({ jobId: 'job-1' })) seen.push(message.update?.sequence ?? 0n);
    expect(seen).toEqual([1n, 2n, 3n]);
    let error: unknown;
    try {
      for await (const _ of client.watchJob({ jobId: 'missing' })) {
        // no messages expected
      }
    } catch (e) {
      error = e;
    }
    expect(grpcCodeOf(error)).toBe(grpc.status.NOT_FOUND);
    client.close();
  });

  it('ends a stream with the status of an error thrown mid-stream, after the messages written before it', async () => {
    const client = createClient(GateService, address);
    const seen: bigint[] = [];
    let error: unknown;
    try {
      for await (const message of client.watchJob({ jobId: 'fail-at-3' }, { deadlineMs: 5000 })) {
        seen.push(message.update?.sequence ?? 0n);
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual([1n, 2n]);
    expect(grpcErrorInfo(error)).toEqual({
      code: grpc.status.UNAVAILABLE,
      message: 'leader moved',
      leaderHint: 'mgr-3:7400',
    });
    client.close();
  });

  it('applies deadlines to unary calls', async () => {
    const unreachable = createClient(GateService, '127.0.0.1:1', { defaultDeadlineMs: 300 });
    const error = await unreachable.listDatacenters({}).catch((e: unknown) => e);
    expect([grpc.status.DEADLINE_EXCEEDED, grpc.status.UNAVAILABLE]).toContain(grpcCodeOf(error));
    unreachable.close();

    const client = createClient(GateService, address);
    const late = await client.getJob({ jobId: 'slow' }, { deadlineMs: 50 }).catch((e: unknown) => e);
    expect(grpcErrorInfo(late)?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    client.close();
  });

  it('cancels a unary call on abort, and at once when the signal is already aborted', async () => {
    const client = createClient(GateService, address);
    slowEntered = gate();
    const controller = new AbortController();
    const call = client.getJob({ jobId: 'slow' }, { signal: controller.signal });
    await slowEntered.promise;
    controller.abort();
    expect(grpcErrorInfo(await call.catch((e: unknown) => e))?.code).toBe(grpc.status.CANCELLED);

    const never = client.listDatacenters({}, { signal: AbortSignal.abort() });
    expect(grpcErrorInfo(await never.catch((e: unknown) => e))?.code).toBe(grpc.status.CANCELLED);
    client.close();
  });

  it('cancels a stream on abort, and the handler sees its signal abort', async () => {
    const client = createClient(GateService, address);
    streamAborted = gate();
    const controller = new AbortController();
    const seen: bigint[] = [];
    let error: unknown;
    try {
      for await (const message of client.watchJob({ jobId: 'endless' }, { signal: controller.signal })) {
        seen.push(message.update?.sequence ?? 0n);
        if (seen.length === 2) controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(seen.slice(0, 2)).toEqual([1n, 2n]);
    expect(grpcCodeOf(error)).toBe(grpc.status.CANCELLED);
    await streamAborted.promise;
    client.close();
  });
});

describe('status errors', () => {
  it('reads a thrown GrpcStatusError in process the same way as one received from a call', () => {
    const error = invalidArgument('spec.workflows[0].vus', 'must be at least 1');
    expect(error).toBeInstanceOf(Error);
    expect(error.details).toBe(error.message);
    expect(grpcErrorInfo(error)).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      message: 'spec.workflows[0].vus: must be at least 1',
      fieldPath: 'spec.workflows[0].vus',
    });
    expect(grpcMetadataOf(error, FIELD_PATH_KEY)).toBe('spec.workflows[0].vus');
    expect(grpcErrorInfo(resourceExhausted('shedding', -5))?.retryAfterMs).toBe(0);
    expect(grpcErrorInfo(unavailable('not the leader'))).toEqual({
      code: grpc.status.UNAVAILABLE,
      message: 'not the leader',
    });
  });

  it('answers undefined for errors without a gRPC status', () => {
    for (const error of [new Error('x'), { code: 'ECONNREFUSED' }, { code: 999 }, null, 'boom', undefined]) {
      expect(grpcErrorInfo(error)).toBeUndefined();
      expect(grpcCodeOf(error)).toBeUndefined();
      expect(grpcMetadataOf(error, FIELD_PATH_KEY)).toBeUndefined();
      expect(isRetryableGrpcError(error)).toBe(false);
    }
  });
});
