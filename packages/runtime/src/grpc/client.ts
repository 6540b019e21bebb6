// Client-side call helpers: every RPC has a deadline (DESIGN.md §4), and a unary call is a promise
// that can be cancelled with an AbortSignal. Generic over grpc-js MethodDefinitions so generated
// code from @hyperscale/protocol plugs in with its request and response types.
import {
  type Client,
  type Metadata,
  Metadata as MetadataClass,
  type MethodDefinition,
  type ServiceError,
} from '@grpc/grpc-js';

/** A deadline `ms` from now, as grpc-js wants it. */
export function deadlineIn(ms: number): Date {
  return new Date(Date.now() + ms);
}

export interface CallOptions {
  /** Required: no call without a deadline. */
  deadlineMs: number;
  metadata?: Metadata;
  /** Aborting cancels the call; the promise rejects with a CANCELLED status. */
  signal?: AbortSignal;
}

type UnaryMethodOnClient = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: unknown) => void,
) => { cancel(): void };

/**
 * Calls a unary method: `callUnary(client, definition.getJob, request, { deadlineMs: 2000 })`.
 * `method` is the method's grpc-js MethodDefinition, or its name on a generated client.
 */
export function callUnary<Req, Res>(
  client: Client,
  method: MethodDefinition<Req, Res>,
  request: Req,
  options: CallOptions,
): Promise<Res>;
export function callUnary<Res = unknown>(
  client: Client,
  method: string,
  request: unknown,
  options: CallOptions,
): Promise<Res>;
export function callUnary<Req, Res>(
  client: Client,
  method: MethodDefinition<Req, Res> | string,
  request: Req,
  options: CallOptions,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const metadata = options.metadata ?? new MetadataClass();
    const deadline = deadlineIn(options.deadlineMs);
    let call: { cancel(): void } | undefined;
    const onAbort = (): void => call?.cancel();
    const onDone = (error: ServiceError | null, response?: unknown): void => {
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response as Res);
    };
    if (typeof method === 'string') {
      const fn = (client as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') {
        reject(new TypeError(`the client has no method '${method}'`));
        return;
      }
      call = (fn as UnaryMethodOnClient).call(client, request, metadata, { deadline }, onDone);
    } else {
      call = client.makeUnaryRequest<Req, Res>(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline },
        onDone,
      );
    }
    if (options.signal?.aborted) call.cancel();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
