// Free ports on 127.0.0.1 for test topologies. They are taken below the kernel's ephemeral range
// (32768+ on Linux), because the nodes themselves bind ephemeral ports (SWIM pools on port 0, every
// outgoing connection): a port handed out from that range and released could be taken by one of
// them before its node binds it (seen in CI: EADDRINUSE on a manager's admin port). Each candidate
// is checked free for TCP and UDP; the start is random so concurrent test files rarely meet.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  const span = HIGH - LOW;
  const start = LOW + Math.floor(Math.random() * span);
  for (let i = 0; i < span && ports.length < count; i++) {
    const port = LOW + ((start - LOW + i) % span);
    if ((await tcpFree(port)) && (await udpFree(port))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`only ${ports.length} of ${count} free ports in ${LOW}..${HIGH}`);
  return ports;
}
