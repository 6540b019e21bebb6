// How long finished jobs stay queryable, with a bound: past their retention they go, and when
// more finished jobs are kept than the bound, the oldest go first. Gates and managers both keep
// finished jobs for GetJob and late watchers; without the bound a burst of short jobs would grow
// the table until the retention caught up.

/** Ids of finished jobs to forget now: past `retentionMs`, then the oldest beyond `maxRetained`. */
export function finishedJobsToForget(
  jobs: Iterable<readonly [string, number | undefined]>,
  nowMs: number,
  options: { retentionMs: number; maxRetained: number },
): string[] {
  const forget: string[] = [];
  const kept: [string, number][] = [];
  for (const [id, finishedAtMs] of jobs) {
    if (finishedAtMs === undefined) continue;
    if (nowMs - finishedAtMs > options.retentionMs) forget.push(id);
    else kept.push([id, finishedAtMs]);
  }
  if (kept.length > options.maxRetained) {
    kept.sort((a, b) => a[1] - b[1]);
    for (const [id] of kept.slice(0, kept.length - options.maxRetained)) forget.push(id);
  }
  return forget;
}
