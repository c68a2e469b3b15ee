// A saved gallery (JSON index + float32 rows) sealed as one encrypted payload, and the plain stub that says a folder is encrypted.
import { DecryptionError, ModelFormatError } from '../errors/index.js';
import { GALLERY_FORMAT, GALLERY_FORMAT_VERSION, type GalleryData } from '../gallery/gallery.js';
import { Cipher, type EncryptionOptions } from './cipher.js';

declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new () => { decode(bytes: Uint8Array): string };

/** The AES-GCM context of a sealed gallery payload: a sealed file of another kind cannot stand in for it. */
const GALLERY_CONTEXT = 'facerec-gallery v1';

/**
 * The plain index of an encrypted gallery: only what says "encrypted, and how" — no names, no embedder,
 * no threshold (those are inside the sealed payload, where changing them fails authentication).
 */
export interface EncryptedGalleryStub {
  readonly format: typeof GALLERY_FORMAT;
  readonly formatVersion: typeof GALLERY_FORMAT_VERSION;
  readonly encrypted: { readonly cipher: 'AES-256-GCM'; readonly kdf: 'PBKDF2-SHA256' | 'raw-key' };
}

/** The `Cipher` for `encryption` (a given Cipher is used as it is, keeping its derived keys). */
export function cipherOf(encryption: EncryptionOptions | Cipher): Cipher {
  return encryption instanceof Cipher ? encryption : new Cipher(encryption);
}

/** Whether a parsed gallery index is the stub of an encrypted gallery. */
export function isEncryptedGalleryStub(index: unknown): index is EncryptedGalleryStub {
  return typeof index === 'object' && index !== null && (index as { format?: unknown }).format === GALLERY_FORMAT && 'encrypted' in index;
}

/**
 * Seals a gallery's index and rows together (one payload, so an index and rows from different saves cannot be
 * mixed): `u32 LE index length · index JSON · float32 LE rows`, encrypted under a fresh IV.
 */
export async function sealGalleryData(data: GalleryData, cipher: Cipher): Promise<{ stub: EncryptedGalleryStub; sealed: Uint8Array }> {
  const json = new TextEncoder().encode(JSON.stringify(data.index));
  const plain = new Uint8Array(4 + json.length + data.embeddings.length * 4);
  const view = new DataView(plain.buffer);
  view.setUint32(0, json.length, true);
  plain.set(json, 4);
  const at = 4 + json.length;
  data.embeddings.forEach((v, i) => view.setFloat32(at + i * 4, v, true));
  try {
    return { stub: { format: GALLERY_FORMAT, formatVersion: GALLERY_FORMAT_VERSION, encrypted: { cipher: 'AES-256-GCM', kdf: cipher.keyDerivation } }, sealed: await cipher.seal(plain, GALLERY_CONTEXT) };
  } finally {
    // The plain copy of the embeddings does not outlive the save.
    plain.fill(0);
  }
}

/**
 * Opens a payload {@link sealGalleryData} wrote: the parsed (unchecked) index and the rows.
 * @throws DecryptionError naming `source` (wrong key, changed or cut file); ModelFormatError for a payload
 *   that authenticates but is malformed (written by a broken facerec).
 */
export async function openGalleryData(sealed: Uint8Array, cipher: Cipher, source: string): Promise<{ index: unknown; embeddings: Float32Array }> {
  const plain = await cipher.open(sealed, GALLERY_CONTEXT, source);
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const length = plain.length >= 4 ? view.getUint32(0, true) : -1;
  if (length < 0 || 4 + length > plain.length || (plain.length - 4 - length) % 4 !== 0) throw new ModelFormatError(source, 'encrypted gallery payload has a wrong layout');
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder().decode(plain.subarray(4, 4 + length)));
  } catch (error) {
    throw new ModelFormatError(source, 'encrypted gallery index is not valid JSON', { cause: error });
  }
  const embeddings = new Float32Array((plain.length - 4 - length) / 4);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = view.getFloat32(4 + length + i * 4, true);
  plain.fill(0);
  return { index, embeddings };
}

/** The error for an encrypted gallery opened without a key. */
export function noKeyError(source: string): DecryptionError {
  return new DecryptionError(source, 'no-key', 'is an encrypted gallery: give its passphrase or key (the `encryption` option; in the CLI --passphrase-env VAR or --key-file FILE)');
}
