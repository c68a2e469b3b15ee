// The small versioned header in front of every encrypted file: magic, version, key derivation and its parameters, salt, IV, key check.
import { DecryptionError } from '../errors/index.js';

/** First bytes of every encrypted facerec file ("FRSEAL"). */
export const SEALED_MAGIC = Uint8Array.of(0x46, 0x52, 0x53, 0x45, 0x41, 0x4c);
/** Version of the header layout and cipher suite (AES-256-GCM). */
export const SEALED_VERSION = 1;
/** Key derivation recorded in the header. */
export const KDF_RAW = 0;
export const KDF_PBKDF2_SHA256 = 1;
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
export const CHECK_BYTES = 8;
export const TAG_BYTES = 16;
/** magic 6 · version 1 · kdf 1 · iterations u32 LE 4 · salt 16 · iv 12 · key check 8. */
export const HEADER_BYTES = SEALED_MAGIC.length + 2 + 4 + SALT_BYTES + IV_BYTES + CHECK_BYTES;

/** What the header of an encrypted file holds. */
export interface SealedHeader {
  readonly kdf: typeof KDF_RAW | typeof KDF_PBKDF2_SHA256;
  /** PBKDF2 iterations (0 for a raw key). */
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
  /** A short MAC of a constant under the key: tells a wrong key from a damaged file. */
  readonly check: Uint8Array;
}

/** Whether `bytes` start like an encrypted facerec file. */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= SEALED_MAGIC.length && SEALED_MAGIC.every((b, i) => bytes[i] === b);
}

/** The header's bytes (also the AES-GCM additional data, so changing any of them fails authentication). */
export function writeHeader(h: SealedHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const view = new DataView(out.buffer);
  out.set(SEALED_MAGIC, 0);
  let at = SEALED_MAGIC.length;
  out[at++] = SEALED_VERSION;
  out[at++] = h.kdf;
  view.setUint32(at, h.iterations, true);
  at += 4;
  out.set(h.salt, at);
  at += SALT_BYTES;
  out.set(h.iv, at);
  at += IV_BYTES;
  out.set(h.check, at);
  return out;
}

/** Reads and checks the header. @throws DecryptionError naming `source` for a file that is not encrypted, truncated or of another version. */
export function readHeader(bytes: Uint8Array, source: string): SealedHeader {
  if (!isSealed(bytes)) throw new DecryptionError(source, 'not-encrypted', 'is not an encrypted facerec file (no FRSEAL header)');
  if (bytes.length < HEADER_BYTES + TAG_BYTES) throw new DecryptionError(source, 'damaged', `is truncated (${bytes.length} bytes, an encrypted file has at least ${HEADER_BYTES + TAG_BYTES})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SEALED_MAGIC.length;
  const version = bytes[at++]!;
  if (version !== SEALED_VERSION) throw new DecryptionError(source, 'unsupported', `is encrypted with header version ${version}; this facerec reads version ${SEALED_VERSION}`);
  const kdf = bytes[at++]!;
  if (kdf !== KDF_RAW && kdf !== KDF_PBKDF2_SHA256) throw new DecryptionError(source, 'damaged', `names an unknown key derivation (${kdf})`);
  const iterations = view.getUint32(at, true);
  at += 4;
  const salt = bytes.slice(at, at + SALT_BYTES);
  at += SALT_BYTES;
  const iv = bytes.slice(at, at + IV_BYTES);
  at += IV_BYTES;
  const check = bytes.slice(at, at + CHECK_BYTES);
  return { kdf, iterations, salt, iv, check };
}
