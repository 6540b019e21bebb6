import { describe, expect, it } from 'vitest';
import { DEFAULT_ORPHANED_SHARES_CONFIG, lostShareDestinations, shareLoss } from '../src/index.js';

const grace = 5_000;
const settled = grace + DEFAULT_ORPHANED_SHARES_CONFIG.checkIntervalMs;

describe('shareLoss', () => {
  it('keeps a share whose manager is alive and datacenter reachable', () => {
    expect(shareLoss({ managerLoss: undefined, datacenterReachable: true, orphanGraceMs: grace })).toBeUndefined();
  });

  it('holds a lost manager’s share lost only once the workers have stopped it (grace + one check)', () => {
    for (const reason of ['dead', 'restarted', 'forgotten'] as const) {
      const at = (forMs: number) =>
        shareLoss({ managerLoss: { reason, forMs }, datacenterReachable: true, orphanGraceMs: grace });
      expect(at(settled - 1)).toBeUndefined();
      expect(at(settled)).toBe(`manager_${reason}`);
    }
    expect(
      shareLoss({
        managerLoss: { reason: 'forgotten', forMs: Number.POSITIVE_INFINITY },
        datacenterReachable: true,
        orphanGraceMs: grace,
      }),
    ).toBe('manager_forgotten');
  });

  it('waits for the workers even when the datacenter is unreachable meanwhile', () => {
    expect(
      shareLoss({ managerLoss: { reason: 'dead', forMs: 1_000 }, datacenterReachable: false, orphanGraceMs: grace }),
    ).toBeUndefined();
  });

  it('moves at once off an unreachable datacenter whose manager nobody holds lost (reports stopped, circuits open)', () => {
    expect(shareLoss({ managerLoss: undefined, datacenterReachable: false, orphanGraceMs: grace })).toBe(
      'datacenter_unreachable',
    );
  });

  it('follows the configured grace', () => {
    const loss = { reason: 'dead' as const, forMs: 2_500 };
    expect(shareLoss({ managerLoss: loss, datacenterReachable: true, orphanGraceMs: 1_500 })).toBe('manager_dead');
    expect(shareLoss({ managerLoss: loss, datacenterReachable: true, orphanGraceMs: 2_000 })).toBeUndefined();
  });
});

describe('lostShareDestinations', () => {
  const chain = ['dc-a', 'dc-b', 'dc-c', 'dc-d'];
  const used = (dcs: string[]) => (dc: string) => dcs.includes(dc);

  it('tries the share’s own datacenter first while it is reachable, then datacenters the job does not use', () => {
    expect(lostShareDestinations('dc-b', true, chain, used(['dc-b', 'dc-c']))).toEqual(['dc-b', 'dc-a', 'dc-d']);
  });

  it('leaves an unreachable datacenter for the chain’s unused ones, in the chain’s order', () => {
    expect(lostShareDestinations('dc-b', false, chain, used(['dc-b', 'dc-c']))).toEqual(['dc-a', 'dc-d']);
    expect(lostShareDestinations('dc-b', false, chain, used(chain))).toEqual([]);
  });
});
