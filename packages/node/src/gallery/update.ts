// updateGallery: a read-modify-write of a saved gallery under its lock, so concurrent writers never lose each other's people.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Gallery, InvalidArgumentError, type FacePipeline } from '@facerec/core';
import { cipherOf } from '@facerec/core/internal';
import { settleSwap } from '../io/leftovers.js';
import { checkSaveTarget } from '../io/save-target.js';
import { GALLERY_FOLDER, GALLERY_INDEX, loadGallery, withGalleryLock, writeGalleryFolder, type SaveGalleryOptions } from './files.js';

/**
 * Changes the gallery saved in `dir` in one step no other writer can interleave with: takes the gallery's
 * lock (waiting up to `options.lockTimeoutMs`), reads the gallery as it is now (a new, empty one when `dir`
 * holds none), lets `update` change it, saves it and releases the lock. Two processes that enrol into the
 * same gallery this way both land. Embed photos (the slow part) before calling and only add the embeddings
 * in `update`, so the lock is held for a moment.
 *
 * @param pipeline - Makes the gallery's embeddings: required for a new gallery and for enrolling images in
 *   `update`; must use the saved gallery's embedder and landmark source.
 * @returns What `update` returns. When it throws, nothing is saved.
 * @throws SaveTargetError when `dir` holds anything but a facerec gallery; LockedError when the lock stays
 *   taken; InvalidArgumentError when `pipeline` does not match the saved gallery.
 */
export async function updateGallery<T>(
  dir: string,
  pipeline: FacePipeline | undefined,
  update: (gallery: Gallery) => T | Promise<T>,
  options: SaveGalleryOptions = {},
): Promise<T> {
  // One Cipher for the read and the write, so a passphrase is derived once.
  const encryption = options.encryption !== undefined ? cipherOf(options.encryption) : undefined;
  return withGalleryLock(dir, options, async () => {
    await settleSwap(path.resolve(dir));
    // Refuse a folder that is not a gallery before `update` does any work.
    await checkSaveTarget(dir, GALLERY_FOLDER);
    const gallery = existsSync(path.join(dir, GALLERY_INDEX)) ? await loadGallery(dir, pipeline, { encryption }) : new Gallery(pipeline);
    try {
      const made = pipeline ? (pipeline.refiner ? 'mesh' : 'detector') : undefined;
      if (made !== undefined && gallery.landmarks !== made) {
        throw new InvalidArgumentError('pipeline', `gallery ${dir} was enrolled with ${gallery.landmarks} landmarks but the pipeline uses ${made} landmarks`);
      }
      const result = await update(gallery);
      await writeGalleryFolder(gallery, dir, encryption);
      return result;
    } finally {
      gallery.dispose();
    }
  });
}
