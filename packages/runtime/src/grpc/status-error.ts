// gRPC errors follow one convention across the wire contract (DESIGN.md §4): a status code plus
// machine-readable metadata — the field path of bad input, how long to back off when shedding, the
// leader to ask instead. Handlers throw these; clients read them back with grpcErrorInfo.
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';

/** Metadata keys of the error conventions. */
export const FIELD_PATH_KEY = 'field-path';
export const RETRY_AFTER_MS_KEY = 'retry-after-ms';
export const LEADER_HINT_KEY = 'leader-hint';

/** An Error that grpc-js sends as a status: thrown from a handler, it keeps its code and metadata. */
export class GrpcStatusError extends Error implements ServiceError {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;

  constructor(code: status, message: string, metadata: Metadata = new Metadata()) {
    super(message);
    this.name = 'GrpcStatusError';
    this.code = code;
    this.details = message;
    this.metadata = metadata;
  }
}

function metadataOf(entries: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

export function grpcError(
  code: status,
  message: string,
  metadata?: Metadata | Record<string, string>,
): GrpcStatusError {
  const asMetadata = metadata === undefined || metadata instanceof Metadata ? metadata : metadataOf(metadata);
  return new GrpcStatusError(code, message, asMetadata);
}

/** Bad input: names the offending field, e.g. `workflows[1].vus`. */
export function invalidArgument(message: string, fieldPath: string): GrpcStatusError {
  return grpcError(status.INVALID_ARGUMENT, message, { [FIELD_PATH_KEY]: fieldPath });
}

/** Shedding or rate limiting: tells the caller how long to back off. */
export function resourceExhausted(message: string, retryAfterMs: number): GrpcStatusError {
  return grpcError(status.RESOURCE_EXHAUSTED, message, {
    [RETRY_AFTER_MS_KEY]: String(Math.max(0, Math.ceil(retryAfterMs))),
  });
}

/** A stale fence token or a request that does not fit the current state. */
export function failedPrecondition(message: string): GrpcStatusError {
  return grpcError(status.FAILED_PRECONDITION, message);
}

/** Not the leader (with a hint to the one believed to be) or temporarily unable to serve. */
export function unavailable(message: string, leaderHint?: string): GrpcStatusError {
  return grpcError(
    status.UNAVAILABLE,
    message,
    leaderHint === undefined ? undefined : { [LEADER_HINT_KEY]: leaderHint },
  );
}

export function notFound(message: string): GrpcStatusError {
  return grpcError(status.NOT_FOUND, message);
}

export interface GrpcErrorInfo {
  code: status;
  /** The status details as the server wrote them. */
  message: string;
  fieldPath?: string;
  retryAfterMs?: number;
  leaderHint?: string;
}

function firstString(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

function isStatusLike(error: unknown): error is { code: number; details?: unknown; metadata?: unknown } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number' &&
    status[(error as { code: number }).code] !== undefined
  );
}

/** Reads the code and convention metadata of an error from a gRPC call; undefined for other errors. */
export function grpcErrorInfo(error: unknown): GrpcErrorInfo | undefined {
  if (!isStatusLike(error)) return undefined;
  const metadata = error.metadata instanceof Metadata ? error.metadata : undefined;
  const info: GrpcErrorInfo = {
    code: error.code,
    message: typeof error.details === 'string' ? error.details : error instanceof Error ? error.message : '',
  };
  const fieldPath = firstString(metadata, FIELD_PATH_KEY);
  if (fieldPath !== undefined) info.fieldPath = fieldPath;
  const retryAfter = Number(firstString(metadata, RETRY_AFTER_MS_KEY));
  if (Number.isFinite(retryAfter) && firstString(metadata, RETRY_AFTER_MS_KEY) !== undefined)
    info.retryAfterMs = retryAfter;
  const leaderHint = firstString(metadata, LEADER_HINT_KEY);
  if (leaderHint !== undefined) info.leaderHint = leaderHint;
  return info;
}

const RETRYABLE_CODES: ReadonlySet<status> = new Set([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED]);

/** UNAVAILABLE and RESOURCE_EXHAUSTED are worth retrying; everything else is the caller's to handle. */
export function isRetryableGrpcError(error: unknown): boolean {
  const info = grpcErrorInfo(error);
  return info !== undefined && RETRYABLE_CODES.has(info.code);
}
