// The SWIM message layout: explicit binary, bounds-checked, no text parsing (DESIGN §4; facts §9.2
// item 10 is what not to copy). A message is the sender's id followed by typed, length-prefixed
// parts, so a ping, a buddy-system suspicion and piggybacked gossip travel in one datagram, and a
// newer minor version can add part types that older readers skip.
//
//   message = senderIdLen u8 | senderId | part*
//   part    = type u8 | bodyLength u16 | body
import type { MemberMeta, Role } from './types.js';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export const PART = {
  ping: 1,
  ack: 2,
  nack: 3,
  pingReq: 4,
  alive: 5,
  suspect: 6,
  dead: 7,
  state: 8,
  streamHeader: 9,
} as const;

/** Bytes a part adds around its body. */
export const PART_HEADER_BYTES = 3;

export type StateEntryState = 'alive' | 'suspect' | 'dead' | 'left';

export type Part =
  | { type: 'ping'; seq: number; targetId: string; coordinate: Uint8Array }
  | { type: 'ack'; seq: number; coordinate: Uint8Array; relayed: boolean }
  | { type: 'nack'; seq: number }
  | { type: 'ping-req'; seq: number; targetId: string; targetAddr: string; timeoutMs: number }
  | { type: 'alive'; id: string; incarnation: number; addr: string; role: Role; meta: MemberMeta }
  | { type: 'suspect'; id: string; incarnation: number; from: string }
  | { type: 'dead'; id: string; incarnation: number; from: string }
  | {
      type: 'state';
      id: string;
      incarnation: number;
      addr: string;
      role: Role;
      meta: MemberMeta;
      state: StateEntryState;
    }
  | { type: 'stream-header'; kind: 'push' | 'reply'; join: boolean };

export interface DecodedMessage {
  senderId: string;
  parts: Part[];
  /** Parts of a type this version does not know, skipped. */
  unknownParts: number;
}

export interface CodecLimits {
  maxIdBytes: number;
  maxMetaBytes: number;
}

const ROLE_CODES: Record<Role, number> = { gate: 1, manager: 2, worker: 3 };
const ROLE_BY_CODE: Record<number, Role | undefined> = { 1: 'gate', 2: 'manager', 3: 'worker' };
const STATE_CODES: Record<StateEntryState, number> = { alive: 1, suspect: 2, dead: 3, left: 4 };
const STATE_BY_CODE: Record<number, StateEntryState | undefined> = { 1: 'alive', 2: 'suspect', 3: 'dead', 4: 'left' };

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** A growable byte buffer. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initial = 256) {
    this.buffer = new Uint8Array(initial);
    this.view = new DataView(this.buffer.buffer);
  }

  u8(value: number): this {
    this.ensure(1);
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, value >>> 0);
    this.length += 4;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** u8 length + bytes. */
  bytes8(value: Uint8Array): this {
    if (value.length > 255) throw new RangeError(`field of ${value.length} bytes exceeds 255`);
    return this.u8(value.length).bytes(value);
  }

  str8(value: string, maxBytes = 255): this {
    const encoded = textEncoder.encode(value);
    if (encoded.length > maxBytes) throw new RangeError(`string of ${encoded.length} bytes exceeds ${maxBytes}`);
    return this.bytes8(encoded);
  }

  size(): number {
    return this.length;
  }

  /** Overwrites a u16 at `offset` (for length prefixes written after the body). */
  patchU16(offset: number, value: number): void {
    this.view.setUint16(offset, value);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

/** A bounds-checked cursor: every read past the end throws DecodeError. */
export class ByteReader {
  private offset: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  remaining(): number {
    return this.end - this.offset;
  }

  position(): number {
    return this.offset;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  take(length: number): Uint8Array {
    this.need(length);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  bytes8(): Uint8Array {
    return this.take(this.u8());
  }

  str8(maxBytes = 255): string {
    const raw = this.bytes8();
    if (raw.length > maxBytes) throw new DecodeError(`string of ${raw.length} bytes exceeds ${maxBytes}`);
    try {
      return textDecoder.decode(raw);
    } catch {
      throw new DecodeError('invalid UTF-8');
    }
  }

  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  private need(length: number): void {
    if (this.offset + length > this.end) throw new DecodeError('truncated');
  }
}

function writeMeta(w: ByteWriter, meta: MemberMeta, maxMetaBytes: number): void {
  const inner = new ByteWriter(64);
  const entries = Object.entries(meta);
  if (entries.length > 255) throw new RangeError('meta has more than 255 entries');
  inner.u8(entries.length);
  for (const [key, value] of entries) inner.str8(key).str8(value);
  const bytes = inner.finish();
  if (bytes.length > maxMetaBytes) throw new RangeError(`meta of ${bytes.length} bytes exceeds ${maxMetaBytes}`);
  w.u16(bytes.length).bytes(bytes);
}

function readMeta(r: ByteReader, maxMetaBytes: number): MemberMeta {
  const length = r.u16();
  if (length > maxMetaBytes) throw new DecodeError(`meta of ${length} bytes exceeds ${maxMetaBytes}`);
  const inner = new ByteReader(r.take(length));
  const count = inner.u8();
  const meta: Record<string, string> = Object.create(null);
  for (let i = 0; i < count; i++) {
    const key = inner.str8();
    meta[key] = inner.str8();
  }
  return Object.freeze({ ...meta });
}

function readRole(r: ByteReader): Role {
  const role = ROLE_BY_CODE[r.u8()];
  if (role === undefined) throw new DecodeError('unknown role');
  return role;
}

/** Encodes one part, header included. */
export function encodePart(part: Part, limits: CodecLimits): Uint8Array {
  const w = new ByteWriter(64);
  const typeCode = partTypeCode(part);
  w.u8(typeCode).u16(0);
  const id = limits.maxIdBytes;
  switch (part.type) {
    case 'ping':
      w.u32(part.seq).str8(part.targetId, id).bytes8(part.coordinate);
      break;
    case 'ack':
      w.u32(part.seq)
        .u8(part.relayed ? 1 : 0)
        .bytes8(part.coordinate);
      break;
    case 'nack':
      w.u32(part.seq);
      break;
    case 'ping-req':
      w.u32(part.seq).str8(part.targetId, id).str8(part.targetAddr, id).u32(part.timeoutMs);
      break;
    case 'alive':
      w.str8(part.id, id).u32(part.incarnation).str8(part.addr, id).u8(ROLE_CODES[part.role]);
      writeMeta(w, part.meta, limits.maxMetaBytes);
      break;
    case 'suspect':
    case 'dead':
      w.str8(part.id, id).u32(part.incarnation).str8(part.from, id);
      break;
    case 'state':
      w.str8(part.id, id).u32(part.incarnation).str8(part.addr, id).u8(ROLE_CODES[part.role]);
      w.u8(STATE_CODES[part.state]);
      writeMeta(w, part.meta, limits.maxMetaBytes);
      break;
    case 'stream-header':
      w.u8(part.kind === 'push' ? 1 : 2).u8(part.join ? 1 : 0);
      break;
  }
  const bodyLength = w.size() - PART_HEADER_BYTES;
  if (bodyLength > 0xffff) throw new RangeError('part too large');
  w.patchU16(1, bodyLength);
  return w.finish();
}

function partTypeCode(part: Part): number {
  switch (part.type) {
    case 'ping':
      return PART.ping;
    case 'ack':
      return PART.ack;
    case 'nack':
      return PART.nack;
    case 'ping-req':
      return PART.pingReq;
    case 'alive':
      return PART.alive;
    case 'suspect':
      return PART.suspect;
    case 'dead':
      return PART.dead;
    case 'state':
      return PART.state;
    case 'stream-header':
      return PART.streamHeader;
  }
}

/** The bytes a message header costs for `senderId`. */
export function messageHeaderBytes(senderId: string): number {
  return 1 + textEncoder.encode(senderId).length;
}

/** Joins already-encoded parts behind the sender id. */
export function assembleMessage(senderId: string, parts: readonly Uint8Array[], maxIdBytes: number): Uint8Array {
  const w = new ByteWriter(messageHeaderBytes(senderId) + parts.reduce((sum, p) => sum + p.length, 0));
  w.str8(senderId, maxIdBytes);
  for (const part of parts) w.bytes(part);
  return w.finish();
}

/** Decodes a message; throws DecodeError on anything malformed. */
export function decodeMessage(bytes: Uint8Array, limits: CodecLimits): DecodedMessage {
  const r = new ByteReader(bytes);
  const senderId = r.str8(limits.maxIdBytes);
  if (senderId.length === 0) throw new DecodeError('empty sender id');
  const parts: Part[] = [];
  let unknownParts = 0;
  while (r.remaining() > 0) {
    const type = r.u8();
    const length = r.u16();
    const body = new ByteReader(r.take(length));
    const part = decodePartBody(type, body, limits);
    if (part === undefined) {
      unknownParts++;
      continue;
    }
    parts.push(part);
  }
  return { senderId, parts, unknownParts };
}

function decodePartBody(type: number, r: ByteReader, limits: CodecLimits): Part | undefined {
  const id = limits.maxIdBytes;
  switch (type) {
    case PART.ping:
      return { type: 'ping', seq: r.u32(), targetId: r.str8(id), coordinate: copy(r.bytes8()) };
    case PART.ack: {
      const seq = r.u32();
      const relayed = r.u8() === 1;
      return { type: 'ack', seq, relayed, coordinate: copy(r.bytes8()) };
    }
    case PART.nack:
      return { type: 'nack', seq: r.u32() };
    case PART.pingReq:
      return { type: 'ping-req', seq: r.u32(), targetId: r.str8(id), targetAddr: r.str8(id), timeoutMs: r.u32() };
    case PART.alive: {
      const memberId = r.str8(id);
      const incarnation = r.u32();
      const addr = r.str8(id);
      const role = readRole(r);
      const meta = readMeta(r, limits.maxMetaBytes);
      return { type: 'alive', id: memberId, incarnation, addr, role, meta };
    }
    case PART.suspect:
    case PART.dead: {
      const memberId = r.str8(id);
      const incarnation = r.u32();
      const from = r.str8(id);
      return { type: type === PART.suspect ? 'suspect' : 'dead', id: memberId, incarnation, from };
    }
    case PART.state: {
      const memberId = r.str8(id);
      const incarnation = r.u32();
      const addr = r.str8(id);
      const role = readRole(r);
      const state = STATE_BY_CODE[r.u8()];
      if (state === undefined) throw new DecodeError('unknown member state');
      const meta = readMeta(r, limits.maxMetaBytes);
      return { type: 'state', id: memberId, incarnation, addr, role, meta, state };
    }
    case PART.streamHeader: {
      const kind = r.u8();
      if (kind !== 1 && kind !== 2) throw new DecodeError('unknown stream kind');
      return { type: 'stream-header', kind: kind === 1 ? 'push' : 'reply', join: r.u8() === 1 };
    }
    default:
      return undefined;
  }
}

function copy(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

/** Encodes a meta map alone, to check its size before gossiping it. */
export function metaSize(meta: MemberMeta, maxMetaBytes: number): number {
  const w = new ByteWriter(64);
  writeMeta(w, meta, maxMetaBytes);
  return w.size() - 2;
}
