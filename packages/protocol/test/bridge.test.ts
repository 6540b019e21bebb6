import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelOutcome,
  createClient,
  GateService,
  GrpcStatusError,
  grpcCodeOf,
  grpcMetadataOf,
  invalidArgument,
  JobStatus,
  notFound,
  serviceDefinition,
  serviceImplementation,
  WorkerService,
} from '../src/index.js';

let server: grpc.Server;
let address = '';
const unexpected: string[] = [];

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
      { onUnexpectedError: (method) => unexpected.push(method) },
    ),
  );
  server.addService(
    serviceDefinition(GateService),
    serviceImplementation(GateService, {
      async submitJob() {
        throw notFound('x');
      },
      async watchJob(request, stream) {
        if (request.jobId === 'missing') throw notFound(`job ${request.jobId}`);
        for (let i = 1; i <= 3; i++) {
          await stream.write({ update: { jobId: request.jobId, sequence: BigInt(i) } });
        }
      },
      async getJob() {
        throw new GrpcStatusError(grpc.status.UNIMPLEMENTED, 'no');
      },
      async cancelJob() {
        return { status: JobStatus.CANCELLED };
      },
      async listDatacenters() {
        return { datacenters: [{ name: 'eu-west' }] };
      },
    }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => server.forceShutdown());

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

  it('maps GrpcStatusError to its status with metadata, and other errors to INTERNAL without crashing', async () => {
    const client = createClient(WorkerService, address);
    const bad = await client.dispatchWorkflow({ cores: 0 }).catch((e: unknown) => e);
    expect(grpcCodeOf(bad)).toBe(grpc.status.INVALID_ARGUMENT);
    expect(grpcMetadataOf(bad, 'field-path')).toBe('cores');
    const boom = await client.dispatchWorkflow({ cores: 1000 }).catch((e: unknown) => e);
    expect(grpcCodeOf(boom)).toBe(grpc.status.INTERNAL);
    expect(unexpected).toContain('hyperscale.v1.WorkerService.DispatchWorkflow');
    const ok = await client.cancelWorkflow({ jobId: 'j' });
    expect(ok.outcome).toBe(CancelOutcome.NOT_FOUND);
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

  it('applies deadlines to unary calls', async () => {
    const client = createClient(GateService, '127.0.0.1:1', { defaultDeadlineMs: 300 });
    const error = await client.listDatacenters({}).catch((e: unknown) => e);
    expect([grpc.status.DEADLINE_EXCEEDED, grpc.status.UNAVAILABLE]).toContain(grpcCodeOf(error));
    client.close();
  });
});
