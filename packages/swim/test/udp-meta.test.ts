// A node's meta changes after it joined (a service learns its gRPC port once bound): over real UDP
// on 127.0.0.1 its peers see the new meta, and a peer it was introduced to with no meta (a
// registration answer) holds the meta the node gives of itself.
import { afterAll, describe, expect, it } from 'vitest';
import { createSwimNode, type SwimNode } from '../src/shell/swim-node.js';
import { waitFor } from './helpers.js';

describe('meta over real UDP on 127.0.0.1', () => {
  const nodes: SwimNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('reaches a peer that met the node through an introduction, and follows updateMeta', async () => {
    const start = async (id: string, role: 'manager' | 'worker', meta: Record<string, string>) => {
      const node = createSwimNode({ id, role, bindHost: '127.0.0.1', bindPort: 0, profile: 'local', meta, seeds: [] });
      nodes.push(node);
      await node.start();
      return node;
    };
    const manager = await start('m1', 'manager', { grpc: '127.0.0.1:0', dc: 'a' });
    const worker = await start('w1', 'worker', { dc: 'a' });
    worker.addUnconfirmed({ id: 'm1', addr: manager.addr, role: 'manager' });
    manager.addUnconfirmed({ id: 'w1', addr: worker.addr, role: 'worker' });
    expect(await waitFor(() => worker.member('m1')?.meta['grpc'] === '127.0.0.1:0', 5_000)).toBe(true);
    manager.updateMeta({ grpc: '127.0.0.1:7200', dc: 'a' });
    expect(await waitFor(() => worker.member('m1')?.meta['grpc'] === '127.0.0.1:7200', 5_000)).toBe(true);
    expect(worker.member('m1')?.state).toBe('alive');
  });
});
