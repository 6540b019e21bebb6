// A node serves UDP (probes, gossip) and TCP (push/pull) on one port number. With port 0 the UDP
// bind picks it, and the TCP port of that number may already be taken — another socket's ephemeral
// port, common when many processes start at once — so both are released and another port tried.

/** Attempts at a free port for both sockets when the node binds port 0. */
export const FREE_PORT_ATTEMPTS = 10;

export interface UdpBinding {
  bind(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

export interface TcpListening {
  listen(host: string, port: number): Promise<void>;
}

/** Binds `udp` and `tcp` on one port (`port`, or a free one when 0) and returns it. */
export async function bindUdpAndTcp(udp: UdpBinding, tcp: TcpListening, host: string, port: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const bound = await udp.bind(host, port);
    try {
      await tcp.listen(host, bound);
      return bound;
    } catch (error) {
      await udp.close();
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= FREE_PORT_ATTEMPTS) throw error;
    }
  }
}
