// Opens a saved gallery (or starts a new one) together with the face pipeline of its embedder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Gallery, type Cipher, type EncryptionOptions, type FacePipeline, type FacePreset, type GalleryIndex } from '@facerec/core';
import { cipherOf, validateGalleryIndex } from '@facerec/core/internal';
import { settleSwap } from '../io/leftovers.js';
import { loadFacePipeline } from '../models/index.js';
import { checkPreset, openStoreGallery } from '../stores/open-gallery.js';
import { parseGalleryTarget } from '../stores/target.js';
import { GALLERY_INDEX, loadGallery, readIndexJson } from './files.js';
import { readSealedGallery } from './sealed.js';

/** Options of {@link openGallery}. */
export interface OpenGalleryOptions {
  /**
   * Preset for a new gallery (default `'default'`). An existing gallery keeps the embedder and landmark source
   * it was built with: a preset that would make other embeddings is an error, an equal one is accepted.
   */
  readonly preset?: FacePreset;
  /** Folder with the model files; default the installed npm packages. */
  readonly modelDir?: string;
  /** How long to wait for another process using a `pglite:` gallery, in ms (default 30 000). */
  readonly lockTimeoutMs?: number;
  /** The index of a new `pglite:` or `postgres://` gallery: `'vector'` (default) or `'halfvec'` (half the index memory). */
  readonly indexType?: 'vector' | 'halfvec';
  /** The passphrase or key of an encrypted gallery (see `SaveGalleryOptions.encryption`). */
  readonly encryption?: EncryptionOptions | Cipher;
}

/**
 * Loads the gallery at `dir` (a new, empty one when it holds none) and the pipeline that makes its
 * embeddings: the index is read first for its embedder and landmark source, then the pipeline is loaded and the
 * gallery built once with it. `dir` may also be `pglite:<folder>` or a `postgres://…?gallery=<name>` URL: the
 * gallery then lives in that store (changes are saved as they are made; see `openGalleryStore`). The caller
 * disposes both (`await gallery.close()`, `pipeline.dispose()`).
 * @throws InvalidArgumentError when `options.preset` makes other embeddings than the saved gallery holds;
 *   ModelFormatError naming the file when the gallery is malformed.
 */
export async function openGallery(dir: string, options: OpenGalleryOptions = {}): Promise<{ gallery: Gallery; pipeline: FacePipeline }> {
  if (parseGalleryTarget(dir).kind !== 'folder') {
    // openGalleryStore refuses encryption for a server, so nobody believes a database is encrypted when it is not.
    const { preset, modelDir, lockTimeoutMs, indexType, encryption } = options;
    return openStoreGallery(dir, {
      ...(preset !== undefined ? { preset } : {}), ...(modelDir !== undefined ? { modelDir } : {}),
      ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}), ...(indexType !== undefined ? { indexType } : {}),
      ...(encryption !== undefined ? { encryption } : {}),
    });
  }
  if (!existsSync(dir)) await settleSwap(path.resolve(dir));
  // One Cipher for both reads, so a passphrase is derived once.
  const encryption = options.encryption !== undefined ? cipherOf(options.encryption) : undefined;
  const index = existsSync(path.join(dir, GALLERY_INDEX)) ? await readGalleryIndex(dir, encryption) : undefined;
  if (index && options.preset !== undefined) checkPreset(index, options.preset, dir);
  const pipeline = await loadFacePipeline({
    // Reopened with the landmarks it was enrolled with (when recorded), so `fast` galleries stay fast.
    ...(index ? { embedder: index.embedder, ...(index.landmarks ? { mesh: index.landmarks === 'mesh' } : {}) } : { preset: options.preset ?? 'default' }),
    ...(options.modelDir !== undefined ? { modelDir: options.modelDir } : {}),
  });
  try {
    return { gallery: index ? await loadGallery(dir, pipeline, encryption ? { encryption } : {}) : new Gallery(pipeline), pipeline };
  } catch (error) {
    pipeline.dispose();
    throw error;
  }
}

/** The saved gallery's index (what it was built with), checked. @throws ModelFormatError naming the file. */
async function readGalleryIndex(dir: string, encryption: Cipher | undefined): Promise<GalleryIndex> {
  const file = path.join(dir, GALLERY_INDEX);
  const stored = await readIndexJson(file);
  return validateGalleryIndex((await readSealedGallery(dir, stored, encryption))?.index ?? stored, file);
}
