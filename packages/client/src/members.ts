// `hyperscale members`: a node's view of its SWIM pools (state, role, incarnation, estimated RTT),
// read from the node's admin endpoint `/membership` — the counterpart of `serf members`.
import type { PoolView } from '@hyperscale/swim';

export async function fetchPools(admin: string, signal?: AbortSignal): Promise<PoolView[]> {
  const url = /^https?:\/\//.test(admin) ? `${admin}/membership` : `http://${admin}/membership`;
  const response = await fetch(url, signal ? { signal } : {});
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as PoolView[];
}

export function renderPools(pools: readonly PoolView[], only?: string): string {
  const lines: string[] = [];
  for (const view of pools) {
    if (only && view.pool !== only) continue;
    lines.push(`${view.pool} pool, seen by ${view.self.id} (${view.self.addr}): ${view.members.length} members`);
    const header = ['member', 'role', 'state', 'incarnation', 'address', 'rtt ucb ms'];
    const rows = view.members.map((m) => [
      m.id,
      m.role,
      m.state,
      String(m.incarnation),
      m.addr,
      m.rttUcbMs === undefined || m.rttUcbMs === null ? '-' : m.rttUcbMs.toFixed(1),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [header, ...rows]) lines.push(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`);
  }
  return lines.join('\n');
}
