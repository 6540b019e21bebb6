// The real datagram transport: one node:dgram socket with a 4 MiB receive buffer (TOOLCHAIN: the
// default drops ~45 % of a burst). Send errors and malformed addresses are counted, never thrown.
import { createSocket, type Socket } from 'node:dgram';
import type { PacketTransport } from '../membership.js';
import { formatHostPort, parseHostPort } from './address.js';

export const RECEIVE_BUFFER_BYTES = 4 << 20;

export class UdpTransport implements PacketTransport {
  private socket: Socket | undefined;
  sendErrors = 0;

  constructor(private readonly onPacket: (fromAddr: string, bytes: Uint8Array) => void) {}

  /** Binds and resolves with the bound port (useful when `port` is 0). */
  bind(host: string, port: number): Promise<number> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    const socket = createSocket({ type, recvBufferSize: RECEIVE_BUFFER_BYTES, sendBufferSize: 1 << 20 });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onPacket(formatHostPort(rinfo.address, rinfo.port), msg));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', () => {
          this.sendErrors++;
        });
        resolve(socket.address().port);
      });
    });
  }

  send(toAddr: string, bytes: Uint8Array): void {
    const socket = this.socket;
    if (socket === undefined) return;
    let target: { host: string; port: number };
    try {
      target = parseHostPort(toAddr);
    } catch {
      this.sendErrors++;
      return;
    }
    socket.send(bytes, target.port, target.host, (error) => {
      if (error) this.sendErrors++;
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
