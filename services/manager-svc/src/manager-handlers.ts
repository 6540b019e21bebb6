// ManagerService handlers: validate what gates, clients and workers send, then hand it to the
// job table. Bad input gets INVALID_ARGUMENT naming the field and changes nothing. A global
// timeout with a stale fence is refused in the response (outcome REJECTED, reason stale-fence,
// with the manager's status correction), not with a gRPC error, so the correction reaches the gate.
// Backpressure (AD-37): every accepted progress report is recorded in the stats buffer (the
// manager's intake of progress work); a report the buffer refuses (REJECT) is answered
// accepted=false and not applied — progress is cumulative, the worker's next report carries it.
// Every progress ack and heartbeat ack carries the manager's current signal.

import { signalToProto } from '@hyperscale/backpressure';
import { JobSpecError } from '@hyperscale/loadgen';
import {
  checkProtocolVersion,
  failedPrecondition,
  type HandlersOf,
  invalidArgument,
  type ManagerService,
} from '@hyperscale/protocol';
import { parseHostPort } from '@hyperscale/runtime';
import { isTimeoutReason } from '@hyperscale/timeout';
import { jobSpecFromProto, resultKindOf, StatsDecodeError, specErrorToStatus, statsFromProto } from '@hyperscale/wire';
import type { ManagerBackpressure } from './manager-backpressure.js';
import type { ManagerJobs } from './manager-jobs.js';

export interface ManagerHandlerContext {
  jobs: ManagerJobs;
  managerId: string;
  /** This process's instance id (ManagerIdentity): a worker that sees it change stops the old process's shares. */
  instanceId: string;
  clusterId: string;
  environmentId: string;
  heartbeatIntervalMs: number;
  backpressure: ManagerBackpressure;
  /** The datacenter SWIM pool: registration introduces each worker as an UNCONFIRMED peer. */
  membership: { readonly datacenterSwimAddress: string; introduceWorker(workerId: string, swimAddress: string): void };
}

const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

function validatedSpec(submission: { spec?: Parameters<typeof jobSpecFromProto>[0] } | undefined) {
  try {
    return jobSpecFromProto(submission?.spec);
  } catch (error) {
    if (error instanceof JobSpecError) throw specErrorToStatus(error, 'submission.spec');
    throw error;
  }
}

function decodedStats(message: Parameters<typeof statsFromProto>[0]) {
  try {
    return statsFromProto(message, 'stats');
  } catch (error) {
    if (error instanceof StatsDecodeError) throw invalidArgument('stats', error.message);
    throw error;
  }
}

export function managerHandlers(ctx: ManagerHandlerContext): HandlersOf<typeof ManagerService> {
  const { jobs } = ctx;
  return {
    async submitJob(request) {
      const spec = validatedSpec(request.submission);
      if (request.jobId !== '' && !SAFE_ID.test(request.jobId)) {
        throw invalidArgument('job_id', 'may only contain letters, digits, _ . -');
      }
      const { job, duplicate } = jobs.submit(spec, {
        ...(request.jobId ? { jobId: request.jobId } : {}),
        ...(request.originGateAddress ? { originGate: request.originGateAddress } : {}),
        gateFence: request.gateFenceToken,
        ...(request.submission?.idempotencyKey ? { idempotencyKey: request.submission.idempotencyKey } : {}),
      });
      return { accepted: { jobId: job.jobId, duplicate, datacenters: [...job.broadcast.datacenters] } };
    },

    async watchJob(request, stream) {
      const job = jobs.require(request.jobId);
      for await (const update of job.broadcast.watch(stream.signal)) await stream.write({ update });
    },

    async getJob(request) {
      return { job: jobs.require(request.jobId).broadcast.info() };
    },

    async cancelJob(request) {
      const { job, cancelledShares, alreadyTerminal } = jobs.cancel(request.jobId, request.reason);
      return { status: job.broadcast.status, alreadyTerminal, cancelledWorkflows: cancelledShares };
    },

    async applyGlobalTimeout(request) {
      if (request.jobId === '' || !SAFE_ID.test(request.jobId)) {
        throw invalidArgument('job_id', 'is required and may only contain letters, digits, _ . -');
      }
      if (!isTimeoutReason(request.reason)) {
        throw invalidArgument('reason', 'must be one of overall, stuck, datacenter-timeout, gate-unreachable');
      }
      if (request.detail.length > 1_024) throw invalidArgument('detail', 'must be at most 1024 characters');
      return jobs.applyGlobalTimeout({
        jobId: request.jobId,
        reason: request.reason,
        detail: request.detail,
        timedOutAtMs: Number(request.timedOutAtUnixMs),
        fenceToken: request.fenceToken,
      });
    },

    async registerWorker(request) {
      const versionError = checkProtocolVersion(request.version);
      if (versionError) return { accepted: false, error: versionError, managerId: ctx.managerId };
      if (request.clusterId !== ctx.clusterId || request.environmentId !== ctx.environmentId) {
        return {
          accepted: false,
          managerId: ctx.managerId,
          error: `cluster/environment ${request.clusterId}/${request.environmentId} does not match ${ctx.clusterId}/${ctx.environmentId}`,
        };
      }
      if (!SAFE_ID.test(request.workerId))
        throw invalidArgument('worker_id', 'may only contain letters, digits, _ . -');
      if (request.address === '') throw invalidArgument('address', 'is required');
      if (request.swimAddress !== '' && typeof parseHostPort(request.swimAddress) === 'string') {
        throw invalidArgument('swim_address', 'must be host:port');
      }
      const refused = jobs.pool.register(request.workerId, request.address, request.totalCores);
      if (refused) return { accepted: false, error: refused, managerId: ctx.managerId };
      ctx.membership.introduceWorker(request.workerId, request.swimAddress);
      return {
        accepted: true,
        managerId: ctx.managerId,
        managerInstanceId: ctx.instanceId,
        heartbeatIntervalMs: ctx.heartbeatIntervalMs,
        swimAddress: ctx.membership.datacenterSwimAddress,
      };
    },

    async workerHeartbeat(request) {
      return {
        known: jobs.pool.touch(request.workerId),
        backpressure: signalToProto(ctx.backpressure.signal()),
      };
    },

    async reportProgress(request) {
      jobs.pool.touch(request.workerId);
      const stats = decodedStats(request.stats);
      const intake =
        stats === undefined
          ? 'rejected'
          : ctx.backpressure.recordProgress(stats.steps.reduce((n, s) => n + s.requests, 0));
      const accepted =
        stats !== undefined && intake === 'accepted' && jobs.onProgress(request.jobId, request.workflowId, stats);
      // AD-26: the grant (when the worker asked) and the time left before the job's deadline.
      const time = accepted ? jobs.requestExtension(request.jobId, request.workerId, request.extension) : {};
      return { accepted, backpressure: signalToProto(ctx.backpressure.signal()), ...time };
    },

    async reportResult(request) {
      jobs.pool.touch(request.workerId);
      const kind = resultKindOf(request.status);
      if (kind === undefined) throw failedPrecondition(`status ${request.status} is not a final workflow status`);
      const stats = decodedStats(request.stats);
      return { accepted: jobs.onResult(request.jobId, request.workflowId, kind, stats, request.error) };
    },
  };
}
