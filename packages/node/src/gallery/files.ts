// Saves and loads a Gallery as a folder: gallery.json (versioned index) + embeddings.bin (float32 rows), swapped in atomically under a lock.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FacerecError, GALLERY_FORMAT, Gallery, InvalidArgumentError, ModelFormatError, type Cipher, type EncryptionOptions, type FacePipeline } from '@facerec/core';
import { firstNonFinite } from '@facerec/core/internal';
import { readSealedGallery, writeSealedGallery } from './sealed.js';
import { errorReason } from '../io/atomic.js';
import { settleSwap } from '../io/leftovers.js';
import { withLock, type LockOptions } from '../io/lock.js';
import { replaceFolder } from '../io/replace-dir.js';
import type { FolderSpec } from '../io/save-target.js';

/** Name of the JSON index inside a gallery folder. */
export const GALLERY_INDEX = 'gallery.json';
/** Name of the little-endian float32 embedding matrix inside a gallery folder. */
export const GALLERY_EMBEDDINGS = 'embeddings.bin';

/** Gallery folders: a save replaces only an empty folder or one it wrote (marker, or a facerec gallery.json). */
export const GALLERY_FOLDER: FolderSpec = {
  kind: 'gallery',
  files: [GALLERY_INDEX, GALLERY_EMBEDDINGS],
  isUnmarked: async (dir) => {
    try {
      const index = JSON.parse(await readFile(path.join(dir, GALLERY_INDEX), 'utf8')) as { format?: unknown } | null;
      return index?.format === GALLERY_FORMAT;
    } catch {
      return false;
    }
  },
};

/** Options of {@link saveGallery} and `updateGallery`. */
export interface SaveGalleryOptions {
  /** How long to wait for another process's lock on the gallery, in ms. Default 30 000. */
  readonly lockTimeoutMs?: number;
  /**
   * Encrypts the saved gallery (AES-256-GCM) with a passphrase or a raw 32-byte key; also needed to read an
   * encrypted gallery back. Without it a gallery is saved unencrypted. See the README's "Encrypted galleries".
   */
  readonly encryption?: EncryptionOptions | Cipher;
}

/** Options of {@link loadGallery}. */
export interface LoadGalleryOptions {
  /** The passphrase or key of an encrypted gallery (ignored for an unencrypted one). */
  readonly encryption?: EncryptionOptions | Cipher;
}

/** The lock options `options` ask for. */
export function galleryLockOptions(options: SaveGalleryOptions): LockOptions {
  return options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {};
}

/** Runs `fn` holding the gallery's lock (`.<name>.lock` beside the folder). */
export function withGalleryLock<T>(dir: string, options: SaveGalleryOptions, fn: () => Promise<T>): Promise<T> {
  return withLock(dir, 'gallery', fn, galleryLockOptions(options));
}

/**
 * Writes `gallery` to the folder `dir`: the files go into a temporary folder that then replaces `dir` by
 * rename, so a crash leaves the previous gallery or the new one, never a mix. Takes the gallery's lock
 * (waiting for another writer, see {@link SaveGalleryOptions.lockTimeoutMs}); to add to a gallery that
 * other processes may change too, use `updateGallery`, which also re-reads it under the lock.
 * @throws SaveTargetError when `dir` holds anything but a gallery facerec wrote (nothing is changed);
 *   LockedError when another process keeps the lock.
 */
export async function saveGallery(gallery: Gallery, dir: string, options: SaveGalleryOptions = {}): Promise<void> {
  await withGalleryLock(dir, options, () => writeGalleryFolder(gallery, dir, options.encryption));
}

/** {@link saveGallery} without the lock: the caller holds it. */
export async function writeGalleryFolder(gallery: Gallery, dir: string, encryption?: EncryptionOptions | Cipher): Promise<void> {
  if (encryption !== undefined) return writeSealedGallery(await gallery.toData(), dir, encryption);
  const { index, embeddings } = await gallery.toData();
  const bytes = new Uint8Array(embeddings.length * 4);
  const view = new DataView(bytes.buffer);
  embeddings.forEach((v, i) => view.setFloat32(i * 4, v, true));
  try {
    await replaceFolder(dir, GALLERY_FOLDER, async (temp) => {
      await writeFile(path.join(temp, GALLERY_EMBEDDINGS), bytes, { flush: true, flag: 'wx' });
      await writeFile(path.join(temp, GALLERY_INDEX), `${JSON.stringify(index, null, 2)}\n`, { flush: true, flag: 'wx' });
    });
  } catch (error) {
    if (error instanceof FacerecError) throw error;
    throw new ModelFormatError(dir, `cannot save the gallery (${errorReason(error)})`, { cause: error });
  }
}

/**
 * Reads a gallery folder written by {@link saveGallery}.
 * @param pipeline - Needed to enrol or identify images; must use the gallery's embedder.
 * @throws ModelFormatError naming the file when it is missing, malformed, truncated or of another version.
 */
export async function loadGallery(dir: string, pipeline?: FacePipeline, options: LoadGalleryOptions = {}): Promise<Gallery> {
  // A save between its two renames (running, or killed there) has the folder aside: wait for it or put it back.
  if (!(await stat(dir).then(() => true, () => false))) await settleSwap(path.resolve(dir));
  const indexFile = path.join(dir, GALLERY_INDEX);
  const binFile = path.join(dir, GALLERY_EMBEDDINGS);
  const stored = await readIndexJson(indexFile);
  const sealed = await readSealedGallery(dir, stored, options.encryption);
  if (sealed) return galleryFromData(sealed, pipeline, dir, indexFile);
  const index = stored;
  let bytes: Buffer;
  try {
    bytes = await readFile(binFile);
  } catch (error) {
    throw new ModelFormatError(binFile, `cannot be read (${errorReason(error)})`, { cause: error });
  }
  if (bytes.byteLength % 4 !== 0) throw new ModelFormatError(binFile, `has ${bytes.byteLength} bytes, not a whole number of float32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const embeddings = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = view.getFloat32(i * 4, true);
  const bad = firstNonFinite(embeddings);
  if (bad >= 0) throw new ModelFormatError(binFile, `value ${bad} is ${embeddings[bad]}; embeddings must be finite numbers`);
  return galleryFromData({ index, embeddings }, pipeline, dir, indexFile);
}

function galleryFromData(data: { index: unknown; embeddings: Float32Array }, pipeline: FacePipeline | undefined, dir: string, indexFile: string): Gallery {
  try {
    return Gallery.fromData(data, pipeline, dir);
  } catch (error) {
    // A bad value in the files (a threshold of 8, a label that is not a string) is the files' fault.
    if (error instanceof InvalidArgumentError) throw new ModelFormatError(indexFile, error.message, { cause: error });
    throw error;
  }
}

/** The parsed JSON of a gallery index file, unchecked. @throws ModelFormatError naming `file` when unreadable or not JSON. */
export async function readIndexJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new ModelFormatError(file, error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${errorReason(error)})`, { cause: error });
  }
}
