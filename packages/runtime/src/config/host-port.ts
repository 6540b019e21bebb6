// 'host:port' addresses (peers, seeds, the gate) are validated once at start-up so a typo fails the
// deploy instead of the first dial minutes later.

export interface HostPort {
  host: string;
  port: number;
}

const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Parses 'host:port' or '[ipv6]:port'; returns a reason string when it is not one. */
export function parseHostPort(text: string): HostPort | string {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close < 0 || trimmed[close + 1] !== ':') return 'is not host:port';
    host = trimmed.slice(1, close);
    portText = trimmed.slice(close + 2);
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) return 'has an invalid IPv6 host';
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon <= 0) return 'is not host:port';
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (!HOST_PATTERN.test(host)) return 'has an invalid host';
  }
  if (!/^\d+$/.test(portText)) return 'has a port that is not a number';
  const port = Number(portText);
  if (port < 1 || port > 65535) return `has port ${port} out of range 1..65535`;
  return { host, port };
}

/**
 * The host and port of an address that came from a peer, for reports that carry them separately:
 * never throws; an address that is not host:port keeps its text as the host, with port 0.
 */
export function splitHostPort(address: string): HostPort {
  const parsed = parseHostPort(address);
  return typeof parsed === 'string' ? { host: address, port: 0 } : parsed;
}

/** Formats a host and port for grpc-js and URLs, bracketing IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
