// Splitting one workflow over several worker cores: the k6 execution-segment idea with integer
// VUs. Share i of n gets floor(vus/n) VUs, plus one for the first vus mod n shares, so the shares
// add up to the whole exactly; an arrival rate is split evenly (iterations per second may be
// fractional). Works the same at every level: gate → datacenters, manager → workers, worker → cores.
import type { WorkflowSpec } from './spec-types.js';

function integerShare(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

/** Share `index` (0-based) of `count` equal parts of `workflow`. */
export function workflowShare(workflow: WorkflowSpec, index: number, count: number): WorkflowSpec {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`workflowShare: index ${index} of ${count} parts`);
  }
  const executor = workflow.executor;
  if (executor.type === 'constant-vus') {
    return { ...workflow, vus: integerShare(workflow.vus, index, count) };
  }
  const preAllocatedVus = Math.max(1, integerShare(executor.preAllocatedVus, index, count));
  const maxVus = Math.max(preAllocatedVus, integerShare(executor.maxVus, index, count));
  return {
    ...workflow,
    vus: maxVus,
    executor: { ...executor, rate: executor.rate / count, preAllocatedVus, maxVus },
  };
}
