// The seam between the executor and the network. The executor prepares each HTTP step once and
// then sends it many times; each exchange reports through the callbacks of undici's dispatch
// handler (the lowest-level, allocation-light undici API), so the real transport hands the
// executor's handler straight to undici and a test transport can play the server.
import type { HttpStepSpec } from './spec-types.js';

/** Callbacks of one request/response exchange (a subset of undici's DispatchHandler). */
export interface ExchangeHandler {
  /** May be called more than once (undici retries); `abort` cancels the exchange. */
  onConnect(abort: (err?: Error) => void): void;
  /** Status and raw headers; return true to keep reading. */
  onHeaders(statusCode: number, headers: Buffer[] | string[] | null, resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  /** The response ended. Exactly one of onComplete / onError ends an exchange. */
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

/** A step bound to its connection pool, ready to send. */
export interface PreparedRequest {
  /**
   * Sends one request. `lane` is the sending VU's index within its run: a transport may give each
   * lane its own connection (a VU has at most one request in flight), or ignore it.
   */
  send(handler: ExchangeHandler, lane: number): void;
}

export interface HttpTransport {
  prepare(step: HttpStepSpec): PreparedRequest;
  /** Closes every connection at once, aborting whatever is still in flight. */
  destroy(): Promise<void>;
}
