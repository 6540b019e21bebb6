import { describe, expect, it } from 'vitest';
import { parseJobSpec, remainingShare } from '../src/index.js';

const spec = parseJobSpec(`
name: moved
timeout: 10m
workflows:
  - name: warmup
    vus: 4
    duration: 30s
    steps: [{ name: home, url: "http://127.0.0.1:1/" }]
  - name: checkout
    depends_on: [warmup]
    vus: 8
    duration: 2m
    steps: [{ name: pay, url: "http://127.0.0.1:1/pay" }]
  - name: browse
    vus: 2
    duration: 1m
    steps: [{ name: list, url: "http://127.0.0.1:1/list" }]
`);

describe('remainingShare', () => {
  it('keeps each workflow for the time it had not run, and never-started ones in full', () => {
    const left = remainingShare(spec, new Map([['warmup', 12_000]]), 1_000)!;
    expect(left.workflows.map((w) => [w.name, w.durationMs, w.dependsOn])).toEqual([
      ['warmup', 18_000, []],
      ['checkout', 120_000, ['warmup']],
      ['browse', 60_000, []],
    ]);
    expect(left.workflows[1]!.vus).toBe(8);
  });

  it('drops finished workflows and the waits on them', () => {
    const left = remainingShare(
      spec,
      new Map([
        ['warmup', 30_000],
        ['checkout', 100_000],
      ]),
      1_000,
    )!;
    expect(left.workflows.map((w) => [w.name, w.durationMs, w.dependsOn])).toEqual([
      ['checkout', 20_000, []],
      ['browse', 60_000, []],
    ]);
  });

  it('runs a nearly finished workflow at least the minimum, and nothing when all are done', () => {
    const almost = remainingShare(spec, new Map([['browse', 59_900]]), 1_000)!;
    expect(almost.workflows.find((w) => w.name === 'browse')!.durationMs).toBe(1_000);
    const ran = new Map([
      ['warmup', 30_000],
      ['checkout', 120_000],
      ['browse', 61_000],
    ]);
    expect(remainingShare(spec, ran, 1_000)).toBeUndefined();
  });
});
