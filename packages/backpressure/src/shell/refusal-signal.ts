// What a producer hears in a refusal: a call answered RESOURCE_EXHAUSTED (shed, in-flight cap, rate
// limit) is that server saying REJECT, for at least its retry-after. Workers feed it to their
// WorkerFlushPolicy like any ack's signal; shared so that everything that talks to a manager as a
// worker does (worker-svc, the backpressure bench) reads a refusal the same way.
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcErrorInfo } from '@hyperscale/protocol';
import { BackpressureLevel, type BackpressureSignal, signalForLevel } from '../backpressure-signal.js';

/** The signal a RESOURCE_EXHAUSTED answer stands for; undefined for any other outcome. */
export function signalOfRefusal(error: unknown): BackpressureSignal | undefined {
  const info = grpcErrorInfo(error);
  if (info?.code !== grpcStatus.RESOURCE_EXHAUSTED) return undefined;
  const reject = signalForLevel(BackpressureLevel.REJECT);
  return { ...reject, suggestedDelayMs: Math.max(reject.suggestedDelayMs, info.retryAfterMs ?? 0) };
}
