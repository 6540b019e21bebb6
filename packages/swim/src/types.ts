// The vocabulary shared by every part of the membership state machine: roles, member states and
// the member record the node table keeps. One place, so the codec, the table and the events agree.

export type Role = 'gate' | 'manager' | 'worker';
export const ROLES: readonly Role[] = ['gate', 'manager', 'worker'];

/**
 * unconfirmed: heard of (gossip, push/pull, seed) but never heard *from*; never suspected.
 * alive/suspect/dead: SWIM states. left: announced a graceful leave.
 */
export type MemberState = 'unconfirmed' | 'alive' | 'suspect' | 'dead' | 'left';

/** Small string map gossiped with a member (e.g. its gRPC address and datacenter). */
export type MemberMeta = Readonly<Record<string, string>>;

/** What the outside world sees of a member. */
export interface MemberView {
  readonly id: string;
  /** UDP address, `host:port`. The stream (push/pull) transport listens on the same port. */
  readonly addr: string;
  readonly role: Role;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly meta: MemberMeta;
  /** Clock time of the last state change. */
  readonly stateChangedAtMs: number;
}

export type MemberEventName =
  | 'member-join'
  | 'member-alive'
  | 'member-suspect'
  | 'member-dead'
  | 'member-leave'
  | 'member-removed'
  | 'member-update';

export const MEMBER_EVENTS: readonly MemberEventName[] = [
  'member-join',
  'member-alive',
  'member-suspect',
  'member-dead',
  'member-leave',
  'member-removed',
  'member-update',
];

export type MemberListener = (member: MemberView) => void;

/** Timers as an input: a monotonic clock plus one-shot callbacks. VirtualClock satisfies it. */
export interface Timers {
  now(): number;
  /** Runs `fn` after `delayMs`; returns a function that cancels it. */
  after(delayMs: number, fn: () => void): () => void;
}

/** Severity order for "same incarnation: only a more severe state wins". */
export function severity(state: MemberState): number {
  switch (state) {
    case 'unconfirmed':
    case 'alive':
      return 0;
    case 'suspect':
      return 1;
    case 'dead':
    case 'left':
      return 2;
  }
}
