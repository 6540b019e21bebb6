// The wire protocol version carried in every registration. A peer with a different major is
// refused with a clear error; minors add capabilities (AD-25).
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 0;

/** Returns an error message when `peer` cannot talk to us, undefined when it can. */
export function checkProtocolVersion(peer: { major: number; minor: number } | undefined): string | undefined {
  if (peer === undefined) return `protocol version missing; this node speaks ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`;
  if (peer.major !== PROTOCOL_MAJOR) {
    return `protocol major ${peer.major} is not supported; this node speaks ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`;
  }
  return undefined;
}
