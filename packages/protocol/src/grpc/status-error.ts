// A gRPC status as an exception: handlers throw it and the server adapter turns it into the
// call's status, with metadata (field path, retry-after, leader hint) attached per DESIGN.md §4.
import * as grpc from '@grpc/grpc-js';

export class GrpcStatusError extends Error {
  readonly code: grpc.status;
  readonly metadata: Record<string, string>;

  constructor(code: grpc.status, message: string, metadata: Record<string, string> = {}) {
    super(message);
    this.name = 'GrpcStatusError';
    this.code = code;
    this.metadata = metadata;
  }

  toServiceError(): Partial<grpc.ServiceError> {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.metadata)) metadata.set(key, value);
    return { code: this.code, details: this.message, metadata };
  }
}

export const invalidArgument = (fieldPath: string, rule: string): GrpcStatusError =>
  new GrpcStatusError(grpc.status.INVALID_ARGUMENT, `${fieldPath}: ${rule}`, { 'field-path': fieldPath });

export const notFound = (what: string): GrpcStatusError => new GrpcStatusError(grpc.status.NOT_FOUND, what);

export const failedPrecondition = (message: string): GrpcStatusError =>
  new GrpcStatusError(grpc.status.FAILED_PRECONDITION, message);

export const resourceExhausted = (message: string, retryAfterMs: number): GrpcStatusError =>
  new GrpcStatusError(grpc.status.RESOURCE_EXHAUSTED, message, { 'retry-after-ms': String(Math.ceil(retryAfterMs)) });

export const unavailable = (message: string, leaderHint?: string): GrpcStatusError =>
  new GrpcStatusError(grpc.status.UNAVAILABLE, message, leaderHint ? { 'leader-hint': leaderHint } : {});

/** Reads the gRPC status code of an error thrown by a client call, if it has one. */
export function grpcCodeOf(error: unknown): grpc.status | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
    return error.code as grpc.status;
  }
  return undefined;
}

/** Reads one metadata value from a client-side ServiceError. */
export function grpcMetadataOf(error: unknown, key: string): string | undefined {
  if (typeof error === 'object' && error !== null && 'metadata' in error && error.metadata instanceof grpc.Metadata) {
    const value = error.metadata.get(key)[0];
    return value === undefined ? undefined : String(value);
  }
  return undefined;
}
