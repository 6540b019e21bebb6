// gRPC errors follow one convention across the wire contract (DESIGN.md §4): a status code plus
// machine-readable metadata — the field path of bad input, how long to back off when shedding, the
// leader to ask instead. Handlers throw a GrpcStatusError and the server adapter sends it as the
// call's status; clients read any status back with grpcErrorInfo (one parser for both sides).
import * as grpc from '@grpc/grpc-js';

/** Metadata keys of the error conventions. */
export const FIELD_PATH_KEY = 'field-path';
export const RETRY_AFTER_MS_KEY = 'retry-after-ms';
export const LEADER_HINT_KEY = 'leader-hint';

function toMetadata(entries: Record<string, string>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/**
 * A gRPC status as an exception. It is a grpc-js `ServiceError`, so a thrown one and one a client
 * call rejected with read the same way (`grpcErrorInfo`, `grpcMetadataOf`).
 */
export class GrpcStatusError extends Error implements grpc.ServiceError {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata: grpc.Metadata;

  constructor(code: grpc.status, message: string, metadata: grpc.Metadata | Record<string, string> = {}) {
    super(message);
    this.name = 'GrpcStatusError';
    this.code = code;
    this.details = message;
    this.metadata = metadata instanceof grpc.Metadata ? metadata : toMetadata(metadata);
  }

  /** The status grpc-js sends for this error. */
  toServiceError(): Partial<grpc.StatusObject> {
    return { code: this.code, details: this.details, metadata: this.metadata };
  }
}

/** Bad input: names the offending field (`workflows[1].vus`) and the rule it broke. */
export const invalidArgument = (fieldPath: string, rule: string): GrpcStatusError =>
  new GrpcStatusError(grpc.status.INVALID_ARGUMENT, `${fieldPath}: ${rule}`, { [FIELD_PATH_KEY]: fieldPath });

export const notFound = (what: string): GrpcStatusError => new GrpcStatusError(grpc.status.NOT_FOUND, what);

/** A stale fence token or a request that does not fit the current state. */
export const failedPrecondition = (message: string): GrpcStatusError =>
  new GrpcStatusError(grpc.status.FAILED_PRECONDITION, message);

/** Shedding or rate limiting: tells the caller how long to back off (whole milliseconds, ≥ 0). */
export const resourceExhausted = (message: string, retryAfterMs: number): GrpcStatusError =>
  new GrpcStatusError(grpc.status.RESOURCE_EXHAUSTED, message, {
    [RETRY_AFTER_MS_KEY]: String(Math.max(0, Math.ceil(retryAfterMs))),
  });

/** Not the leader (with a hint to the one believed to be) or temporarily unable to serve. */
export const unavailable = (message: string, leaderHint?: string): GrpcStatusError =>
  new GrpcStatusError(grpc.status.UNAVAILABLE, message, leaderHint ? { [LEADER_HINT_KEY]: leaderHint } : {});

export interface GrpcErrorInfo {
  code: grpc.status;
  /** The status details as the server wrote them. */
  message: string;
  fieldPath?: string;
  retryAfterMs?: number;
  leaderHint?: string;
}

interface StatusLike {
  code: grpc.status;
  details?: unknown;
  metadata?: unknown;
}

/** An error carrying a known gRPC status code (a client-side ServiceError or a GrpcStatusError). */
function asStatus(error: unknown): StatusLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && grpc.status[code] !== undefined ? (error as StatusLike) : undefined;
}

function firstString(status: StatusLike, key: string): string | undefined {
  if (!(status.metadata instanceof grpc.Metadata)) return undefined;
  const value = status.metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Reads the code and convention metadata of an error from a gRPC call; undefined for other errors. */
export function grpcErrorInfo(error: unknown): GrpcErrorInfo | undefined {
  const status = asStatus(error);
  if (status === undefined) return undefined;
  const info: GrpcErrorInfo = {
    code: status.code,
    message: typeof status.details === 'string' ? status.details : error instanceof Error ? error.message : '',
  };
  const fieldPath = firstString(status, FIELD_PATH_KEY);
  if (fieldPath !== undefined) info.fieldPath = fieldPath;
  const retryAfter = firstString(status, RETRY_AFTER_MS_KEY);
  if (retryAfter !== undefined && retryAfter.trim() !== '' && Number.isFinite(Number(retryAfter))) {
    info.retryAfterMs = Number(retryAfter);
  }
  const leaderHint = firstString(status, LEADER_HINT_KEY);
  if (leaderHint !== undefined) info.leaderHint = leaderHint;
  return info;
}

/** The gRPC status code of an error, if it has one. */
export const grpcCodeOf = (error: unknown): grpc.status | undefined => asStatus(error)?.code;

/** One metadata value of a gRPC error, e.g. `grpcMetadataOf(err, RETRY_AFTER_MS_KEY)`. */
export function grpcMetadataOf(error: unknown, key: string): string | undefined {
  const status = asStatus(error);
  return status === undefined ? undefined : firstString(status, key);
}

const RETRYABLE_CODES: ReadonlySet<grpc.status> = new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED]);

/** UNAVAILABLE and RESOURCE_EXHAUSTED are worth retrying; everything else is the caller's to handle. */
export function isRetryableGrpcError(error: unknown): boolean {
  const code = grpcCodeOf(error);
  return code !== undefined && RETRYABLE_CODES.has(code);
}
