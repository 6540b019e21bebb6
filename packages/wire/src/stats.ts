// Statistics ⇄ protobuf. Histograms travel as HdrHistogram bytes; arriving ones are checked to be
// well formed (without building them: checkHistogramEncoding), so a corrupt report is refused
// instead of poisoning a merge.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { StatsSnapshot, StepStats } from '@hyperscale/loadgen';
import { checkHistogramEncoding } from '@hyperscale/loadgen';
import type * as pb from '@hyperscale/protocol';

export class StatsDecodeError extends Error {
  override readonly name = 'StatsDecodeError';
}

export function statsToProto(stats: StatsSnapshot): MessageInitShape<typeof pb.WorkflowStatsSchema> {
  return {
    workflowName: stats.workflow,
    iterations: BigInt(stats.iterations),
    droppedIterations: BigInt(stats.droppedIterations),
    startedAtUnixMs: BigInt(Math.max(0, Math.round(stats.startedAtMs))),
    endedAtUnixMs: BigInt(Math.max(0, Math.round(stats.endedAtMs))),
    steps: stats.steps.map((s) => ({
      name: s.name,
      index: s.index,
      requests: BigInt(s.requests),
      errors: BigInt(s.errors),
      timeouts: BigInt(s.timeouts),
      transportErrors: BigInt(s.transportErrors),
      unexpectedStatus: BigInt(s.unexpectedStatus),
      interrupted: BigInt(s.interrupted),
      statusCounts: Object.entries(s.statusCounts).map(([status, count]) => ({
        status: Number(status),
        count: BigInt(count),
      })),
      latencyHistogram: s.latency,
      serviceTimeHistogram: s.serviceTime,
    })),
  };
}

function checkedHistogram(bytes: Uint8Array, where: string): Uint8Array {
  try {
    checkHistogramEncoding(bytes);
  } catch (error) {
    throw new StatsDecodeError(`${where}: histogram is not a valid HdrHistogram encoding (${String(error)})`);
  }
  return bytes;
}

export function statsFromProto(message: pb.WorkflowStats | undefined, where = 'stats'): StatsSnapshot | undefined {
  if (message === undefined) return undefined;
  const steps: StepStats[] = message.steps.map((s, i) => {
    const statusCounts: Record<string, number> = {};
    for (const c of s.statusCounts) statusCounts[String(c.status)] = Number(c.count);
    return {
      name: s.name,
      index: s.index,
      requests: Number(s.requests),
      errors: Number(s.errors),
      timeouts: Number(s.timeouts),
      transportErrors: Number(s.transportErrors),
      unexpectedStatus: Number(s.unexpectedStatus),
      interrupted: Number(s.interrupted),
      statusCounts,
      latency: checkedHistogram(s.latencyHistogram, `${where}.steps[${i}].latency_histogram`),
      serviceTime: checkedHistogram(s.serviceTimeHistogram, `${where}.steps[${i}].service_time_histogram`),
    };
  });
  return {
    workflow: message.workflowName,
    iterations: Number(message.iterations),
    droppedIterations: Number(message.droppedIterations),
    startedAtMs: Number(message.startedAtUnixMs),
    endedAtMs: Number(message.endedAtUnixMs),
    steps,
  };
}
