import {
  type Client,
  credentials,
  Metadata,
  type MethodDefinition,
  makeGenericClientConstructor,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callUnary,
  deadlineIn,
  failedPrecondition,
  type GrpcServer,
  grpcError,
  grpcErrorInfo,
  invalidArgument,
  isRetryableGrpcError,
  notFound,
  resourceExhausted,
  serverStreamHandler,
  startGrpcServer,
  unaryHandler,
  unavailable,
} from '../src/index.js';
import { captureLogger } from './helpers.js';

// A hand-built service with JSON-encoded messages: the helpers are generic over grpc-js definitions.
interface EchoRequest {
  text: string;
  fail?: string;
}
interface EchoResponse {
  text: string;
  trace?: string;
}

function jsonMethod<Req, Res>(name: string, responseStream = false): MethodDefinition<Req, Res> {
  return {
    path: `/test.v1.EchoService/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: (value: Req) => Buffer.from(JSON.stringify(value)),
    requestDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Req,
    responseSerialize: (value: Res) => Buffer.from(JSON.stringify(value)),
    responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Res,
  };
}

const echoService = {
  echo: jsonMethod<EchoRequest, EchoResponse>('Echo'),
  slow: jsonMethod<EchoRequest, EchoResponse>('Slow'),
  count: jsonMethod<{ upTo: number; failAt?: number }, { n: number }>('Count', true),
} satisfies ServiceDefinition;

const EchoClient = makeGenericClientConstructor(echoService, 'EchoService');

/** A promise with its resolver, to hold a handler in flight. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

function failure(request: EchoRequest): Error | undefined {
  switch (request.fail) {
    case 'invalid':
      return invalidArgument('vus must be positive', 'workflows[1].vus');
    case 'exhausted':
      return resourceExhausted('shedding', 1499.2);
    case 'precondition':
      return failedPrecondition('stale fence token');
    case 'unavailable':
      return unavailable('not the leader', 'mgr-2:7400');
    case 'not-found':
      return notFound('no job j-9');
    case 'custom':
      return grpcError(status.ABORTED, 'conflict', { 'x-reason': 'race' });
    case 'bug':
      return new TypeError('cannot read properties of undefined');
    default:
      return undefined;
  }
}

describe('gRPC helpers', () => {
  let server: GrpcServer | undefined;
  const clients: Client[] = [];
  let held = gate();
  let slowEntered = gate();

  afterEach(async () => {
    held.open();
    for (const client of clients.splice(0)) client.close();
    await server?.tryShutdown(1000);
    server = undefined;
  });

  /** Starts the echo server; its Slow handler waits for `slowRelease` (by default until the test ends). */
  async function start(logger = captureLogger().logger, slowRelease?: Promise<void>): Promise<Client> {
    slowEntered = gate();
    held = gate();
    const release = slowRelease ?? held.promise;
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [
        {
          definition: echoService,
          implementation: {
            echo: unaryHandler<EchoRequest, EchoResponse>((request, call) => {
              const error = failure(request);
              if (error) throw error; // thrown synchronously: still mapped
              const trace = call.metadata.get('x-trace')[0];
              return { text: request.text.toUpperCase(), ...(typeof trace === 'string' ? { trace } : {}) };
            }),
            slow: unaryHandler<EchoRequest, EchoResponse>(async (request) => {
              slowEntered.open();
              await release;
              return { text: `done ${request.text}` };
            }),
            count: serverStreamHandler<{ upTo: number; failAt?: number }, { n: number }>(async (request, call) => {
              for (let n = 1; n <= request.upTo; n++) {
                if (n === request.failAt) throw unavailable('leader moved', 'mgr-3:7400');
                call.write({ n });
              }
            }),
          },
        },
      ],
    });
    const client = new EchoClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    clients.push(client);
    return client;
  }

  it('binds port 0 to a free port and calls through a MethodDefinition or a method name with metadata', async () => {
    const client = await start();
    expect(server?.port).toBeGreaterThan(0);
    const metadata = new Metadata();
    metadata.set('x-trace', 't-1');
    const response = await callUnary(client, echoService.echo, { text: 'hello' }, { deadlineMs: 5000, metadata });
    expect(response).toEqual({ text: 'HELLO', trace: 't-1' });
    expect(await callUnary<EchoResponse>(client, 'echo', { text: 'by name' }, { deadlineMs: 5000 })).toEqual({
      text: 'BY NAME',
    });
    await expect(callUnary(client, 'nope', {}, { deadlineMs: 5000 })).rejects.toThrow(
      "the client has no method 'nope'",
    );
  });

  it('keeps the code and metadata of a thrown GrpcStatusError', async () => {
    const client = await start();
    const errorOf = async (fail: string): Promise<unknown> =>
      callUnary(client, echoService.echo, { text: 'x', fail }, { deadlineMs: 5000 }).then(
        () => {
          throw new Error('expected the call to fail');
        },
        (error: unknown) => error,
      );

    expect(grpcErrorInfo(await errorOf('invalid'))).toEqual({
      code: status.INVALID_ARGUMENT,
      message: 'vus must be positive',
      fieldPath: 'workflows[1].vus',
    });
    const exhausted = await errorOf('exhausted');
    expect(grpcErrorInfo(exhausted)).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      message: 'shedding',
      retryAfterMs: 1500,
    });
    expect(isRetryableGrpcError(exhausted)).toBe(true);
    expect(grpcErrorInfo(await errorOf('precondition'))).toEqual({
      code: status.FAILED_PRECONDITION,
      message: 'stale fence token',
    });
    const notLeader = await errorOf('unavailable');
    expect(grpcErrorInfo(notLeader)).toEqual({
      code: status.UNAVAILABLE,
      message: 'not the leader',
      leaderHint: 'mgr-2:7400',
    });
    expect(isRetryableGrpcError(notLeader)).toBe(true);
    const missing = await errorOf('not-found');
    expect(grpcErrorInfo(missing)).toEqual({ code: status.NOT_FOUND, message: 'no job j-9' });
    expect(isRetryableGrpcError(missing)).toBe(false);
    const custom = (await errorOf('custom')) as { code: number; metadata: Metadata };
    expect(custom.code).toBe(status.ABORTED);
    expect(custom.metadata.get('x-reason')).toEqual(['race']);
  });

  it('turns any other error into INTERNAL, logs it with the method, and keeps serving', async () => {
    const captured = captureLogger();
    const client = await start(captured.logger);
    const error = await callUnary(client, echoService.echo, { text: 'x', fail: 'bug' }, { deadlineMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(grpcErrorInfo(error)).toEqual({ code: status.INTERNAL, message: 'cannot read properties of undefined' });
    const logged = captured.lines().find((line) => line['msg'] === 'handler failed unexpectedly');
    expect(logged).toMatchObject({
      level: 'error',
      component: 'grpc-server',
      method: '/test.v1.EchoService/Echo',
      err: { message: 'cannot read properties of undefined' },
    });
    expect(await callUnary(client, echoService.echo, { text: 'still up' }, { deadlineMs: 5000 })).toEqual({
      text: 'STILL UP',
    });
  });

  it('streams responses, ends the stream, and maps a thrown error to the stream status', async () => {
    const client = await start();
    const read = async (request: { upTo: number; failAt?: number }): Promise<{ items: number[]; error?: unknown }> => {
      const stream = client.makeServerStreamRequest(
        echoService.count.path,
        echoService.count.requestSerialize,
        echoService.count.responseDeserialize,
        request,
        new Metadata(),
        { deadline: deadlineIn(5000) },
      );
      const items: number[] = [];
      try {
        for await (const item of stream) items.push((item as { n: number }).n);
        return { items };
      } catch (error) {
        return { items, error };
      }
    };
    expect(await read({ upTo: 3 })).toEqual({ items: [1, 2, 3] });
    const failed = await read({ upTo: 5, failAt: 3 });
    expect(failed.items).toEqual([1, 2]);
    expect(grpcErrorInfo(failed.error)).toEqual({
      code: status.UNAVAILABLE,
      message: 'leader moved',
      leaderHint: 'mgr-3:7400',
    });
  });

  it('fails a call at its deadline and cancels a call on abort', async () => {
    const client = await start();
    const late = await callUnary(client, echoService.slow, { text: 'x' }, { deadlineMs: 50 }).catch((e: unknown) => e);
    expect(grpcErrorInfo(late)?.code).toBe(status.DEADLINE_EXCEEDED);

    const controller = new AbortController();
    const call = callUnary(client, echoService.slow, { text: 'y' }, { deadlineMs: 5000, signal: controller.signal });
    await slowEntered.promise;
    controller.abort();
    expect(grpcErrorInfo(await call.catch((e: unknown) => e))?.code).toBe(status.CANCELLED);

    const aborted = AbortSignal.abort();
    const never = callUnary(client, echoService.echo, { text: 'z' }, { deadlineMs: 5000, signal: aborted });
    expect(grpcErrorInfo(await never.catch((e: unknown) => e))?.code).toBe(status.CANCELLED);
  });

  it('rejects when the port is taken', async () => {
    await start();
    const second = startGrpcServer({
      host: '127.0.0.1',
      port: server!.port,
      logger: captureLogger().logger,
      services: [],
    });
    await expect(second).rejects.toThrow(/No address added out of total 1 resolved/);
  });

  it('tryShutdown lets an in-flight call finish and refuses new calls', async () => {
    const release = gate();
    const client = await start(undefined, release.promise);
    const running = server!;
    const inFlight = callUnary(client, echoService.slow, { text: 'accepted' }, { deadlineMs: 10_000 });
    await slowEntered.promise;
    let stopped = false;
    const shutdown = running.tryShutdown(10_000).then(() => {
      stopped = true;
    });
    // A fresh client cannot reach a server that stopped accepting.
    const other = new EchoClient(`127.0.0.1:${running.port}`, credentials.createInsecure());
    clients.push(other);
    const refused = await callUnary(other, echoService.echo, { text: 'new' }, { deadlineMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(grpcErrorInfo(refused)?.code);
    expect(stopped).toBe(false);
    release.open();
    expect(await inFlight).toEqual({ text: 'done accepted' });
    await shutdown;
    expect(stopped).toBe(true);
    expect(running.tryShutdown(10_000)).toBe(running.tryShutdown(1)); // idempotent
    server = undefined;
  });

  it('tryShutdown forces calls still in flight after the grace period', async () => {
    const never = gate();
    const client = await start(undefined, never.promise);
    const running = server!;
    const inFlight = callUnary(client, echoService.slow, { text: 'stuck' }, { deadlineMs: 10_000 }).catch(
      (e: unknown) => e,
    );
    await slowEntered.promise;
    await running.tryShutdown(100);
    const code = grpcErrorInfo(await inFlight)?.code;
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(code);
    never.open();
    server = undefined;
  });
});
