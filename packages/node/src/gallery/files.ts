// Saves and loads a Gallery as a folder: gallery.json (versioned index) + embeddings.bin (float32 rows), swapped in atomically.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Gallery, ModelFormatError, type FacePipeline } from '@facerec/core';
import { errorReason } from '../io/atomic.js';
import { replaceDirectory } from '../io/replace-dir.js';

/** Name of the JSON index inside a gallery folder. */
export const GALLERY_INDEX = 'gallery.json';
/** Name of the little-endian float32 embedding matrix inside a gallery folder. */
export const GALLERY_EMBEDDINGS = 'embeddings.bin';

/**
 * Writes `gallery` to the folder `dir`: both files go into a temporary folder that then replaces `dir`
 * by rename, so a crash leaves the previous gallery or the new one, never a mix.
 */
export async function saveGallery(gallery: Gallery, dir: string): Promise<void> {
  const { index, embeddings } = gallery.toData();
  const bytes = new Uint8Array(embeddings.length * 4);
  const view = new DataView(bytes.buffer);
  embeddings.forEach((v, i) => view.setFloat32(i * 4, v, true));
  try {
    await replaceDirectory(dir, async (temp) => {
      await writeFile(path.join(temp, GALLERY_EMBEDDINGS), bytes, { flush: true });
      await writeFile(path.join(temp, GALLERY_INDEX), `${JSON.stringify(index, null, 2)}\n`, { flush: true });
    });
  } catch (error) {
    throw new ModelFormatError(dir, `cannot save the gallery (${errorReason(error)})`, { cause: error });
  }
}

/**
 * Reads a gallery folder written by {@link saveGallery}.
 * @param pipeline - Needed to enrol or identify images; must use the gallery's embedder.
 * @throws ModelFormatError naming the file when it is missing, malformed, truncated or of another version.
 */
export async function loadGallery(dir: string, pipeline?: FacePipeline): Promise<Gallery> {
  const indexFile = path.join(dir, GALLERY_INDEX);
  const binFile = path.join(dir, GALLERY_EMBEDDINGS);
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexFile, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(indexFile, error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${errorReason(error)})`, { cause: error });
  }
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
  return Gallery.fromData({ index, embeddings }, pipeline, dir);
}
