import { describe, expect, it } from 'vitest';
import { DEFAULT_ORPHANED_SHARES_CONFIG, OrphanedShares } from '../src/index.js';

describe('OrphanedShares', () => {
  it('names a manager once it has been down for the grace, not before', () => {
    const orphans = new OrphanedShares({ graceMs: 5_000 });
    orphans.managerDown('m1', 1_000);
    expect(orphans.expired(5_999)).toEqual([]);
    expect(orphans.expired(6_000)).toEqual(['m1']);
  });

  it('defaults to the facts’ 5 s grace and 1 s check', () => {
    expect(DEFAULT_ORPHANED_SHARES_CONFIG.graceMs).toBe(5_000);
    expect(DEFAULT_ORPHANED_SHARES_CONFIG.checkIntervalMs).toBe(1_000);
    const orphans = new OrphanedShares();
    orphans.managerDown('m1', 0);
    expect(orphans.expired(4_999)).toEqual([]);
    expect(orphans.expired(5_000)).toEqual(['m1']);
  });

  it('keeps the shares of a manager back within the grace', () => {
    const orphans = new OrphanedShares({ graceMs: 5_000 });
    orphans.managerDown('m1', 0);
    orphans.managerDown('m2', 0);
    orphans.managerUp('m1');
    expect(orphans.expired(10_000)).toEqual(['m2']);
    expect(orphans.inGrace()).toEqual([]);
  });

  it('a repeated down keeps the first time: the grace never restarts', () => {
    const orphans = new OrphanedShares({ graceMs: 5_000 });
    orphans.managerDown('m1', 0);
    orphans.managerDown('m1', 4_000);
    expect(orphans.expired(5_000)).toEqual(['m1']);
  });

  it('returns each manager once, then forgets it; a later down starts a new grace', () => {
    const orphans = new OrphanedShares({ graceMs: 5_000 });
    orphans.managerDown('m1', 0);
    expect(orphans.expired(5_000)).toEqual(['m1']);
    expect(orphans.expired(6_000)).toEqual([]);
    orphans.managerDown('m1', 20_000);
    expect(orphans.expired(24_999)).toEqual([]);
    expect(orphans.expired(25_000)).toEqual(['m1']);
  });

  it('stays within its bound by cutting the longest grace short, never by forgetting a manager', () => {
    const orphans = new OrphanedShares({ graceMs: 5_000, maxManagers: 2 });
    expect(orphans.managerDown('m1', 0)).toBeUndefined();
    expect(orphans.managerDown('m2', 100)).toBeUndefined();
    expect(orphans.managerDown('m3', 200)).toBe('m1');
    expect(orphans.inGrace().map((e) => e.manager)).toEqual(['m2', 'm3']);
    // a manager that went up and down again is the newest, not the oldest
    orphans.managerUp('m2');
    orphans.managerDown('m2', 300);
    expect(orphans.managerDown('m4', 400)).toBe('m3');
    expect(orphans.expired(10_000)).toEqual(['m2', 'm4']);
  });
});
