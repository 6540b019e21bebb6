// A target that accepts TCP connections and never answers: it reads and holds every socket, so no
// request to it ever completes. It counts what arrives (connections accepted, open now, bytes), so
// a test can tell when a load generator pointed at it has stopped.
import { createServer, type Socket } from 'node:net';

export interface SilentTarget {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Connections accepted since start. */
  accepted(): number;
  /** Connections open now (the peer has not closed them). */
  open(): number;
  /** Bytes received on every connection since start. */
  bytes(): number;
  close(): Promise<void>;
}

export async function startSilentTarget(host = '127.0.0.1'): Promise<SilentTarget> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let bytes = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      bytes += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the silent target has no TCP port');
  const port = address.port;
  return {
    port,
    url: `http://${host}:${port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    bytes: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
