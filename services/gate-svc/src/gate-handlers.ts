// GateService (clients) and GateControlService (managers) handlers: validate, then hand over to
// the job table or the datacenter registry. Bad input gets a clear status and changes nothing.
// AD-34 reports are fenced by the manager timeout fence: a stale one is answered accepted=false
// with the rejection (stale-fence, conflicting-leader), so its sender learns it no longer leads.
// Backpressure: each datacenter report's signal feeds the gate's BackpressureView; ListDatacenters
// shows each datacenter's level; progress acks carry the gate's own signal.
import { signalFromProto, signalToProto } from '@hyperscale/backpressure';
import { JobSpecError } from '@hyperscale/loadgen';
import {
  BackpressureLevel,
  checkProtocolVersion,
  DatacenterHealth,
  type GateControlService,
  type GateService,
  type HandlersOf,
  invalidArgument,
} from '@hyperscale/protocol';
import type { GateJobRouter, HealthBucket } from '@hyperscale/routing';
import { parseHostPort } from '@hyperscale/runtime';
import { isTimeoutReason } from '@hyperscale/timeout';
import { jobSpecFromProto, specErrorToStatus } from '@hyperscale/wire';
import type { DatacenterRegistry } from './datacenter-registry.js';
import type { GateBackpressure } from './gate-backpressure.js';
import type { GateJobs } from './gate-jobs.js';

export interface GateHandlerContext {
  gateId: string;
  jobs: GateJobs;
  registry: DatacenterRegistry;
  router: GateJobRouter;
  clusterId: string;
  environmentId: string;
  reportIntervalMs: number;
  backpressure: GateBackpressure;
  /** The global SWIM pool: registration introduces each manager as an UNCONFIRMED peer. */
  membership: { readonly address: string; introduceManager(managerId: string, swimAddress: string): void };
}

const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

const HEALTH: Record<HealthBucket, DatacenterHealth> = {
  healthy: DatacenterHealth.HEALTHY,
  busy: DatacenterHealth.BUSY,
  degraded: DatacenterHealth.DEGRADED,
  unhealthy: DatacenterHealth.UNHEALTHY,
};

export function gateServiceHandlers(ctx: GateHandlerContext): HandlersOf<typeof GateService> {
  return {
    async submitJob(request) {
      const versionError = request.submission?.version ? checkProtocolVersion(request.submission.version) : undefined;
      if (versionError) throw invalidArgument('submission.version', versionError);
      let spec: ReturnType<typeof jobSpecFromProto>;
      try {
        spec = jobSpecFromProto(request.submission?.spec);
      } catch (error) {
        if (error instanceof JobSpecError) throw specErrorToStatus(error, 'submission.spec');
        throw error;
      }
      const key = request.submission?.idempotencyKey ?? '';
      if (key.length > 256) throw invalidArgument('submission.idempotency_key', 'must be at most 256 characters');
      const { job, duplicate } = ctx.jobs.submit(spec, key);
      return { accepted: { jobId: job.jobId, duplicate, datacenters: [...job.broadcast.datacenters] } };
    },

    async watchJob(request, stream) {
      const job = ctx.jobs.require(request.jobId);
      for await (const update of job.broadcast.watch(stream.signal)) await stream.write({ update });
    },

    async getJob(request) {
      return { job: ctx.jobs.require(request.jobId).broadcast.info() };
    },

    async cancelJob(request) {
      const { job, alreadyTerminal } = ctx.jobs.cancel(request.jobId, request.reason);
      return { status: job.broadcast.status, alreadyTerminal };
    },

    async listDatacenters() {
      const views = new Map(ctx.router.describeDatacenters().map((v) => [v.datacenterId, v]));
      return {
        datacenters: ctx.registry.datacenterNames().map((name) => {
          const input = ctx.registry.input(name);
          const view = views.get(name);
          const fresh = input.managers.filter((m) => m.heartbeatAgeMs <= 5 * ctx.reportIntervalMs);
          return {
            name,
            health: HEALTH[ctx.registry.health(name)],
            managerCount: fresh.length,
            workerCount: input.healthSignals?.workerCount ?? 0,
            totalCores: input.totalCores,
            availableCores: input.availableCores,
            activeJobs: ctx.registry.managersOf(name).reduce((n, m) => Math.max(n, m.report?.activeJobs ?? 0), 0),
            backpressure: signalToProto(ctx.backpressure.view.signalFor(name)),
            lastReportAgeMs: BigInt(Number.isFinite(input.healthAgeMs) ? Math.round(input.healthAgeMs) : 0),
            rttUcbMs: view?.rttUcbMs ?? 0,
            loadFactor: view?.loadFactor ?? 0,
            coordinateQuality: view?.quality ?? 0,
            score: view?.score ?? 0,
            isPrimary: view?.bestForNewJob ?? false,
          };
        }),
      };
    },
  };
}

export function gateControlHandlers(ctx: GateHandlerContext): HandlersOf<typeof GateControlService> {
  return {
    async registerManager(request) {
      const versionError = checkProtocolVersion(request.version);
      if (versionError) return { accepted: false, error: versionError, gateId: ctx.gateId };
      if (request.clusterId !== ctx.clusterId || request.environmentId !== ctx.environmentId) {
        return {
          accepted: false,
          gateId: ctx.gateId,
          error: `cluster/environment ${request.clusterId}/${request.environmentId} does not match ${ctx.clusterId}/${ctx.environmentId}`,
        };
      }
      if (!SAFE_ID.test(request.managerId))
        throw invalidArgument('manager_id', 'may only contain letters, digits, _ . -');
      if (!SAFE_ID.test(request.datacenter))
        throw invalidArgument('datacenter', 'may only contain letters, digits, _ . -');
      if (request.address === '') throw invalidArgument('address', 'is required');
      if (request.swimAddress !== '' && typeof parseHostPort(request.swimAddress) === 'string') {
        throw invalidArgument('swim_address', 'must be host:port');
      }
      const refused = ctx.registry.register(request.managerId, request.datacenter, request.address, request.instanceId);
      if (refused) return { accepted: false, error: refused, gateId: ctx.gateId };
      ctx.membership.introduceManager(request.managerId, request.swimAddress);
      return {
        accepted: true,
        gateId: ctx.gateId,
        reportIntervalMs: ctx.reportIntervalMs,
        swimAddress: ctx.membership.address,
      };
    },

    async reportDatacenter(request) {
      const known = ctx.registry.report(request.managerId, request.address, {
        isLeader: request.isLeader,
        workerCount: request.workerCount,
        healthyWorkerCount: request.healthyWorkerCount,
        totalCores: request.totalCores,
        availableCores: request.availableCores,
        activeJobs: request.activeJobs,
        queuedWorkflows: request.queuedWorkflows,
        backpressureLevel: request.backpressure?.level ?? BackpressureLevel.NONE,
      });
      if (known)
        ctx.backpressure.onManagerSignal(request.managerId, request.datacenter, signalFromProto(request.backpressure));
      return { known };
    },

    async reportJobProgress(request) {
      const admitted = ctx.jobs.admitProgress(request);
      if (!admitted.accepted) {
        return {
          accepted: false,
          rejection: admitted.rejection,
          backpressure: signalToProto(ctx.backpressure.signal()),
        };
      }
      const accepted = ctx.jobs.onProgress(
        request.jobId,
        request.datacenter,
        request.sequence,
        request.fenceToken,
        request.status,
        request.workflows,
      );
      return { accepted, backpressure: signalToProto(ctx.backpressure.signal()) };
    },

    async reportJobResult(request) {
      const accepted = ctx.jobs.onResult(
        request.jobId,
        request.datacenter,
        request.fenceToken,
        request.status,
        request.workflows,
        request.error,
        { managerId: request.managerId, fenceToken: request.timeoutFenceToken, reason: request.timeoutReason },
      );
      return { accepted };
    },

    async reportJobTimeout(request) {
      if (!isTimeoutReason(request.reason)) {
        throw invalidArgument('reason', 'must be one of overall, stuck, datacenter-timeout, gate-unreachable');
      }
      return ctx.jobs.onTimeoutReport({ ...request, reason: request.reason, detail: request.detail.slice(0, 1_024) });
    },

    async reportJobLeaderTransfer(request) {
      if (request.newLeaderId === '') throw invalidArgument('new_leader_id', 'is required');
      return ctx.jobs.onLeaderTransfer(request);
    },
  };
}
