import {
  type Client,
  credentials,
  type MethodDefinition,
  makeGenericClientConstructor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { type GrpcServer, startGrpcServer } from '../src/index.js';
import { captureLogger } from './helpers.js';

// A hand-built service with JSON-encoded messages and plain grpc-js handlers: startGrpcServer is
// generic over grpc-js definitions (the typed bridge is @hyperscale/protocol's, tested there).
interface EchoRequest {
  text: string;
}
interface EchoResponse {
  text: string;
}

function jsonMethod<Req, Res>(name: string): MethodDefinition<Req, Res> {
  return {
    path: `/test.v1.EchoService/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Req) => Buffer.from(JSON.stringify(value)),
    requestDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Req,
    responseSerialize: (value: Res) => Buffer.from(JSON.stringify(value)),
    responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Res,
  };
}

const echoService = {
  echo: jsonMethod<EchoRequest, EchoResponse>('Echo'),
  slow: jsonMethod<EchoRequest, EchoResponse>('Slow'),
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

type UnaryOnClient = (
  request: EchoRequest,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: EchoResponse) => void,
) => void;

/** Calls `method` on a generic client with a deadline; resolves with the response or the error. */
function call(client: Client, method: keyof typeof echoService, text: string, deadlineMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, UnaryOnClient>)[method]!;
    fn.call(client, { text }, { deadline: Date.now() + deadlineMs }, (error, response) => resolve(error ?? response));
  });
}

const codeOf = (result: unknown): number | undefined => (result as Partial<ServiceError> | undefined)?.code;

describe('startGrpcServer', () => {
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
            echo: (call: ServerUnaryCall<EchoRequest, EchoResponse>, callback: sendUnaryData<EchoResponse>) =>
              callback(null, { text: call.request.text.toUpperCase() }),
            slow: (call: ServerUnaryCall<EchoRequest, EchoResponse>, callback: sendUnaryData<EchoResponse>) => {
              slowEntered.open();
              void release.then(() => callback(null, { text: `done ${call.request.text}` }));
            },
          },
        },
      ],
    });
    const client = new EchoClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    clients.push(client);
    return client;
  }

  it('binds port 0 to a free port, serves the registered service and logs where it listens', async () => {
    const captured = captureLogger();
    const client = await start(captured.logger);
    expect(server?.port).toBeGreaterThan(0);
    expect(await call(client, 'echo', 'hello', 5000)).toEqual({ text: 'HELLO' });
    expect(captured.lines().find((line) => line['msg'] === 'gRPC server listening')).toMatchObject({
      component: 'grpc-server',
      host: '127.0.0.1',
      port: server?.port,
    });
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
    const inFlight = call(client, 'slow', 'accepted', 10_000);
    await slowEntered.promise;
    let stopped = false;
    const shutdown = running.tryShutdown(10_000).then(() => {
      stopped = true;
    });
    // A fresh client cannot reach a server that stopped accepting.
    const other = new EchoClient(`127.0.0.1:${running.port}`, credentials.createInsecure());
    clients.push(other);
    const refused = await call(other, 'echo', 'new', 2000);
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(codeOf(refused));
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
    const captured = captureLogger();
    const client = await start(captured.logger, never.promise);
    const running = server!;
    const inFlight = call(client, 'slow', 'stuck', 10_000);
    await slowEntered.promise;
    await running.tryShutdown(100);
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(codeOf(await inFlight));
    expect(captured.lines().find((line) => line['level'] === 'warn')).toMatchObject({ graceMs: 100 });
    never.open();
    server = undefined;
  });

  it('forceShutdown closes the server at once', async () => {
    const client = await start();
    const running = server!;
    const inFlight = call(client, 'slow', 'cut', 10_000);
    await slowEntered.promise;
    running.forceShutdown();
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(codeOf(await inFlight));
    server = undefined;
  });
});
