// Admission control for every incoming RPC (AD-22 shedding, AD-32 in-flight caps), as a grpc-js
// server interceptor: each call is classified by its method path (`priorityOfRpc`), refused by the
// load shedder when the overload detector says so, then must hold an in-flight slot of its
// priority until its status is sent. CRITICAL calls (cancellations, final results, timeouts) are
// never refused — the shedder and the tracker both let them through — but they are counted.
//
// A refused call is answered RESOURCE_EXHAUSTED with `retry-after-ms` metadata before its handler
// runs. The decision is taken when the request message arrives (every RPC of the contract has
// exactly one), so `onRefused` can still read it: the manager uses that to count a refused worker
// heartbeat as a sign of life, the gate to rate-limit SubmitJob by client id. Paths whose refusal
// needs no message (`shedBeforeMessage`) are shed as soon as their headers arrive, before the
// message is decoded: a progress report carries two HdrHistograms, and decoding the ones about to
// be refused was most of what a storm cost a shedding manager. Server-streaming calls (WatchJob)
// are admitted at open and give their slot back at once: a stream lives as long as its job and
// must not pin a slot (backpressure README).
// Shared by gate-svc and manager-svc.
import type { ServerInterceptingCallInterface, ServerInterceptor, ServerMethodDefinition } from '@grpc/grpc-js';
import { ResponderBuilder, ServerInterceptingCall, ServerListenerBuilder } from '@grpc/grpc-js';
import { type GrpcStatusError, resourceExhausted } from '@hyperscale/protocol';
import { type InFlightTracker, type LoadShedder, type Priority, priorityLabel, priorityOfRpc } from '../index.js';

/** Retry-after given to a call refused by the in-flight caps (ours: a few handler latencies at the caps' scale). */
export const IN_FLIGHT_RETRY_AFTER_MS = 250;

export interface AdmissionOptions {
  tracker: InFlightTracker;
  shedder: LoadShedder;
  /** Monotonic milliseconds. */
  now: () => number;
  /** When false, every call is admitted and nothing is counted (the benchmark's "off" run). */
  enabled?: () => boolean;
  /** Latency of each admitted unary call, admission to status (feeds the overload detector). */
  onLatency?: (path: string, latencyMs: number) => void;
  /**
   * A further check once the request message is known (a rate limit). Returns the error to answer
   * with, or undefined to go on. Runs after shedding, before the in-flight slot is taken.
   */
  check?: (path: string, message: unknown, peer: string) => GrpcStatusError | undefined;
  /** Told of every refusal (after the status is sent); `message` is undefined when shed before it. */
  onRefused?: (path: string, message: unknown, reason: 'shed' | 'in-flight' | 'check') => void;
  /** Paths shed at their headers, before the message is decoded (their refusal needs no message). */
  shedBeforeMessage?: (path: string) => boolean;
}

export function admissionInterceptor(options: AdmissionOptions): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const path = method.path;
    const priority: Priority = priorityOfRpc(path);
    let release: (() => void) | undefined;
    let refused = false;
    let shedDecided = false;

    const refuse = (message: unknown, error: GrpcStatusError, reason: 'shed' | 'in-flight' | 'check'): void => {
      refused = true;
      call.sendStatus(error.toServiceError() as Parameters<typeof call.sendStatus>[0]);
      options.onRefused?.(path, message, reason);
    };

    /** The shedder's verdict; true when the call was refused. */
    const shedNow = (message: unknown): boolean => {
      shedDecided = true;
      const shed = options.shedder.decide(priority);
      if (!shed.shed) return false;
      refuse(
        message,
        resourceExhausted(`overloaded: shedding ${priorityLabel(priority)} requests`, shed.retryAfterMs),
        'shed',
      );
      return true;
    };

    const admit = (message: unknown): boolean => {
      if (options.enabled?.() === false) return true;
      if (!shedDecided && shedNow(message)) return false;
      const error = options.check?.(path, message, call.getPeer());
      if (error) {
        refuse(message, error, 'check');
        return false;
      }
      const slot = options.tracker.tryAcquire(priority);
      if (!slot.admitted) {
        refuse(
          message,
          resourceExhausted(
            `too many ${priorityLabel(priority)} requests in flight (${slot.reason})`,
            IN_FLIGHT_RETRY_AFTER_MS,
          ),
          'in-flight',
        );
        return false;
      }
      if (method.responseStream) {
        options.tracker.release(priority);
        return true;
      }
      const startedAt = options.now();
      let released = false;
      release = () => {
        if (released) return;
        released = true;
        options.tracker.release(priority);
        options.onLatency?.(path, options.now() - startedAt);
      };
      return true;
    };

    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (options.enabled?.() !== false && options.shedBeforeMessage?.(path) === true && shedNow(undefined)) return;
        next(metadata);
      })
      .withOnReceiveMessage((message, next) => {
        if (refused) return;
        if (admit(message)) next(message);
      })
      .withOnReceiveHalfClose((next) => {
        if (!refused) next();
      })
      .withOnCancel(() => release?.())
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        release?.();
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
