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

export interface LivenessWatch {
  /** Only members of this role (default: all). */
  role?: MemberView['role'];
  /** A member became usable: confirmed, refuted a suspicion, or rejoined. */
  onUp?: (member: MemberView) => void;
  /** A member we had seen up is gone: dead, left, or removed. Fires once per down. */
  onDown?: (member: MemberView, reason: 'dead' | 'left' | 'removed') => void;
}

/**
 * Up/down notifications in the shape heartbeat-based code expects (AD-31: a death learned through
 * gossip fires the same callback as one we detected). Suspicion is not "down": a suspect can
 * refute. Returns a function that stops watching.
 */
export function watchLiveness(membership: Membership, watch: LivenessWatch): () => void {
  const up = new Set<string>();
  const matches = (m: MemberView) => watch.role === undefined || m.role === watch.role;
  const onUp = (m: MemberView) => {
    if (!matches(m) || up.has(m.id)) return;
    up.add(m.id);
    watch.onUp?.(m);
  };
  const down = (reason: 'dead' | 'left' | 'removed') => (m: MemberView) => {
    if (!matches(m) || !up.delete(m.id)) return;
    watch.onDown?.(m, reason);
  };
  const onDead = down('dead');
  const onLeft = down('left');
  const onRemoved = down('removed');
  for (const m of membership.members()) if (m.state === 'alive' || m.state === 'suspect') onUp(m);
  membership.on('member-join', onUp);
  membership.on('member-alive', onUp);
  membership.on('member-dead', onDead);
  membership.on('member-leave', onLeft);
  membership.on('member-removed', onRemoved);
  return () => {
    membership.off('member-join', onUp);
    membership.off('member-alive', onUp);
    membership.off('member-dead', onDead);
    membership.off('member-leave', onLeft);
    membership.off('member-removed', onRemoved);
  };
}
