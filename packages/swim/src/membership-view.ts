// What services consume instead of gRPC heartbeats: who is in the pool, in which state, with which
// role and meta (gRPC address, datacenter), and events when that changes. Read-only on purpose:
// only the SWIM node decides membership.
import type { MemberEventName, MemberListener, MemberView } from './types.js';

export interface Membership {
  /** Every member in the table (all states), ourselves excluded. */
  members(): MemberView[];
  member(id: string): MemberView | undefined;
  /** Our own entry as the others see it. */
  self(): MemberView;
  on(event: MemberEventName, listener: MemberListener): void;
  off(event: MemberEventName, listener: MemberListener): void;
}

/** Alive members of a role, e.g. the managers a worker may register with. */
export function aliveMembers(membership: Membership, role?: MemberView['role']): MemberView[] {
  return membership.members().filter((m) => m.state === 'alive' && (role === undefined || m.role === role));
}
