// Prometheus exposition of a member's state (DESIGN §8 names: hyperscale_<component>_<what>_<unit>):
// members by state and role, local health, probe RTT, suspicions, confirmations, bytes, coordinate
// error and confirmation pings by role. Pure text, served by whatever admin HTTP the service runs.
import type { SwimMembership } from './membership.js';
import type { MemberState, Role } from './types.js';

export function renderMetrics(node: SwimMembership, labels: Record<string, string> = {}): string {
  const base = Object.entries({ node: node.id, ...labels })
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [extra, value] of samples) lines.push(`${name}{${extra ? `${base},${extra}` : base}} ${value}`);
  };
  const byState = new Map<string, number>();
  for (const m of node.members()) {
    const key = `${m.state}|${m.role}`;
    byState.set(key, (byState.get(key) ?? 0) + 1);
  }
  const states: MemberState[] = ['unconfirmed', 'alive', 'suspect', 'dead', 'left'];
  const roles: Role[] = ['gate', 'manager', 'worker'];
  const s = node.stats();
  metric(
    'hyperscale_swim_members',
    'gauge',
    'Members in the table by state and role.',
    states.flatMap((state) =>
      roles.map((role): [string, number] => [`state="${state}",role="${role}"`, byState.get(`${state}|${role}`) ?? 0]),
    ),
  );
  metric('hyperscale_swim_local_health_score', 'gauge', 'Lifeguard local health score (0 = healthy).', [
    ['', node.localHealthScore()],
  ]);
  metric('hyperscale_swim_probe_rtt_ms', 'gauge', 'RTT of the last successful direct probe.', [['', s.lastProbeRttMs]]);
  metric('hyperscale_swim_suspicions_started_total', 'counter', 'Suspicions this member started or adopted.', [
    ['', s.suspicionsStarted],
  ]);
  metric('hyperscale_swim_confirmations_total', 'counter', 'UNCONFIRMED peers confirmed by direct evidence.', [
    ['', s.confirmations],
  ]);
  metric(
    'hyperscale_swim_confirmation_pings_total',
    'counter',
    'Proactive confirmation pings by peer role (AD-35).',
    roles.map((role): [string, number] => [`role="${role}"`, s.confirmationPingsByRole[role]]),
  );
  metric('hyperscale_swim_deaths_declared_total', 'counter', 'Members this node declared dead.', [
    ['', s.deathsDeclared],
  ]);
  metric('hyperscale_swim_refutations_total', 'counter', 'Suspicions about us we refuted.', [['', s.refutations]]);
  metric('hyperscale_swim_bytes_total', 'counter', 'Datagram bytes by direction.', [
    ['direction="in"', s.bytesIn],
    ['direction="out"', s.bytesOut],
  ]);
  metric('hyperscale_swim_datagrams_dropped_total', 'counter', 'Datagrams dropped as bad input, by reason.', [
    ['reason="oversized"', s.oversized],
    ['reason="rate_limited"', s.rateLimited],
    ['reason="bad_magic"', s.badMagic],
    ['reason="version"', s.versionMismatches],
    ['reason="label"', s.labelMismatches],
    ['reason="decrypt"', s.decryptFailures],
    ['reason="unencrypted"', s.unencryptedRefused],
    ['reason="decode"', s.decodeFailures],
  ]);
  const error = node.coordinateError();
  if (error !== undefined)
    metric('hyperscale_swim_coordinate_error', 'gauge', 'Vivaldi error estimate.', [['', error]]);
  return `${lines.join('\n')}\n`;
}
