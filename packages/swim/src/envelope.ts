// The outer frame of every datagram and stream exchange: magic, protocol version, flags and the
// cluster label, then the message, sealed by the keyring when one is configured. The header is
// authenticated as additional data, so a datagram cannot be moved to another cluster label, and a
// different major version is refused before anything else is read.
//
//   envelope = magic 0xB5 | version (major << 4 | minor) | flags | labelLength u8 | label | body
//   flags bit 0 = body is sealed (keyring)
import { ByteReader, ByteWriter, DecodeError } from './codec.js';

export const ENVELOPE_MAGIC = 0xb5;
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 0;
const FLAG_SEALED = 1;

/** Authenticated encryption of message bodies; the shell provides AES-256-GCM (shell/keyring.ts). */
export interface PacketSealer {
  /** Bytes `seal` adds to a body (nonce, tag, key hint). */
  readonly overheadBytes: number;
  seal(plain: Uint8Array, additionalData: Uint8Array): Uint8Array;
  /** The plaintext, or undefined when no key authenticates it. */
  open(sealed: Uint8Array, additionalData: Uint8Array): Uint8Array | undefined;
}

export type EnvelopeError = 'truncated' | 'bad-magic' | 'version' | 'label' | 'decrypt' | 'unencrypted';

export type OpenedEnvelope = { ok: true; body: Uint8Array } | { ok: false; error: EnvelopeError };

const textEncoder = new TextEncoder();

export class Envelope {
  private readonly labelBytes: Uint8Array;
  private readonly header: Uint8Array;

  constructor(
    label: string,
    private readonly sealer: PacketSealer | undefined,
  ) {
    this.labelBytes = textEncoder.encode(label);
    if (this.labelBytes.length > 255) throw new RangeError('cluster label exceeds 255 bytes');
    this.header = new ByteWriter(4 + this.labelBytes.length)
      .u8(ENVELOPE_MAGIC)
      .u8((PROTOCOL_MAJOR << 4) | PROTOCOL_MINOR)
      .u8(sealer === undefined ? 0 : FLAG_SEALED)
      .bytes8(this.labelBytes)
      .finish();
  }

  /** Bytes the envelope adds around a message. */
  overheadBytes(): number {
    return this.header.length + (this.sealer?.overheadBytes ?? 0);
  }

  wrap(message: Uint8Array): Uint8Array {
    const body = this.sealer === undefined ? message : this.sealer.seal(message, this.header);
    const out = new Uint8Array(this.header.length + body.length);
    out.set(this.header, 0);
    out.set(body, this.header.length);
    return out;
  }

  unwrap(bytes: Uint8Array): OpenedEnvelope {
    try {
      const r = new ByteReader(bytes);
      if (r.u8() !== ENVELOPE_MAGIC) return { ok: false, error: 'bad-magic' };
      const version = r.u8();
      if (version >> 4 !== PROTOCOL_MAJOR) return { ok: false, error: 'version' };
      const flags = r.u8();
      const label = r.bytes8();
      if (!sameBytes(label, this.labelBytes)) return { ok: false, error: 'label' };
      const headerLength = r.position();
      const body = bytes.subarray(headerLength);
      const sealed = (flags & FLAG_SEALED) !== 0;
      if (this.sealer === undefined) {
        // Without a keyring we cannot read sealed bodies.
        return sealed ? { ok: false, error: 'decrypt' } : { ok: true, body };
      }
      if (!sealed) return { ok: false, error: 'unencrypted' };
      const plain = this.sealer.open(body, bytes.subarray(0, headerLength));
      return plain === undefined ? { ok: false, error: 'decrypt' } : { ok: true, body: plain };
    } catch (error) {
      if (error instanceof DecodeError) return { ok: false, error: 'truncated' };
      throw error;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
