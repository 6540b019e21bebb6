// Statistics of a job share that moved: the attempt in the lost datacenter stays in the result
// (its requests did reach the target), merged per workflow with the attempt that replaced it.
import { create } from '@bufbuild/protobuf';
import { mergeAll } from '@hyperscale/loadgen';
import { type WorkflowStats, WorkflowStatsSchema } from '@hyperscale/protocol';
import { statsFromProto, statsToProto } from '@hyperscale/wire';

/** `earlier` and `later` merged per workflow (first-seen order); either may be empty. */
export function mergeWorkflowStats(
  earlier: readonly WorkflowStats[],
  later: readonly WorkflowStats[],
): WorkflowStats[] {
  if (earlier.length === 0) return [...later];
  if (later.length === 0) return [...earlier];
  const byName = new Map<string, WorkflowStats[]>();
  for (const w of [...earlier, ...later]) {
    const parts = byName.get(w.workflowName);
    if (parts) parts.push(w);
    else byName.set(w.workflowName, [w]);
  }
  return [...byName.values()].map((parts) => {
    if (parts.length === 1) return parts[0]!;
    const decoded = parts.map((p) => statsFromProto(p)).filter((s) => s !== undefined);
    return create(WorkflowStatsSchema, statsToProto(mergeAll(decoded)));
  });
}

/** How long each workflow had run by its last report (wall-clock bounds of its measured run). */
export function ranMsByWorkflow(workflows: readonly WorkflowStats[]): Map<string, number> {
  const ran = new Map<string, number>();
  for (const w of workflows) {
    const started = Number(w.startedAtUnixMs);
    const ended = Number(w.endedAtUnixMs);
    if (started > 0 && ended >= started) ran.set(w.workflowName, ended - started);
  }
  return ran;
}
