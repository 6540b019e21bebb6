import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindUdpAndTcp, FREE_PORT_ATTEMPTS } from '../src/shell/bind-udp-and-tcp.js';
import { UdpTransport } from '../src/shell/udp-transport.js';

const inUse = () => Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });

/** A UDP side handing out the given ports in turn, recording closes. */
function udpFake(ports: number[]) {
  const closed: number[] = [];
  let current = 0;
  return {
    closed,
    bind: async () => {
      current = ports.shift() ?? 0;
      return current;
    },
    close: async () => {
      closed.push(current);
    },
  };
}

describe('bindUdpAndTcp', () => {
  it('with port 0, releases a UDP port whose TCP twin is taken and tries another', async () => {
    const udp = udpFake([4001, 4002]);
    const listened: number[] = [];
    const tcp = {
      listen: async (_host: string, port: number) => {
        listened.push(port);
        if (port === 4001) throw inUse();
      },
    };
    expect(await bindUdpAndTcp(udp, tcp, '127.0.0.1', 0)).toBe(4002);
    expect(listened).toEqual([4001, 4002]);
    expect(udp.closed).toEqual([4001]);
  });

  it('gives up after a bounded number of attempts, and at once for a configured port or another error', async () => {
    const always = { listen: async () => Promise.reject(inUse()) };
    const many = udpFake(Array.from({ length: 20 }, (_, i) => 5000 + i));
    await expect(bindUdpAndTcp(many, always, '127.0.0.1', 0)).rejects.toThrow('EADDRINUSE');
    expect(many.closed).toHaveLength(FREE_PORT_ATTEMPTS);

    const fixed = udpFake([7202]);
    await expect(bindUdpAndTcp(fixed, always, '127.0.0.1', 7202)).rejects.toThrow('EADDRINUSE');
    expect(fixed.closed).toEqual([7202]);

    const denied = udpFake([6000, 6001]);
    const eacces = { listen: async () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) };
    await expect(bindUdpAndTcp(denied, eacces, '127.0.0.1', 0)).rejects.toThrow('EACCES');
    expect(denied.closed).toEqual([6000]);
  });

  it('on real sockets: a UDP port whose TCP port is held by another listener is passed over', async () => {
    const udp = new UdpTransport(() => {});
    const taken: Server[] = [];
    // Hold the TCP twin of the first port the UDP side picks, then let the real bind find another.
    const first = await udp.bind('127.0.0.1', 0);
    await udp.close();
    taken.push(
      await new Promise<Server>((resolve) => {
        const server = createServer().listen(first, '127.0.0.1', () => resolve(server));
      }),
    );
    let picks = 0;
    const picking = {
      bind: (host: string, port: number) => (picks++ === 0 ? Promise.resolve(first) : udp.bind(host, port)),
      close: () => udp.close(),
    };
    const servers: Server[] = [];
    const tcp = {
      listen: (host: string, port: number) =>
        new Promise<void>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(port, host, () => {
            servers.push(server);
            resolve();
          });
        }),
    };
    try {
      const port = await bindUdpAndTcp(picking, tcp, '127.0.0.1', 0);
      expect(port).not.toBe(first);
      expect(picks).toBe(2);
    } finally {
      await udp.close();
      for (const server of [...taken, ...servers]) server.close();
    }
  });
});
