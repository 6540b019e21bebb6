// The stream transport for push/pull anti-entropy (memberlist's TCP push/pull): full state never
// rides UDP. One exchange per connection: a 4-byte big-endian length and the request, answered by
// a length and the reply. Frames are bounded; every connection has a deadline.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { StreamTransport } from '../membership.js';
import { formatHostPort, parseHostPort } from './address.js';

/** Concurrent stream connections (memberlist: 128 push/pulls at once). */
export const MAX_CONCURRENT_STREAMS = 128;

function readFrame(socket: Socket, maxBytes: number, onFrame: (frame: Uint8Array | undefined) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let expected = -1;
  let done = false;
  const finish = (frame: Uint8Array | undefined) => {
    if (done) return;
    done = true;
    socket.removeAllListeners('data');
    onFrame(frame);
  };
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
    if (expected < 0 && received >= 4) {
      expected = Buffer.concat(chunks).readUInt32BE(0);
      if (expected > maxBytes) return finish(undefined);
    }
    if (expected >= 0 && received >= 4 + expected) {
      finish(new Uint8Array(Buffer.concat(chunks).subarray(4, 4 + expected)));
    }
  });
  socket.once('end', () => finish(undefined));
  socket.once('error', () => finish(undefined));
  socket.once('close', () => finish(undefined));
}

function frame(bytes: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([header, bytes]);
}

export class TcpStreamTransport implements StreamTransport {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  failures = 0;
  refused = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onRequest: (fromAddr: string, bytes: Uint8Array) => Uint8Array | undefined,
    private readonly serverTimeoutMs: number,
  ) {}

  listen(host: string, port: number): Promise<void> {
    const server = createServer((socket) => {
      // memberlist caps concurrent push/pulls at 128 (anchors §1.3): refuse beyond that.
      if (this.open.size >= MAX_CONCURRENT_STREAMS) {
        this.refused++;
        socket.destroy();
        return;
      }
      this.track(socket);
      socket.setTimeout(this.serverTimeoutMs, () => socket.destroy());
      const from = formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
      readFrame(socket, this.maxBytes, (request) => {
        if (request === undefined) return socket.destroy();
        const reply = this.onRequest(from, request);
        if (reply === undefined) return socket.destroy();
        socket.end(frame(reply));
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => {
          this.failures++;
        });
        resolve();
      });
    });
  }

  exchange(
    toAddr: string,
    request: Uint8Array,
    timeoutMs: number,
    done: (reply: Uint8Array | undefined) => void,
  ): void {
    let settled = false;
    const settle = (reply: Uint8Array | undefined) => {
      if (settled) return;
      settled = true;
      if (reply === undefined) this.failures++;
      socket?.destroy();
      done(reply);
    };
    let socket: Socket | undefined;
    try {
      const { host, port } = parseHostPort(toAddr);
      socket = createConnection({ host, port });
    } catch {
      settle(undefined);
      return;
    }
    this.track(socket);
    socket.setTimeout(timeoutMs, () => settle(undefined));
    socket.once('error', () => settle(undefined));
    socket.once('connect', () => socket?.write(frame(request)));
    readFrame(socket, this.maxBytes, settle);
  }

  close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }
}
