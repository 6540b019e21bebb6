// Which class every message belongs to (AD-37, facts §7.4). One explicit table keyed by the gRPC
// full method name (`/<package>.<Service>/<Method>`, what grpc-js hands a server handler as
// `call.getPath()`) and one keyed by SWIM message type. Nothing is inferred from a name: a new
// RPC must be added here, and test/classification.test.ts fails until it is.
//
// Where facts §6 row 22 (AD-22) and §7.4 (AD-37) disagree, AD-37 wins, with one deliberate
// exception: final results (ReportResult, ReportJobResult) are CONTROL, not DISPATCH, because a
// final result must never be shed, and DISPATCH/HIGH is shed when a node is overloaded.
import { MessageClass, PRIORITY_OF_CLASS, type Priority } from './message-class.js';

const PKG = 'hyperscale.v1';
const method = (service: string, name: string): string => `/${PKG}.${service}/${name}`;

export interface Classification {
  readonly messageClass: MessageClass;
  /** Why this class, in a few words (shows up in reviews, not at runtime). */
  readonly why: string;
}

const { CONTROL, DISPATCH, DATA, TELEMETRY } = MessageClass;

export const RPC_CLASSIFICATION: Readonly<Record<string, Classification>> = Object.freeze({
  // GateService — what clients call on a gate.
  [method('GateService', 'SubmitJob')]: { messageClass: DISPATCH, why: 'job submission' },
  [method('GateService', 'WatchJob')]: {
    messageClass: DISPATCH,
    why: 'the client subscription that carries its final result; streams must not hold an in-flight slot for their lifetime',
  },
  [method('GateService', 'GetJob')]: { messageClass: DATA, why: 'status query' },
  [method('GateService', 'CancelJob')]: { messageClass: CONTROL, why: 'cancellation' },
  [method('GateService', 'ListDatacenters')]: { messageClass: TELEMETRY, why: 'introspection' },
  // GateControlService — what a datacenter's managers call on a gate.
  [method('GateControlService', 'RegisterManager')]: { messageClass: DISPATCH, why: 'registration' },
  [method('GateControlService', 'ReportDatacenter')]: {
    messageClass: DATA,
    why: 'periodic datacenter report (non-SWIM heartbeat, AD-37 DATA)',
  },
  [method('GateControlService', 'ReportJobProgress')]: { messageClass: DATA, why: 'progress' },
  [method('GateControlService', 'ReportJobResult')]: { messageClass: CONTROL, why: 'final result: never shed' },
  // AD-37 files AD-34 reports under DATA, but a DC's local timeout is what ends a job everywhere:
  // shedding it under load would keep a hung job burning every datacenter's capacity, so CONTROL.
  [method('GateControlService', 'ReportJobTimeout')]: {
    messageClass: CONTROL,
    why: 'local timeout report: ends the job everywhere, never shed',
  },
  [method('GateControlService', 'ReportJobLeaderTransfer')]: { messageClass: CONTROL, why: 'leader transfer' },
  // ManagerService — what gates (or single-DC clients) and workers call on a manager.
  [method('ManagerService', 'SubmitJob')]: { messageClass: DISPATCH, why: 'job submission' },
  [method('ManagerService', 'WatchJob')]: { messageClass: DISPATCH, why: 'carries the final result, as GateService' },
  [method('ManagerService', 'GetJob')]: { messageClass: DATA, why: 'status query' },
  [method('ManagerService', 'CancelJob')]: { messageClass: CONTROL, why: 'cancellation' },
  [method('ManagerService', 'ApplyGlobalTimeout')]: {
    messageClass: CONTROL,
    why: 'global timeout: a cancellation decided by the gate, never shed',
  },
  [method('ManagerService', 'RegisterWorker')]: { messageClass: DISPATCH, why: 'registration' },
  [method('ManagerService', 'WorkerHeartbeat')]: {
    messageClass: DATA,
    why: 'non-SWIM heartbeat (AD-37 DATA); liveness is SWIM',
  },
  [method('ManagerService', 'ReportProgress')]: { messageClass: DATA, why: 'progress; its ack carries the signal' },
  [method('ManagerService', 'ReportResult')]: { messageClass: CONTROL, why: 'final result: never shed' },
  // WorkerService — what a manager calls on a worker.
  [method('WorkerService', 'DispatchWorkflow')]: { messageClass: DISPATCH, why: 'dispatch' },
  [method('WorkerService', 'CancelWorkflow')]: { messageClass: CONTROL, why: 'cancellation' },
});

/** SWIM datagram types: all CONTROL — failure detection must never starve (facts §7.4). */
export const SWIM_MESSAGE_TYPES = [
  'ping',
  'ack',
  'nack',
  'ping-req',
  'suspect',
  'alive',
  'dead',
  'leave',
  'join',
  'sync',
] as const;

export type SwimMessageType = (typeof SWIM_MESSAGE_TYPES)[number];

export const SWIM_CLASSIFICATION: Readonly<Record<SwimMessageType, Classification>> = Object.freeze(
  Object.fromEntries(
    SWIM_MESSAGE_TYPES.map((type) => [type, { messageClass: CONTROL, why: 'SWIM membership and failure detection' }]),
  ) as Record<SwimMessageType, Classification>,
);

/** What an unknown message is treated as (facts §7.4: unknown ⇒ NORMAL). */
export const UNKNOWN_CLASS = MessageClass.DATA;

/**
 * Normalises `/pkg.Service/Method`, `pkg.Service/Method` and `pkg.Service.Method` to the table's
 * key form. Returns the input unchanged when it fits none of them.
 */
export function normaliseMethodName(fullMethodName: string): string {
  const trimmed = fullMethodName.trim();
  if (/^\/[\w.]+\/\w+$/.test(trimmed)) return trimmed;
  if (/^[\w.]+\/\w+$/.test(trimmed)) return `/${trimmed}`;
  const dotted = /^([\w.]+)\.(\w+)$/.exec(trimmed);
  if (dotted) return `/${dotted[1]}/${dotted[2]}`;
  return trimmed;
}

export function isClassifiedRpc(fullMethodName: string): boolean {
  return Object.hasOwn(RPC_CLASSIFICATION, normaliseMethodName(fullMethodName));
}

/** The class of a gRPC method; unknown methods are DATA (NORMAL). */
export function classifyRpc(fullMethodName: string): MessageClass {
  const entry = RPC_CLASSIFICATION[normaliseMethodName(fullMethodName)];
  return entry?.messageClass ?? UNKNOWN_CLASS;
}

export function priorityOfRpc(fullMethodName: string): Priority {
  return PRIORITY_OF_CLASS[classifyRpc(fullMethodName)];
}

/** The class of a SWIM message type; anything unrecognised is CONTROL too (it is still SWIM). */
export function classifySwim(type: string): MessageClass {
  return Object.hasOwn(SWIM_CLASSIFICATION, type) ? SWIM_CLASSIFICATION[type as SwimMessageType].messageClass : CONTROL;
}
