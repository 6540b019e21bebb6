// Typed promise/async-iterator clients over grpc-js for generated services. Every call has a
// deadline (DESIGN.md §4): callers pass one or get the client's default.
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { create } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as grpc from '@grpc/grpc-js';
import { serviceDefinition } from './service-definition.js';

export interface CallOptions {
  /** Milliseconds from now; default from the client options. 0 = no deadline (streams only). */
  deadlineMs?: number;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

type ClientMethod<M extends GenServiceMethods[string]> = M['methodKind'] extends 'unary'
  ? (request: MessageInitShape<M['input']>, options?: CallOptions) => Promise<MessageShape<M['output']>>
  : M['methodKind'] extends 'server_streaming'
    ? (request: MessageInitShape<M['input']>, options?: CallOptions) => AsyncIterable<MessageShape<M['output']>>
    : never;

export type TypedClient<T extends GenServiceMethods> = { [K in keyof T]: ClientMethod<T[K]> } & {
  /** The address this client talks to. */
  readonly address: string;
  close(): void;
};

export interface ClientOptions {
  /** Default unary deadline. */
  defaultDeadlineMs?: number;
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
}

const DEFAULT_DEADLINE_MS = 10_000;

function toMetadata(values: Record<string, string> | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(values ?? {})) metadata.set(key, value);
  return metadata;
}

/**
 * Cancels `call` when `signal` aborts (at once if it already has, so the call fails CANCELLED).
 * Returns what unhooks the listener, so a long-lived signal does not collect one per finished call.
 */
function cancelOnAbort(signal: AbortSignal | undefined, call: { cancel(): void }): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    call.cancel();
    return () => {};
  }
  const onAbort = (): void => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

const constructors = new WeakMap<object, grpc.ServiceClientConstructor>();

/** A typed client for `service` at `address` (host:port). */
export function createClient<T extends GenServiceMethods>(
  service: GenService<T>,
  address: string,
  options: ClientOptions = {},
): TypedClient<T> {
  let Ctor = constructors.get(service);
  if (Ctor === undefined) {
    Ctor = grpc.makeGenericClientConstructor(serviceDefinition(service), service.name);
    constructors.set(service, Ctor);
  }
  const raw = new Ctor(address, options.credentials ?? grpc.credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
    ...options.channelOptions,
  }) as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  const defaultDeadline = options.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
  const client: Record<string, unknown> = {
    address,
    close: () => raw.close(),
  };
  for (const method of service.methods) {
    const fn = raw[method.localName]!.bind(raw);
    if (method.methodKind === 'unary') {
      client[method.localName] = (request: MessageInitShape<DescMessage>, callOptions: CallOptions = {}) =>
        new Promise((resolve, reject) => {
          const deadlineMs = callOptions.deadlineMs ?? defaultDeadline;
          let release = (): void => {};
          const call = fn(
            create(method.input, request),
            toMetadata(callOptions.metadata),
            deadlineMs > 0 ? { deadline: Date.now() + deadlineMs } : {},
            (error: grpc.ServiceError | null, response: unknown) => {
              release();
              if (error) reject(error);
              else resolve(response);
            },
          ) as grpc.ClientUnaryCall;
          release = cancelOnAbort(callOptions.signal, call);
        });
    } else if (method.methodKind === 'server_streaming') {
      client[method.localName] = (request: MessageInitShape<DescMessage>, callOptions: CallOptions = {}) => {
        const deadlineMs = callOptions.deadlineMs ?? 0;
        const stream = fn(
          create(method.input, request),
          toMetadata(callOptions.metadata),
          deadlineMs > 0 ? { deadline: Date.now() + deadlineMs } : {},
        ) as grpc.ClientReadableStream<unknown>;
        const release = cancelOnAbort(callOptions.signal, stream);
        stream.once('close', release);
        return stream;
      };
    }
  }
  return client as TypedClient<T>;
}

/** The typed client of a generated service: `ClientOf<typeof GateService>`. */
export type ClientOf<S> = S extends GenService<infer T extends GenServiceMethods> ? TypedClient<T> : never;
