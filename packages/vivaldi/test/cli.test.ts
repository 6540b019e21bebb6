// The vivaldi-eval CLI end to end (a child process reading a file; no network).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli/vivaldi-eval.ts', import.meta.url));
const matrix = fileURLToPath(new URL('../../../../shared/data/azure-44-rtt.json', import.meta.url));

function run(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('vivaldi-eval', () => {
  it('prints one JSON line with the accuracy figures', () => {
    const result = run(['--matrix', matrix, '--rounds', '50', '--seed', '3', '--noise', '0.1']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string) as Record<string, number>;
    expect(Object.keys(report).sort()).toEqual(
      ['mean_stretch', 'median_rel_err', 'nearest_of_5_top1', 'p90_rel_err', 'rounds'].sort(),
    );
    expect(report.rounds).toBe(50);
    expect(report.median_rel_err).toBeGreaterThan(0);
    expect(report.median_rel_err).toBeLessThan(0.5);
    expect(report.nearest_of_5_top1).toBeLessThanOrEqual(1);
  });

  it('exits 2 with a message naming the problem on bad arguments', () => {
    const result = run(['--matrix', matrix, '--rounds', 'ten', '--seed', '1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--rounds must be an integer/);
    const missing = run(['--rounds', '5', '--seed', '1']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--matrix is required/);
  });
});
