// Job spec ⇄ protobuf. Arriving specs are rebuilt as the document a user would write and
// validated by loadgen, so network input gets exactly the checks (and error paths) of user input.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { JobSpec, StepSpec, Threshold, WorkflowSpec } from '@hyperscale/loadgen';
import { JobSpecError, validateJobSpec } from '@hyperscale/loadgen';
import type * as pb from '@hyperscale/protocol';
import { GrpcStatusError } from '@hyperscale/protocol';

type Init<T extends import('@bufbuild/protobuf').DescMessage> = MessageInitShape<T>;

function thresholdsToProto(thresholds: readonly Threshold[]): Init<typeof pb.ThresholdSchema>[] {
  return thresholds.map((t) => ({ metric: t.metric, expression: t.expression }));
}

function stepToProto(step: StepSpec): Init<typeof pb.StepSchema> {
  if (step.kind === 'think_time') {
    return { name: step.name, kind: { case: 'thinkTime', value: { durationMs: BigInt(step.durationMs) } } };
  }
  return {
    name: step.name,
    kind: {
      case: 'http',
      value: {
        method: step.method,
        url: step.url,
        headers: step.headers,
        body: step.body === null ? new Uint8Array() : new TextEncoder().encode(step.body),
        hasBody: step.body !== null,
        timeoutMs: BigInt(step.timeoutMs),
        expectStatus: step.expectStatus,
        thinkTimeMs: BigInt(step.thinkTimeMs),
        thresholds: thresholdsToProto(step.thresholds),
      },
    },
  };
}

export function workflowSpecToProto(workflow: WorkflowSpec): Init<typeof pb.WorkflowSpecSchema> {
  const executor: Init<typeof pb.ExecutorSchema> =
    workflow.executor.type === 'constant-vus'
      ? { kind: { case: 'constantVus', value: {} } }
      : {
          kind: {
            case: 'constantArrivalRate',
            value: {
              ratePerSecond: workflow.executor.rate,
              preAllocatedVus: workflow.executor.preAllocatedVus,
              maxVus: workflow.executor.maxVus,
            },
          },
        };
  return {
    name: workflow.name,
    dependsOn: workflow.dependsOn,
    vus: workflow.vus,
    durationMs: BigInt(workflow.durationMs),
    gracefulStopMs: BigInt(workflow.gracefulStopMs),
    stuckAfterMs: BigInt(workflow.stuckAfterMs ?? 0),
    executor,
    steps: workflow.steps.map(stepToProto),
    thresholds: thresholdsToProto(workflow.thresholds),
  };
}

export function jobSpecToProto(spec: JobSpec): Init<typeof pb.JobSpecSchema> {
  return {
    name: spec.name,
    timeoutMs: BigInt(spec.timeoutMs),
    datacenters: spec.datacenters,
    datacenterCount: spec.datacenterCount,
    workflows: spec.workflows.map(workflowSpecToProto),
    thresholds: thresholdsToProto(spec.thresholds),
  };
}

// ---- from the wire: rebuild the user-facing document, then validate ----------------------

type Doc = Record<string, unknown>;

const ms = (value: bigint): string => `${value}ms`;

function thresholdsDoc(thresholds: readonly pb.Threshold[]): Doc | undefined {
  if (thresholds.length === 0) return undefined;
  const doc: Record<string, string[]> = {};
  for (const t of thresholds) {
    const list = doc[t.metric] ?? [];
    list.push(t.expression);
    doc[t.metric] = list;
  }
  return doc;
}

function stepDoc(step: pb.Step): Doc {
  if (step.kind.case === 'thinkTime') {
    return { type: 'think_time', name: step.name, think_time: ms(step.kind.value.durationMs) };
  }
  if (step.kind.case !== 'http') return { name: step.name };
  const http = step.kind.value;
  const doc: Doc = {
    type: 'http',
    name: step.name,
    method: http.method,
    url: http.url,
    timeout: ms(http.timeoutMs),
  };
  if (Object.keys(http.headers).length > 0) doc['headers'] = { ...http.headers };
  if (http.hasBody) doc['body'] = new TextDecoder().decode(http.body);
  if (http.expectStatus.length > 0) doc['expect_status'] = [...http.expectStatus];
  if (http.thinkTimeMs > 0n) doc['think_time'] = ms(http.thinkTimeMs);
  const thresholds = thresholdsDoc(http.thresholds);
  if (thresholds) doc['thresholds'] = thresholds;
  return doc;
}

function workflowDoc(workflow: pb.WorkflowSpec, withDependencies: boolean): Doc {
  const doc: Doc = {
    name: workflow.name,
    duration: ms(workflow.durationMs),
    graceful_stop: ms(workflow.gracefulStopMs),
    ...(workflow.stuckAfterMs > 0n ? { stuck_after: ms(workflow.stuckAfterMs) } : {}),
    steps: workflow.steps.map(stepDoc),
  };
  if (withDependencies && workflow.dependsOn.length > 0) doc['depends_on'] = [...workflow.dependsOn];
  const executor = workflow.executor?.kind;
  if (executor?.case === 'constantArrivalRate') {
    doc['executor'] = 'constant-arrival-rate';
    doc['rate'] = executor.value.ratePerSecond;
    doc['pre_allocated_vus'] = executor.value.preAllocatedVus;
    doc['max_vus'] = executor.value.maxVus;
  } else {
    doc['executor'] = 'constant-vus';
    doc['vus'] = workflow.vus;
  }
  const thresholds = thresholdsDoc(workflow.thresholds);
  if (thresholds) doc['thresholds'] = thresholds;
  return doc;
}

/** Validates a job spec that arrived over the wire; throws JobSpecError naming each bad field. */
export function jobSpecFromProto(spec: pb.JobSpec | undefined): JobSpec {
  if (spec === undefined) throw new JobSpecError([{ path: 'spec', rule: 'is required' }]);
  const doc: Doc = {
    name: spec.name,
    workflows: spec.workflows.map((w) => workflowDoc(w, true)),
  };
  if (spec.timeoutMs > 0n) doc['timeout'] = ms(spec.timeoutMs);
  if (spec.datacenters.length > 0) doc['datacenters'] = [...spec.datacenters];
  if (spec.datacenterCount > 0) doc['datacenter_count'] = spec.datacenterCount;
  const thresholds = thresholdsDoc(spec.thresholds);
  if (thresholds) doc['thresholds'] = thresholds;
  return validateJobSpec(doc);
}

/** One workflow as dispatched to a worker, validated on its own (dependencies dropped). */
export function workflowSpecFromProto(workflow: pb.WorkflowSpec | undefined): WorkflowSpec {
  if (workflow === undefined) throw new JobSpecError([{ path: 'workflow', rule: 'is required' }]);
  const spec = validateJobSpec({ name: 'dispatch', workflows: [workflowDoc(workflow, false)] });
  return spec.workflows[0]!;
}

/** A JobSpecError as INVALID_ARGUMENT: the first field path in metadata, every problem in the message. */
export function specErrorToStatus(error: unknown, prefix = 'spec'): unknown {
  if (!(error instanceof JobSpecError)) return error;
  const first = error.problems[0];
  const path = first ? `${prefix}.${first.path}` : prefix;
  const all = error.problems.map((p) => `${prefix}.${p.path}: ${p.rule}`).join('; ');
  return new GrpcStatusError(grpcStatus.INVALID_ARGUMENT, all || `${path}: is invalid`, { 'field-path': path });
}
