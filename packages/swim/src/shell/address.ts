// host:port parsing for the shell ("127.0.0.1:7946", "[::1]:7946").

export function parseHostPort(addr: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`'${addr}' is not host:port`);
  }
  return { host: match[1]!, port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
