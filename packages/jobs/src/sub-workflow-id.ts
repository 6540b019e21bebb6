// Sub-workflow ids: `<dc>:<manager>:<job>:<workflow#>:<worker>:<attempt>`. The workflow is named by
// its index (user-chosen names may contain anything) and every attempt has its own id, so fence
// guards and stats never mix two attempts of one share.
export interface SubWorkflowIdParts {
  datacenter: string;
  managerId: string;
  jobId: string;
  workflowIndex: number;
  workerId: string;
  attempt: number;
}

const SAFE = /^[A-Za-z0-9_.-]+$/;

export function subWorkflowId(parts: SubWorkflowIdParts): string {
  for (const key of ['datacenter', 'managerId', 'jobId', 'workerId'] as const) {
    if (!SAFE.test(parts[key])) throw new RangeError(`${key} '${parts[key]}' may only contain letters, digits, _ . -`);
  }
  return [parts.datacenter, parts.managerId, parts.jobId, parts.workflowIndex, parts.workerId, parts.attempt].join(':');
}

export function parseSubWorkflowId(id: string): SubWorkflowIdParts | undefined {
  const p = id.split(':');
  if (p.length !== 6 || p.some((x) => !SAFE.test(x))) return undefined;
  const workflowIndex = Number(p[3]);
  const attempt = Number(p[5]);
  if (!Number.isInteger(workflowIndex) || !Number.isInteger(attempt)) return undefined;
  return { datacenter: p[0]!, managerId: p[1]!, jobId: p[2]!, workflowIndex, workerId: p[4]!, attempt };
}
