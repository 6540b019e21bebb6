// AD-36 part 8: the order in which the gate tries the managers of one datacenter for a job.
//   1. the manager that already accepted this job there (per-job stickiness: it is the job leader)
//   2. the DC leader (only the leader accepts new jobs, facts §1.3; highest term first)
//   3. the rest by RTT UCB × load factor × quality penalty (cb = 0.5 when HALF_OPEN, facts §7.3)
// Managers with an OPEN circuit or a heartbeat older than the stale limit are left out.
import type { DatacenterInput, ManagerInput } from './candidate.js';
import { type ManagerExclusionReason, managerExclusion } from './candidate-filter.js';
import type { RoutingConfig } from './config.js';
import type { DistanceEstimator } from './distance.js';
import { loadFactor, qualityPenalty, queuePressure, utilization } from './scorer.js';
import { rendezvousHash } from './tie-break.js';

export interface ManagerReport {
  readonly managerId: string;
  readonly sticky: boolean;
  readonly leader: boolean;
  readonly rttUcbMs: number;
  readonly quality: number;
  readonly loadFactor: number;
  readonly qualityPenalty: number;
  readonly score: number;
}

export interface ManagerRanking {
  readonly datacenterId: string;
  /** Managers to try, in order. Empty when every manager is excluded. */
  readonly ordered: readonly ManagerReport[];
  readonly excluded: readonly { readonly managerId: string; readonly reason: ManagerExclusionReason }[];
}

export function rankManagers(
  jobId: string,
  datacenter: DatacenterInput,
  stickyManagerId: string | undefined,
  distance: DistanceEstimator,
  config: RoutingConfig,
): ManagerRanking {
  const dcEstimate = distance.datacenter(datacenter.datacenterId);
  const reports: (ManagerReport & { term: number; hash: number })[] = [];
  const excluded: { managerId: string; reason: ManagerExclusionReason }[] = [];
  for (const manager of datacenter.managers) {
    const reason = managerExclusion(manager, config);
    if (reason !== null) {
      excluded.push({ managerId: manager.managerId, reason });
      continue;
    }
    reports.push(scoreManager(jobId, manager, stickyManagerId, distance, dcEstimate, config));
  }
  reports.sort((a, b) => {
    if (a.sticky !== b.sticky) return a.sticky ? -1 : 1;
    if (a.leader !== b.leader) return a.leader ? -1 : 1;
    if (a.leader && a.term !== b.term) return b.term - a.term;
    if (a.score !== b.score) return a.score - b.score;
    return b.hash - a.hash;
  });
  const ordered: ManagerReport[] = reports.map(({ term: _term, hash: _hash, ...report }) => report);
  return { datacenterId: datacenter.datacenterId, ordered, excluded };
}

function scoreManager(
  jobId: string,
  manager: ManagerInput,
  stickyManagerId: string | undefined,
  distance: DistanceEstimator,
  dcEstimate: { rttUcbMs: number; quality: number } | undefined,
  config: RoutingConfig,
): ManagerReport & { term: number; hash: number } {
  const estimate = distance.manager?.(manager.managerId) ?? dcEstimate;
  const valid = estimate !== undefined && Number.isFinite(estimate.rttUcbMs) && estimate.rttUcbMs >= 0;
  const rtt = valid ? estimate.rttUcbMs : config.missingCoordinateRttMs;
  const quality = valid && Number.isFinite(estimate.quality) ? Math.min(1, Math.max(0, estimate.quality)) : 0;
  const util = manager.totalCores !== undefined ? utilization(manager.availableCores ?? 0, manager.totalCores) : 0;
  const queue = manager.queueDepth !== undefined ? queuePressure(manager.queueDepth, config) : 0;
  const cb = manager.circuit === 'half_open' ? config.halfOpenCircuitPressure : 0;
  const load = loadFactor(util, queue, cb, config);
  const qpen = qualityPenalty(quality, config);
  return {
    managerId: manager.managerId,
    sticky: stickyManagerId !== undefined && manager.managerId === stickyManagerId,
    leader: manager.isLeader === true,
    rttUcbMs: rtt,
    quality,
    loadFactor: load,
    qualityPenalty: qpen,
    score: rtt * load * qpen,
    term: Number.isFinite(manager.term) ? (manager.term as number) : 0,
    hash: rendezvousHash(jobId, manager.managerId),
  };
}
