// Typed service implementations for grpc-js. A handler is an async function from the request
// message to the response (unary) or to a sequence of writes (server streaming). Thrown
// GrpcStatusErrors become the call's status; anything else becomes INTERNAL and is reported to
// `onUnexpectedError`, so a bug in one handler never takes the process down.
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { create } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as grpc from '@grpc/grpc-js';
import { GrpcStatusError } from './status-error.js';

export interface StreamWriter<O extends DescMessage> {
  /** Writes one message; resolves once the transport accepted it (respects flow control). */
  write(message: MessageInitShape<O>): Promise<void>;
  /** Aborted when the client cancels or disconnects. */
  readonly signal: AbortSignal;
}

type Handler<M extends GenServiceMethods[string]> = M['methodKind'] extends 'unary'
  ? (
      request: MessageShape<M['input']>,
      call: grpc.ServerUnaryCall<unknown, unknown>,
    ) => Promise<MessageInitShape<M['output']>>
  : M['methodKind'] extends 'server_streaming'
    ? (
        request: MessageShape<M['input']>,
        stream: StreamWriter<M['output']>,
        call: grpc.ServerWritableStream<unknown, unknown>,
      ) => Promise<void>
    : never;

export type ServiceHandlers<T extends GenServiceMethods> = { [K in keyof T]: Handler<T[K]> };

export interface ServerAdapterOptions {
  onUnexpectedError?: (method: string, error: unknown) => void;
}

function toStatus(error: unknown, method: string, options: ServerAdapterOptions): Partial<grpc.ServiceError> {
  if (error instanceof GrpcStatusError) return error.toServiceError();
  options.onUnexpectedError?.(method, error);
  const message = error instanceof Error ? error.message : String(error);
  return { code: grpc.status.INTERNAL, details: `internal error in ${method}: ${message}` };
}

/** Turns typed handlers into a grpc-js implementation for `serviceDefinition(service)`. */
export function serviceImplementation<T extends GenServiceMethods>(
  service: GenService<T>,
  handlers: ServiceHandlers<T>,
  options: ServerAdapterOptions = {},
): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (handlers as Record<string, unknown>)[method.localName];
    if (typeof handler !== 'function') throw new Error(`no handler for ${service.typeName}.${method.name}`);
    const name = `${service.typeName}.${method.name}`;
    if (method.methodKind === 'unary') {
      const unary = handler as (req: unknown, call: grpc.ServerUnaryCall<unknown, unknown>) => Promise<unknown>;
      implementation[method.localName] = (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        unary(call.request, call).then(
          (response) => callback(null, create(method.output, response as MessageInitShape<DescMessage>)),
          (error: unknown) => callback(toStatus(error, name, options)),
        );
      };
    } else if (method.methodKind === 'server_streaming') {
      const streaming = handler as (
        req: unknown,
        writer: StreamWriter<DescMessage>,
        call: grpc.ServerWritableStream<unknown, unknown>,
      ) => Promise<void>;
      implementation[method.localName] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const aborter = new AbortController();
        call.on('cancelled', () => aborter.abort());
        call.on('close', () => aborter.abort());
        const writer: StreamWriter<DescMessage> = {
          signal: aborter.signal,
          write: (message) =>
            new Promise<void>((resolve) => {
              if (aborter.signal.aborted) return resolve();
              const flushed = call.write(create(method.output, message));
              if (flushed) resolve();
              else call.once('drain', () => resolve());
            }),
        };
        streaming(call.request, writer, call).then(
          () => {
            if (!aborter.signal.aborted) call.end();
          },
          (error: unknown) => {
            // grpc-js ends a server stream with a non-OK status when 'error' is emitted on it.
            if (!aborter.signal.aborted) call.emit('error', toStatus(error, name, options));
          },
        );
      };
    } else {
      throw new Error(`${name}: ${method.methodKind} methods are not supported by this adapter`);
    }
  }
  return implementation;
}

/** The handlers a generated service needs: `HandlersOf<typeof WorkerService>`. */
export type HandlersOf<S> = S extends GenService<infer T extends GenServiceMethods> ? ServiceHandlers<T> : never;
