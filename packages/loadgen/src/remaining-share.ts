// What is left of a job share after the manager or datacenter running it was lost: each workflow
// for the time it had not run yet. The gate moves that remainder to a live manager (the gate-level
// counterpart of a manager re-dispatching a lost worker's share for the remaining time). A workflow
// that had run its whole duration is done: it leaves the share, and the workflows that waited for it
// no longer wait. A workflow never seen running runs in full.
import type { JobSpec } from './spec-types.js';

/**
 * @param ranMs how long each workflow (by name) ran before the loss, from its last progress
 * @param minMs a workflow with time left runs at least this long (a share of 20 ms measures nothing)
 * @returns the remaining share, or undefined when every workflow had finished
 */
export function remainingShare(spec: JobSpec, ranMs: ReadonlyMap<string, number>, minMs: number): JobSpec | undefined {
  const done = new Set<string>();
  for (const w of spec.workflows) {
    const ran = ranMs.get(w.name) ?? 0;
    if (ran >= w.durationMs) done.add(w.name);
  }
  const workflows = spec.workflows
    .filter((w) => !done.has(w.name))
    .map((w) => {
      const ran = Math.max(0, ranMs.get(w.name) ?? 0);
      return {
        ...w,
        durationMs: Math.max(Math.min(minMs, w.durationMs), Math.round(w.durationMs - ran)),
        dependsOn: w.dependsOn.filter((name) => !done.has(name)),
      };
    });
  return workflows.length === 0 ? undefined : { ...spec, workflows };
}
