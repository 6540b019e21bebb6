// The end-of-test summary a k6 or Locust user expects: per datacenter and global, per step:
// requests, RPS, errors, and latency percentiles, plus threshold verdicts and the exit code rule.
import { type StatsSnapshot, summarize } from '@hyperscale/loadgen';
import { type JobResult, JobStatus } from '@hyperscale/protocol';
import { jobStatusName, statsFromProto } from '@hyperscale/wire';

export const EXIT_OK = 0;
export const EXIT_JOB_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_THRESHOLDS_FAILED = 99;

/** 0 completed and thresholds passed; 99 thresholds failed; 1 failed, timed out or cancelled. */
export function exitCodeOf(result: JobResult): number {
  if (result.status !== JobStatus.COMPLETED) return EXIT_JOB_FAILED;
  return result.thresholds.some((t) => !t.passed) ? EXIT_THRESHOLDS_FAILED : EXIT_OK;
}

export interface StepRow {
  scope: string;
  workflow: string;
  step: string;
  requests: number;
  rps: number;
  errors: number;
  errorRate: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

function rows(scope: string, workflows: readonly StatsSnapshot[]): StepRow[] {
  return workflows.flatMap((w) => {
    const summary = summarize(w);
    return summary.steps.map((s) => ({
      scope,
      workflow: w.workflow,
      step: s.name,
      requests: s.requests,
      rps: s.rps,
      errors: s.errors,
      errorRate: s.errorRate,
      p50: s.latency.p50,
      p90: s.latency.p90,
      p95: s.latency.p95,
      p99: s.latency.p99,
      max: s.latency.max,
    }));
  });
}

function decode(list: JobResult['merged']): StatsSnapshot[] {
  return list.flatMap((w) => {
    const s = statsFromProto(w);
    return s ? [s] : [];
  });
}

/** Every row of the summary: each datacenter, then the global merge. */
export function summaryRows(result: JobResult): StepRow[] {
  const perDc = result.datacenters.flatMap((dc) => rows(dc.datacenter, decode(dc.workflows)));
  return [...perDc, ...rows('global', decode(result.merged))];
}

const ms = (v: number): string => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(2)) : '-');

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function renderSummary(jobId: string, result: JobResult): string {
  const header = [
    'scope',
    'workflow',
    'step',
    'requests',
    'rps',
    'errors',
    'err%',
    'p50 ms',
    'p90 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
  ];
  const body = summaryRows(result).map((r) => [
    r.scope,
    r.workflow,
    r.step,
    String(r.requests),
    r.rps.toFixed(1),
    String(r.errors),
    (r.errorRate * 100).toFixed(2),
    ms(r.p50),
    ms(r.p90),
    ms(r.p95),
    ms(r.p99),
    ms(r.max),
  ]);
  const out = [
    `job ${jobId}: ${jobStatusName(result.status)} in ${(Number(result.elapsedMs) / 1000).toFixed(1)} s`,
    ...result.datacenters.map(
      (dc) => `  ${dc.datacenter}: ${jobStatusName(dc.status)}${dc.error ? ` (${dc.error})` : ''}`,
    ),
    '',
    table(header, body),
  ];
  if (result.thresholds.length > 0) {
    out.push('', 'thresholds:');
    for (const t of result.thresholds) {
      out.push(
        `  ${t.passed ? 'PASS' : 'FAIL'}  ${t.scope}  ${t.metric}: ${t.expression}  (observed ${Number.isFinite(t.observed) ? t.observed.toFixed(4) : 'n/a'})`,
      );
    }
  }
  if (result.error) out.push('', `error: ${result.error}`);
  return out.join('\n');
}
