// Turns untrusted YAML/JSON into a typed JobSpec, strictly: unknown keys are errors (a typo must
// never be silently ignored), numbers are range-checked, durations parsed, dependencies resolved and
// checked for cycles. Every problem is collected before failing, so one JobSpecError lists them all.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { LOADGEN_DEFAULTS, SPEC_LIMITS } from './config.js';
import { parseDuration } from './duration.js';
import { JobSpecError, type SpecProblem } from './spec-error.js';
import {
  type ExecutorSpec,
  HTTP_METHODS,
  type HttpMethod,
  type HttpStepSpec,
  type JobSpec,
  type StepSpec,
  type WorkflowSpec,
} from './spec-types.js';
import type { Threshold } from './threshold-types.js';
import { parseThreshold, ThresholdSyntaxError } from './thresholds.js';

type Dict = Record<string, unknown>;

const JOB_KEYS = ['name', 'timeout', 'datacenters', 'datacenter_count', 'thresholds', 'workflows'];
const WORKFLOW_KEYS = [
  'name',
  'depends_on',
  'vus',
  'duration',
  'graceful_stop',
  'stuck_after',
  'executor',
  'rate',
  'pre_allocated_vus',
  'max_vus',
  'steps',
  'thresholds',
];
const HTTP_STEP_KEYS = [
  'type',
  'name',
  'method',
  'url',
  'headers',
  'body',
  'timeout',
  'expect_status',
  'think_time',
  'thresholds',
];
const THINK_STEP_KEYS = ['type', 'name', 'think_time'];
const EXECUTORS = ['constant-vus', 'constant-arrival-rate'] as const;
const NAME = /^[A-Za-z0-9_.-]+$/;
/** Step names: printable text without control characters. */
const STEP_LABEL = /^[^\p{Cc}]+$/u;
const STEP_LABEL_MAX = 128;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

class Checker {
  readonly problems: SpecProblem[] = [];

  add(path: string, rule: string): void {
    this.problems.push({ path, rule });
  }

  /** A plain object whose keys are all allowed; reports each unknown key. */
  object(value: unknown, path: string, allowed: readonly string[]): Dict | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path, 'must be an object');
      return undefined;
    }
    const dict = value as Dict;
    for (const key of Object.keys(dict)) {
      if (!allowed.includes(key)) this.add(join(path, key), `unknown key (allowed: ${allowed.join(', ')})`);
    }
    return dict;
  }

  name(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || value.length === 0) {
      this.add(path, 'must be a non-empty string');
      return undefined;
    }
    if (value.length > SPEC_LIMITS.maxNameLength || !NAME.test(value)) {
      this.add(path, `must be 1-${SPEC_LIMITS.maxNameLength} characters of [A-Za-z0-9_.-]`);
      return undefined;
    }
    return value;
  }

  /**
   * A step name is a label in reports, not an identifier: any printable text (k6 names requests
   * by URL), so the default `GET /path` is itself a valid name when a spec travels the wire.
   */
  label(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || value.length === 0) {
      this.add(path, 'must be a non-empty string');
      return undefined;
    }
    if (value.length > STEP_LABEL_MAX || !STEP_LABEL.test(value)) {
      this.add(path, `must be 1-${STEP_LABEL_MAX} printable characters`);
      return undefined;
    }
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  positiveNumber(value: unknown, path: string, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
      this.add(path, `must be a number greater than 0 and at most ${max}`);
      return undefined;
    }
    return value;
  }

  duration(value: unknown, path: string, allowZero = false): number | undefined {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      this.add(path, "must be a duration string such as '500ms', '30s', '2m' or '1m30s'");
      return undefined;
    }
    if (ms > SPEC_LIMITS.maxDurationMs || (!allowZero && ms <= 0)) {
      this.add(path, `must be ${allowZero ? 'at least 0' : 'greater than 0'} and at most 7 days`);
      return undefined;
    }
    return ms;
  }
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function thresholdsOf(c: Checker, value: unknown, path: string): Threshold[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    c.add(path, 'must be an object of metric → expression or list of expressions');
    return [];
  }
  const out: Threshold[] = [];
  for (const [metric, raw] of Object.entries(value as Dict)) {
    const metricPath = join(path, metric);
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list) || list.length === 0) {
      c.add(metricPath, 'must be an expression or a non-empty list of expressions');
      continue;
    }
    list.forEach((expression, i) => {
      const itemPath = typeof raw === 'string' ? metricPath : join(metricPath, i);
      if (typeof expression !== 'string') {
        c.add(itemPath, 'must be a string such as "p95 < 200ms"');
        return;
      }
      try {
        out.push(parseThreshold(metric, expression));
      } catch (err) {
        if (!(err instanceof ThresholdSyntaxError)) throw err;
        c.add(itemPath, err.message);
      }
    });
  }
  return out;
}

function expectStatusOf(c: Checker, value: unknown, path: string): number[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) {
    c.add(path, 'must be a status code or a non-empty list of status codes');
    return [];
  }
  const out: number[] = [];
  list.forEach((v, i) => {
    const code = c.integer(v, Array.isArray(value) ? join(path, i) : path, 100, 599);
    if (code !== undefined && !out.includes(code)) out.push(code);
  });
  return out;
}

function headersOf(c: Checker, value: unknown, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    c.add(path, 'must be an object of header name → string value');
    return out;
  }
  for (const [name, v] of Object.entries(value as Dict)) {
    const p = join(path, name);
    if (!HEADER_NAME.test(name)) c.add(p, 'is not a valid HTTP header name');
    else if (typeof v !== 'string') c.add(p, 'must be a string');
    else if (/[\r\n\0]/.test(v)) c.add(p, 'must not contain CR, LF or NUL');
    else out[name.toLowerCase()] = v;
  }
  return out;
}

function httpStepOf(c: Checker, raw: Dict, path: string, index: number): HttpStepSpec | undefined {
  const step = c.object(raw, path, HTTP_STEP_KEYS);
  if (step === undefined) return undefined;
  let method: HttpMethod = 'GET';
  if (step['method'] !== undefined) {
    const m = typeof step['method'] === 'string' ? step['method'].toUpperCase() : '';
    if ((HTTP_METHODS as readonly string[]).includes(m)) method = m as HttpMethod;
    else c.add(join(path, 'method'), `must be one of ${HTTP_METHODS.join(', ')}`);
  }
  let url = '';
  const rawUrl = step['url'];
  let parsed: URL | undefined;
  try {
    parsed = typeof rawUrl === 'string' ? new URL(rawUrl) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.host === '') {
    c.add(join(path, 'url'), 'must be an absolute http(s) URL');
  } else {
    url = parsed.href;
  }
  const headers = headersOf(c, step['headers'], join(path, 'headers'));
  let body: string | null = null;
  const rawBody = step['body'];
  if (typeof rawBody === 'string') body = rawBody;
  else if (typeof rawBody === 'object' && rawBody !== null) {
    body = JSON.stringify(rawBody);
    headers['content-type'] ??= 'application/json';
  } else if (rawBody !== undefined) c.add(join(path, 'body'), 'must be a string or a JSON object/array');
  if (body !== null && Buffer.byteLength(body) > SPEC_LIMITS.maxBodyBytes) {
    c.add(join(path, 'body'), `must be at most ${SPEC_LIMITS.maxBodyBytes} bytes`);
  }
  if (body !== null && (method === 'GET' || method === 'HEAD')) {
    c.add(join(path, 'body'), `is not allowed with ${method}`);
  }
  const timeoutMs =
    step['timeout'] === undefined
      ? LOADGEN_DEFAULTS.requestTimeoutMs
      : (c.duration(step['timeout'], join(path, 'timeout')) ?? LOADGEN_DEFAULTS.requestTimeoutMs);
  const thinkTimeMs =
    step['think_time'] === undefined ? 0 : (c.duration(step['think_time'], join(path, 'think_time'), true) ?? 0);
  const defaultName = parsed !== undefined ? `${method} ${parsed.pathname}`.slice(0, STEP_LABEL_MAX) : `step-${index}`;
  const name =
    step['name'] === undefined ? defaultName : (c.label(step['name'], join(path, 'name')) ?? `step-${index}`);
  return {
    kind: 'http',
    name,
    method,
    url,
    headers,
    body,
    timeoutMs,
    expectStatus: expectStatusOf(c, step['expect_status'], join(path, 'expect_status')),
    thinkTimeMs,
    thresholds: thresholdsOf(c, step['thresholds'], join(path, 'thresholds')),
  };
}

function stepOf(c: Checker, raw: unknown, path: string, index: number): StepSpec | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    c.add(path, 'must be an object');
    return undefined;
  }
  const dict = raw as Dict;
  const type = dict['type'];
  if (type !== undefined && type !== 'http' && type !== 'think_time') {
    c.add(join(path, 'type'), "must be 'http' or 'think_time'");
    return undefined;
  }
  const isThink = type === 'think_time' || (type === undefined && dict['url'] === undefined && 'think_time' in dict);
  if (!isThink) {
    if (type === undefined && dict['url'] === undefined) {
      c.add(path, "needs 'url' (an HTTP step) or 'think_time' (a think-time step)");
      return undefined;
    }
    return httpStepOf(c, dict, path, index);
  }
  const step = c.object(dict, path, THINK_STEP_KEYS);
  if (step === undefined) return undefined;
  const durationMs = c.duration(step['think_time'], join(path, 'think_time'));
  const name =
    step['name'] === undefined ? `think-${index}` : (c.label(step['name'], join(path, 'name')) ?? `think-${index}`);
  return durationMs === undefined ? undefined : { kind: 'think_time', name, durationMs };
}

function executorOf(c: Checker, wf: Dict, path: string): { executor: ExecutorSpec; vus: number } {
  const type = wf['executor'] ?? 'constant-vus';
  if (!(EXECUTORS as readonly unknown[]).includes(type)) {
    c.add(join(path, 'executor'), `must be one of ${EXECUTORS.join(', ')}`);
    return { executor: { type: 'constant-vus' }, vus: 1 };
  }
  if (type === 'constant-vus') {
    for (const key of ['rate', 'pre_allocated_vus', 'max_vus']) {
      if (wf[key] !== undefined) c.add(join(path, key), 'is only allowed with executor constant-arrival-rate');
    }
    const vus =
      wf['vus'] === undefined
        ? LOADGEN_DEFAULTS.vus
        : (c.integer(wf['vus'], join(path, 'vus'), 1, SPEC_LIMITS.maxVus) ?? 1);
    return { executor: { type: 'constant-vus' }, vus };
  }
  if (wf['vus'] !== undefined) {
    c.add(join(path, 'vus'), 'is not used by constant-arrival-rate; set pre_allocated_vus and max_vus');
  }
  const rate = c.positiveNumber(wf['rate'], join(path, 'rate'), SPEC_LIMITS.maxRatePerSecond) ?? 1;
  const pre = c.integer(wf['pre_allocated_vus'], join(path, 'pre_allocated_vus'), 1, SPEC_LIMITS.maxVus) ?? 1;
  let max = pre;
  if (wf['max_vus'] !== undefined) {
    max = c.integer(wf['max_vus'], join(path, 'max_vus'), 1, SPEC_LIMITS.maxVus) ?? pre;
    if (max < pre) c.add(join(path, 'max_vus'), 'must be at least pre_allocated_vus');
  }
  return {
    executor: { type: 'constant-arrival-rate', rate, preAllocatedVus: pre, maxVus: Math.max(max, pre) },
    vus: Math.max(max, pre),
  };
}

function workflowOf(c: Checker, raw: unknown, path: string, index: number): WorkflowSpec | undefined {
  const wf = c.object(raw, path, WORKFLOW_KEYS);
  if (wf === undefined) return undefined;
  const name = c.name(wf['name'], join(path, 'name')) ?? `workflow-${index}`;
  let dependsOn: string[] = [];
  const deps = wf['depends_on'];
  if (typeof deps === 'string') dependsOn = [deps];
  else if (Array.isArray(deps) && deps.every((d) => typeof d === 'string')) dependsOn = [...new Set(deps as string[])];
  else if (deps !== undefined) c.add(join(path, 'depends_on'), 'must be a workflow name or a list of workflow names');
  const { executor, vus } = executorOf(c, wf, path);
  let durationMs = 0;
  if (wf['duration'] === undefined) c.add(join(path, 'duration'), "is required (e.g. '30s')");
  else durationMs = c.duration(wf['duration'], join(path, 'duration')) ?? 0;
  const gracefulStopMs =
    wf['graceful_stop'] === undefined
      ? LOADGEN_DEFAULTS.gracefulStopMs
      : (c.duration(wf['graceful_stop'], join(path, 'graceful_stop'), true) ?? LOADGEN_DEFAULTS.gracefulStopMs);
  const steps: StepSpec[] = [];
  const rawSteps = wf['steps'];
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) {
    c.add(join(path, 'steps'), 'must be a non-empty list of steps');
  } else if (rawSteps.length > SPEC_LIMITS.maxStepsPerWorkflow) {
    c.add(join(path, 'steps'), `must have at most ${SPEC_LIMITS.maxStepsPerWorkflow} steps`);
  } else {
    const seen = new Map<string, number>();
    rawSteps.forEach((rawStep, i) => {
      const stepPath = join(join(path, 'steps'), i);
      const step = stepOf(c, rawStep, stepPath, i);
      if (step === undefined) return;
      const first = seen.get(step.name);
      if (first !== undefined) {
        c.add(
          join(stepPath, 'name'),
          `'${step.name}' is already the name of steps[${first}]; step names must be unique`,
        );
      } else seen.set(step.name, i);
      steps.push(step);
    });
    if (steps.length > 0 && !steps.some((s) => s.kind === 'http')) {
      c.add(join(path, 'steps'), 'must contain at least one HTTP step');
    }
  }
  const stuckAfterMs =
    wf['stuck_after'] === undefined ? undefined : c.duration(wf['stuck_after'], join(path, 'stuck_after'));
  return {
    name,
    dependsOn,
    vus,
    durationMs,
    gracefulStopMs,
    ...(stuckAfterMs !== undefined ? { stuckAfterMs } : {}),
    executor,
    steps,
    thresholds: thresholdsOf(c, wf['thresholds'], join(path, 'thresholds')),
  };
}

/** Reports unknown dependencies and cycles; returns the longest chain of duration+grace, in ms. */
function checkDependencies(c: Checker, workflows: readonly WorkflowSpec[]): number {
  const byName = new Map(workflows.map((w) => [w.name, w] as const));
  workflows.forEach((w, i) => {
    w.dependsOn.forEach((d) => {
      const p = `workflows[${i}].depends_on`;
      if (d === w.name) c.add(p, `'${d}' is the workflow itself`);
      else if (!byName.has(d)) c.add(p, `'${d}' is not the name of a workflow of this job`);
    });
  });
  // Depth-first search with colours; a grey → grey edge closes a cycle.
  const colour = new Map<string, 'grey' | 'black'>();
  const longest = new Map<string, number>();
  const stack: string[] = [];
  let cycleReported = false;
  const visit = (w: WorkflowSpec): number => {
    const state = colour.get(w.name);
    if (state === 'black') return longest.get(w.name) ?? 0;
    if (state === 'grey') {
      if (!cycleReported) {
        const cycle = [...stack.slice(stack.indexOf(w.name)), w.name];
        const at = workflows.findIndex((x) => x.name === w.name);
        c.add(`workflows[${at}].depends_on`, `dependency cycle: ${cycle.join(' → ')}`);
        cycleReported = true;
      }
      return 0;
    }
    colour.set(w.name, 'grey');
    stack.push(w.name);
    let before = 0;
    for (const d of w.dependsOn) {
      const dep = byName.get(d);
      if (dep !== undefined && dep !== w) before = Math.max(before, visit(dep));
    }
    stack.pop();
    colour.set(w.name, 'black');
    const total = before + w.durationMs + w.gracefulStopMs;
    longest.set(w.name, total);
    return total;
  };
  let critical = 0;
  for (const w of workflows) critical = Math.max(critical, visit(w));
  return critical;
}

/** Validates an already-parsed document; throws JobSpecError listing every problem. */
export function validateJobSpec(value: unknown): JobSpec {
  const c = new Checker();
  const job = c.object(value, '', JOB_KEYS);
  if (job === undefined) throw new JobSpecError(c.problems);
  const name = job['name'] === undefined ? LOADGEN_DEFAULTS.jobName : (c.name(job['name'], 'name') ?? '');

  const workflows: WorkflowSpec[] = [];
  const rawWorkflows = job['workflows'];
  if (!Array.isArray(rawWorkflows) || rawWorkflows.length === 0) {
    c.add('workflows', 'must be a non-empty list of workflows');
  } else if (rawWorkflows.length > SPEC_LIMITS.maxWorkflows) {
    c.add('workflows', `must have at most ${SPEC_LIMITS.maxWorkflows} workflows`);
  } else {
    const seen = new Map<string, number>();
    rawWorkflows.forEach((raw, i) => {
      const wf = workflowOf(c, raw, `workflows[${i}]`, i);
      if (wf === undefined) return;
      const first = seen.get(wf.name);
      if (first !== undefined) {
        c.add(`workflows[${i}].name`, `'${wf.name}' is already the name of workflows[${first}]; names must be unique`);
        return;
      }
      seen.set(wf.name, i);
      workflows.push(wf);
    });
  }
  const criticalPathMs = checkDependencies(c, workflows);

  let datacenters: string[] = [];
  const rawDcs = job['datacenters'];
  if (Array.isArray(rawDcs)) {
    rawDcs.forEach((d, i) => {
      const dc = c.name(d, `datacenters[${i}]`);
      if (dc === undefined) return;
      if (datacenters.includes(dc)) c.add(`datacenters[${i}]`, `'${dc}' is listed twice`);
      else datacenters.push(dc);
    });
  } else if (rawDcs !== undefined) {
    c.add('datacenters', 'must be a list of datacenter names');
    datacenters = [];
  }
  const datacenterCount =
    job['datacenter_count'] === undefined
      ? Math.max(1, datacenters.length)
      : (c.integer(job['datacenter_count'], 'datacenter_count', 1, SPEC_LIMITS.maxDatacenterCount) ?? 1);

  let timeoutMs = Math.max(LOADGEN_DEFAULTS.jobTimeoutFloorMs, criticalPathMs + LOADGEN_DEFAULTS.jobTimeoutMarginMs);
  if (job['timeout'] !== undefined) {
    const explicit = c.duration(job['timeout'], 'timeout');
    if (explicit !== undefined) {
      if (explicit < criticalPathMs) {
        c.add(
          'timeout',
          `must be at least ${criticalPathMs} ms: the longest depends_on chain of duration + graceful_stop takes that long`,
        );
      }
      timeoutMs = explicit;
    }
  }
  const thresholds = thresholdsOf(c, job['thresholds'], 'thresholds');
  if (c.problems.length > 0) throw new JobSpecError(c.problems);
  return { name, timeoutMs, datacenters, datacenterCount, workflows, thresholds };
}

/** Parses YAML or JSON text (JSON when `format` says so or the text starts with '{'), then validates. */
export function parseJobSpec(text: string, format?: 'yaml' | 'json'): JobSpec {
  const asJson = format === 'json' || (format === undefined && text.trimStart().startsWith('{'));
  let document: unknown;
  if (asJson) {
    try {
      document = JSON.parse(text);
    } catch (err) {
      throw new JobSpecError([{ path: '', rule: `is not valid JSON: ${(err as Error).message}` }]);
    }
  } else {
    try {
      document = parseYaml(text, { uniqueKeys: true, prettyErrors: true });
    } catch (err) {
      if (!(err instanceof YAMLParseError)) throw err;
      throw new JobSpecError([{ path: '', rule: `is not valid YAML: ${err.message.split('\n')[0]}` }]);
    }
  }
  return validateJobSpec(document);
}
