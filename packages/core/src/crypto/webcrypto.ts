// The part of WebCrypto (globalThis.crypto, the same in Node ≥ 20 and browsers) that at-rest encryption uses, typed without DOM or Node libraries.
import { FacerecError } from '../errors/index.js';

/** An opaque WebCrypto key handle. */
export interface CryptoKeyLike {
  readonly type: string;
}

type Bytes = Uint8Array;
type Algorithm = { readonly name: string; readonly [field: string]: unknown };

/** The `crypto.subtle` methods facerec calls. */
export interface SubtleLike {
  importKey(format: 'raw', key: Bytes, algorithm: Algorithm | string, extractable: boolean, usages: string[]): Promise<CryptoKeyLike>;
  deriveBits(algorithm: Algorithm, key: CryptoKeyLike, length: number): Promise<ArrayBuffer>;
  encrypt(algorithm: Algorithm, key: CryptoKeyLike, data: Bytes): Promise<ArrayBuffer>;
  decrypt(algorithm: Algorithm, key: CryptoKeyLike, data: Bytes): Promise<ArrayBuffer>;
  digest(algorithm: string, data: Bytes): Promise<ArrayBuffer>;
}

interface CryptoLike {
  readonly subtle: SubtleLike;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

/** The platform's WebCrypto. @throws FacerecError when there is none (Node < 20, a page served over plain http). */
export function webCrypto(): CryptoLike {
  const crypto = (globalThis as { crypto?: Partial<CryptoLike> }).crypto;
  if (!crypto?.subtle || typeof crypto.getRandomValues !== 'function') {
    throw new FacerecError('Encryption needs WebCrypto (globalThis.crypto.subtle): Node 20 or later, or a browser page in a secure context (https or localhost)');
  }
  return crypto as CryptoLike;
}

/** `length` bytes from the platform's cryptographic random source. */
export function randomBytes(length: number): Uint8Array {
  return webCrypto().getRandomValues(new Uint8Array(length));
}
