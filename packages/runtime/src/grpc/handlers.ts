// Adapters from async functions to grpc-js handlers. They turn any thrown error into a gRPC status
// (a GrpcStatusError keeps its code; anything else becomes INTERNAL and is logged), so a bug in one
// handler fails one call and never crashes the process (DESIGN.md §8).
import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerUnaryCall,
  type ServerWritableStream,
  type StatusObject,
  status,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { GrpcStatusError } from './status-error.js';

/** startGrpcServer gives handlers built without a logger the server's logger through this key. */
export const ATTACH_LOGGER: unique symbol = Symbol('hyperscale.attachLogger');

export interface HandlerOptions {
  /** Where unexpected errors are logged; defaults to the logger of the server it is registered on. */
  logger?: Logger;
}

function toStatus(error: unknown, path: string, logger: Logger | undefined): Partial<StatusObject> {
  if (error instanceof GrpcStatusError) {
    return { code: error.code, details: error.details, metadata: error.metadata };
  }
  const message = error instanceof Error ? error.message : String(error);
  logger?.error({ err: error, method: path }, 'handler failed unexpectedly');
  return { code: status.INTERNAL, details: message };
}

function withLoggerSlot<H extends object>(handler: H, slot: { logger: Logger | undefined }): H {
  Object.defineProperty(handler, ATTACH_LOGGER, {
    value: (logger: Logger) => {
      slot.logger ??= logger;
    },
  });
  return handler;
}

export function unaryHandler<Req, Res>(
  fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  options: HandlerOptions = {},
): handleUnaryCall<Req, Res> {
  const slot = { logger: options.logger };
  const handler: handleUnaryCall<Req, Res> = (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toStatus(error, call.getPath(), slot.logger)),
      )
      .catch((error: unknown) => slot.logger?.error({ err: error, method: call.getPath() }, 'reply failed'));
  };
  return withLoggerSlot(handler, slot);
}

/** fn writes to `call`; the stream ends when fn resolves and ends with the mapped status when it throws. */
export function serverStreamHandler<Req, Res>(
  fn: (request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>,
  options: HandlerOptions = {},
): handleServerStreamingCall<Req, Res> {
  const slot = { logger: options.logger };
  const handler: handleServerStreamingCall<Req, Res> = (call) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        () => {
          if (!call.writableEnded) call.end();
        },
        (error: unknown) => {
          if (!call.writableEnded) call.emit('error', toStatus(error, call.getPath(), slot.logger));
        },
      )
      .catch((error: unknown) => slot.logger?.error({ err: error, method: call.getPath() }, 'stream close failed'));
  };
  return withLoggerSlot(handler, slot);
}
