// One lazily created client per peer address, all closed together on shutdown. A service talks to
// the same few peers (its gates, its managers, its workers) for its whole life: a gRPC channel is
// created on first use and kept, so reconnection and keepalive stay the channel's business, and
// the owner of the cache closes every channel it opened. Generic over the client type: the
// factory decides what a client is (a typed grpc-js client from @hyperscale/protocol, usually).

/** Anything with a `close()`: a grpc-js client, a typed one from @hyperscale/protocol. */
export interface Closable {
  close(): void;
}

export class ClientCache<C extends Closable> {
  private readonly clients = new Map<string, C>();

  /** `create` makes the client of one address; it is called at most once per address until `close()`. */
  constructor(private readonly create: (address: string) => C) {}

  /** The client of `address`, created on first use. */
  get(address: string): C {
    let client = this.clients.get(address);
    if (!client) {
      client = this.create(address);
      this.clients.set(address, client);
    }
    return client;
  }

  /** Addresses with an open client. Bounded by the peers the service was configured or told about. */
  get size(): number {
    return this.clients.size;
  }

  /** Closes every client; a later `get` creates a new one. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
