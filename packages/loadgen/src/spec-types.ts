// The typed job spec: what `parseJobSpec` produces and what the services convert to and from the
// wire contract. Plain data only (no classes), so it crosses worker_threads and JSON unchanged.
import type { Threshold } from './threshold-types.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface HttpStepSpec {
  kind: 'http';
  name: string;
  method: HttpMethod;
  /** Absolute http(s) URL. */
  url: string;
  /** Header name (lower-cased) → value. */
  headers: Record<string, string>;
  /** Request body; objects in the YAML/JSON were JSON-encoded. */
  body: string | null;
  timeoutMs: number;
  /** Statuses that count as success; empty = any of 200–399 (k6 default). */
  expectStatus: number[];
  /** Pause after this request, before the next step. */
  thinkTimeMs: number;
  thresholds: Threshold[];
}

export interface ThinkTimeStepSpec {
  kind: 'think_time';
  name: string;
  durationMs: number;
}

export type StepSpec = HttpStepSpec | ThinkTimeStepSpec;

export type ExecutorSpec =
  | { type: 'constant-vus' }
  | {
      type: 'constant-arrival-rate';
      /** Iterations started per second. */
      rate: number;
      preAllocatedVus: number;
      maxVus: number;
    };

export interface WorkflowSpec {
  name: string;
  dependsOn: string[];
  /** VUs the workflow may use: `vus` for constant-vus, `max_vus` for constant-arrival-rate. */
  vus: number;
  durationMs: number;
  gracefulStopMs: number;
  /** The job counts as stuck when this workflow runs this long without progress (AD-34); absent: the manager's default. */
  stuckAfterMs?: number;
  executor: ExecutorSpec;
  steps: StepSpec[];
  thresholds: Threshold[];
}

export interface JobSpec {
  name: string;
  timeoutMs: number;
  /** Preferred datacenters, in order of preference; empty = let the gate choose. */
  datacenters: string[];
  datacenterCount: number;
  workflows: WorkflowSpec[];
  /** Thresholds over the traffic of every workflow of the job. */
  thresholds: Threshold[];
}

/** The HTTP steps of a workflow, in spec order: the steps that have stats. */
export function httpSteps(workflow: WorkflowSpec): HttpStepSpec[] {
  return workflow.steps.filter((s): s is HttpStepSpec => s.kind === 'http');
}
