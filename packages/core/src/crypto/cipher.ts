// Cipher: AES-256-GCM encryption of whole files at rest with a key from a passphrase (PBKDF2-SHA256, stored salt) or a raw 32-byte key.
import { DecryptionError, InvalidArgumentError } from '../errors/index.js';
import {
  CHECK_BYTES, HEADER_BYTES, IV_BYTES, KDF_PBKDF2_SHA256, KDF_RAW, SALT_BYTES, readHeader, writeHeader, type SealedHeader,
} from './header.js';
import { randomBytes, webCrypto, type CryptoKeyLike } from './webcrypto.js';

/**
 * How saved files are encrypted: a passphrase (the key is derived with PBKDF2-SHA256 and a random salt
 * stored in each file) or a raw 32-byte key (from a key file or a key manager).
 */
export type EncryptionOptions =
  | {
      readonly passphrase: string;
      /** PBKDF2 iterations for new files, {@link PBKDF2_MIN_ITERATIONS} or more. Default {@link PBKDF2_ITERATIONS}. */
      readonly iterations?: number;
    }
  | { readonly key: Uint8Array };

/** PBKDF2-SHA256 iterations for new files: OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;
/** Fewest iterations accepted (for tests and slow devices; a weak passphrase needs more, not fewer). */
export const PBKDF2_MIN_ITERATIONS = 10_000;
/** Most iterations a file may ask for: a damaged header must not make opening it take hours. */
const PBKDF2_MAX_ITERATIONS = 10_000_000;
/** Bytes of a raw AES-256 key. */
export const KEY_BYTES = 32;

// Node and every browser have both; core compiles without either platform's type declarations.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new () => { decode(bytes: Uint8Array): string };

const encoder = new TextEncoder();
const CHECK_LABEL = encoder.encode('facerec key check v1');

interface DerivedKey {
  readonly aes: CryptoKeyLike;
  readonly check: Uint8Array;
}

/**
 * Encrypts and decrypts whole files with AES-256-GCM (WebCrypto: the same code in Node ≥ 20 and browsers).
 * Each sealed file is a header (magic, version, key derivation, iterations, salt, a fresh 12-byte IV, a key
 * check) followed by the ciphertext and its 16-byte tag; the header and a `context` string (which file this
 * is) are authenticated too, so changing any byte, truncating the file or swapping two files fails to open.
 * A passphrase's key is derived once per salt and cached; new files reuse the salt of the last file opened,
 * so a save does not pay for the derivation again.
 */
export class Cipher {
  private readonly keys = new Map<string, Promise<DerivedKey>>();
  private salt: Uint8Array | undefined;

  /** @throws InvalidArgumentError for an empty passphrase, a key that is not 32 bytes, or too few iterations. */
  constructor(private readonly options: EncryptionOptions) {
    checkEncryptionOptions(options);
  }

  /** How the key is made: `'PBKDF2-SHA256'` from a passphrase, or `'raw-key'`. */
  get keyDerivation(): 'PBKDF2-SHA256' | 'raw-key' {
    return 'passphrase' in this.options ? 'PBKDF2-SHA256' : 'raw-key';
  }

  /** The KDF recorded in new files. */
  private get kdf(): SealedHeader['kdf'] {
    return 'passphrase' in this.options ? KDF_PBKDF2_SHA256 : KDF_RAW;
  }

  /** `plain` encrypted under a fresh IV, header first. `context` names what the file is and must be given again to open it. */
  async seal(plain: Uint8Array, context: string): Promise<Uint8Array> {
    const kdf = this.kdf;
    const iterations = 'passphrase' in this.options ? (this.options.iterations ?? PBKDF2_ITERATIONS) : 0;
    this.salt ??= kdf === KDF_RAW ? new Uint8Array(SALT_BYTES) : randomBytes(SALT_BYTES);
    const key = await this.derive(kdf, iterations, this.salt);
    const header = writeHeader({ kdf, iterations, salt: this.salt, iv: randomBytes(IV_BYTES), check: key.check });
    const sealed = new Uint8Array(
      await webCrypto().subtle.encrypt({ name: 'AES-GCM', iv: header.subarray(HEADER_BYTES - CHECK_BYTES - IV_BYTES, HEADER_BYTES - CHECK_BYTES), additionalData: additionalData(header, context), tagLength: 128 }, key.aes, plain),
    );
    const out = new Uint8Array(HEADER_BYTES + sealed.length);
    out.set(header, 0);
    out.set(sealed, HEADER_BYTES);
    return out;
  }

  /**
   * The plain bytes of a file {@link Cipher.seal} wrote with the same `context`.
   * @throws DecryptionError naming `source`: `reason` `'wrong-key'` (another passphrase or key),
   *   `'damaged'` (a changed or missing byte, or another file's content), `'not-encrypted'` or `'unsupported'`.
   */
  async open(sealed: Uint8Array, context: string, source: string): Promise<Uint8Array> {
    const h = readHeader(sealed, source);
    if (h.kdf !== this.kdf) {
      const made = h.kdf === KDF_RAW ? 'a raw key' : 'a passphrase';
      throw new DecryptionError(source, 'wrong-key', `was encrypted with ${made}; give ${h.kdf === KDF_RAW ? 'that key' : 'that passphrase'} instead`);
    }
    if (h.kdf === KDF_PBKDF2_SHA256 && !(h.iterations >= PBKDF2_MIN_ITERATIONS && h.iterations <= PBKDF2_MAX_ITERATIONS)) {
      throw new DecryptionError(source, 'damaged', `asks for ${h.iterations} PBKDF2 iterations (outside ${PBKDF2_MIN_ITERATIONS}..${PBKDF2_MAX_ITERATIONS})`);
    }
    const key = await this.derive(h.kdf, h.iterations, h.salt);
    if (!equalBytes(key.check, h.check)) throw new DecryptionError(source, 'wrong-key', 'cannot be opened with this passphrase or key');
    let plain: ArrayBuffer;
    try {
      plain = await webCrypto().subtle.decrypt(
        { name: 'AES-GCM', iv: h.iv, additionalData: additionalData(sealed.subarray(0, HEADER_BYTES), context), tagLength: 128 },
        key.aes,
        sealed.subarray(HEADER_BYTES),
      );
    } catch (error) {
      // The key is right (its check matched): the content, its tag or the header was changed or cut.
      throw new DecryptionError(source, 'damaged', 'was changed or truncated after it was written (authentication failed)', { cause: error });
    }
    // Later saves keep this file's salt, so the passphrase is derived once per session.
    if (h.kdf === KDF_PBKDF2_SHA256) this.salt = h.salt;
    return new Uint8Array(plain);
  }

  private derive(kdf: SealedHeader['kdf'], iterations: number, salt: Uint8Array): Promise<DerivedKey> {
    const id = `${kdf}:${iterations}:${hex(salt)}`;
    let key = this.keys.get(id);
    if (!key) {
      key = deriveKey(this.options, iterations, salt);
      this.keys.set(id, key);
      // A failed derivation is not cached (the next call tries again).
      key.catch(() => this.keys.delete(id));
    }
    return key;
  }
}

async function deriveKey(options: EncryptionOptions, iterations: number, salt: Uint8Array): Promise<DerivedKey> {
  const subtle = webCrypto().subtle;
  let raw: Uint8Array;
  if ('passphrase' in options) {
    const base = await subtle.importKey('raw', encoder.encode(options.passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
    raw = new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, KEY_BYTES * 8));
  } else {
    raw = options.key;
  }
  const aes = await subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const check = new Uint8Array(await subtle.digest('SHA-256', concat(raw, CHECK_LABEL))).slice(0, CHECK_BYTES);
  return { aes, check };
}

/** Throws InvalidArgumentError naming the bad field of `options`. */
export function checkEncryptionOptions(options: EncryptionOptions): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('encryption', 'must be { passphrase } or { key }');
  if ('passphrase' in options) {
    if (typeof options.passphrase !== 'string' || options.passphrase.length === 0) throw new InvalidArgumentError('encryption.passphrase', 'must be a non-empty string');
    const it = options.iterations;
    if (it !== undefined && !(Number.isInteger(it) && it >= PBKDF2_MIN_ITERATIONS && it <= PBKDF2_MAX_ITERATIONS)) {
      throw new InvalidArgumentError('encryption.iterations', `must be an integer in ${PBKDF2_MIN_ITERATIONS}..${PBKDF2_MAX_ITERATIONS}, got ${String(it)}`);
    }
  } else if ('key' in options) {
    if (!(options.key instanceof Uint8Array) || options.key.length !== KEY_BYTES) {
      throw new InvalidArgumentError('encryption.key', `must be ${KEY_BYTES} bytes (a Uint8Array), got ${options.key instanceof Uint8Array ? `${options.key.length} bytes` : typeof options.key}`);
    }
  } else {
    throw new InvalidArgumentError('encryption', 'must be { passphrase } or { key }');
  }
}

/**
 * A raw key from a key file's bytes: exactly 32 bytes, or 64 hexadecimal digits (surrounding white space ignored).
 * @throws InvalidArgumentError naming `source` otherwise.
 */
export function parseKeyFile(bytes: Uint8Array, source: string): Uint8Array {
  const text = new TextDecoder().decode(bytes).trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Uint8Array.from(text.match(/../g)!, (h: string) => parseInt(h, 16));
  if (bytes.length === KEY_BYTES) return bytes.slice();
  throw new InvalidArgumentError(source, `a key file holds ${KEY_BYTES} random bytes or ${KEY_BYTES * 2} hexadecimal digits, this one has ${bytes.length} bytes`);
}

function additionalData(header: Uint8Array, context: string): Uint8Array {
  return concat(header, encoder.encode(context));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Compares all bytes (no early exit: the check is not secret, but there is no reason to leak timing). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
