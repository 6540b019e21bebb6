// AES-256-GCM keyring for datagrams and stream exchanges (DESIGN §4, like memberlist's keyring):
// the primary key seals, every installed key is tried when opening, so a cluster rotates keys
// without losing anyone: install the new key everywhere, make it primary everywhere, then remove
// the old one. Sealed body = nonce (12) | ciphertext | tag (16); the envelope header is the
// additional authenticated data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PacketSealer } from '../envelope.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class Keyring implements PacketSealer {
  readonly overheadBytes = NONCE_BYTES + TAG_BYTES;
  private keys: Buffer[] = [];

  /** `keys[0]` is the primary. Each key must be 32 bytes (AES-256). */
  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new RangeError('a keyring needs at least one key');
    for (const key of keys) this.install(key);
  }

  /** Parses keys given as base64 strings (the keyring file / env format). */
  static fromBase64(keys: readonly string[]): Keyring {
    return new Keyring(keys.map((k) => Buffer.from(k, 'base64')));
  }

  static generateKey(): Uint8Array {
    return randomBytes(KEY_BYTES);
  }

  /** Adds a key that can open datagrams (it does not seal until made primary). */
  install(key: Uint8Array): void {
    if (key.length !== KEY_BYTES) throw new RangeError(`keyring keys must be ${KEY_BYTES} bytes, got ${key.length}`);
    if (this.indexOf(key) >= 0) return;
    this.keys.push(Buffer.from(key));
  }

  /** Makes an installed key the primary (sealing) key. */
  use(key: Uint8Array): void {
    const index = this.indexOf(key);
    if (index < 0) throw new RangeError('cannot use a key that is not installed');
    const [found] = this.keys.splice(index, 1);
    this.keys.unshift(found!);
  }

  /** Removes a key; the primary cannot be removed. */
  remove(key: Uint8Array): void {
    const index = this.indexOf(key);
    if (index === 0) throw new RangeError('cannot remove the primary key');
    if (index > 0) this.keys.splice(index, 1);
  }

  size(): number {
    return this.keys.length;
  }

  seal(plain: Uint8Array, additionalData: Uint8Array): Uint8Array {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, nonce);
    cipher.setAAD(additionalData);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }

  open(sealed: Uint8Array, additionalData: Uint8Array): Uint8Array | undefined {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAAD(additionalData);
        decipher.setAuthTag(tag);
        return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
      } catch {
        // wrong key or tampered: try the next one
      }
    }
    return undefined;
  }

  private indexOf(key: Uint8Array): number {
    return this.keys.findIndex((k) => k.equals(key));
  }
}
