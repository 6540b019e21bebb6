import { describe, expect, it } from 'vitest';
import { ClientCache } from '../src/index.js';

describe('ClientCache', () => {
  it('creates one client per address on first use and closes them all together', () => {
    const created: string[] = [];
    const closed: string[] = [];
    const cache = new ClientCache((address: string) => {
      created.push(address);
      return { address, close: () => closed.push(address) };
    });
    expect(cache.get('a:1')).toBe(cache.get('a:1'));
    cache.get('b:2');
    expect(created).toEqual(['a:1', 'b:2']);
    expect(cache.size).toBe(2);
    cache.close();
    expect(closed).toEqual(['a:1', 'b:2']);
    expect(cache.size).toBe(0);
    cache.get('a:1');
    expect(created).toEqual(['a:1', 'b:2', 'a:1']);
  });
});
