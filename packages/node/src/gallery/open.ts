// Opens a saved gallery (or starts a new one) together with the face pipeline of its embedder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FACE_PRESETS, Gallery, InvalidArgumentError, type FacePipeline, type FacePreset } from '@facerec/core';
import { settleSwap } from '../io/leftovers.js';
import { loadFacePipeline } from '../models/index.js';
import { GALLERY_INDEX, loadGallery } from './files.js';

/** Options of {@link openGallery}. */
export interface OpenGalleryOptions {
  /**
   * Preset for a new gallery (default `'default'`). An existing gallery keeps the embedder and landmark source
   * it was built with: a preset that would make other embeddings is an error, an equal one is accepted.
   */
  readonly preset?: FacePreset;
  /** Folder with the model files; default the installed npm packages. */
  readonly modelDir?: string;
}

/**
 * Loads the gallery in `dir` (a new, empty one when `dir` holds none) and the pipeline that makes its
 * embeddings. The caller disposes both (`gallery.dispose()`, `pipeline.dispose()`).
 * @throws InvalidArgumentError when `options.preset` makes other embeddings than the saved gallery holds.
 */
export async function openGallery(dir: string, options: OpenGalleryOptions = {}): Promise<{ gallery: Gallery; pipeline: FacePipeline }> {
  if (!existsSync(dir)) await settleSwap(path.resolve(dir));
  const saved = existsSync(path.join(dir, GALLERY_INDEX)) ? await loadGallery(dir) : undefined;
  if (saved && options.preset !== undefined) checkPreset(saved, options.preset, dir);
  const pipeline = await loadFacePipeline({
    // Reopened with the landmarks it was enrolled with (when recorded), so `fast` galleries stay fast.
    ...(saved ? { embedder: saved.embedderName, ...(saved.landmarks ? { mesh: saved.landmarks === 'mesh' } : {}) } : { preset: options.preset ?? 'default' }),
    ...(options.modelDir !== undefined ? { modelDir: options.modelDir } : {}),
  });
  if (!saved) return { gallery: new Gallery(pipeline), pipeline };
  const gallery = Gallery.fromData(saved.toData(), pipeline, dir);
  saved.dispose();
  return { gallery, pipeline };
}

/** Throws when `preset` would embed with another network or landmark source than `saved` was built with. */
function checkPreset(saved: Gallery, preset: FacePreset, dir: string): void {
  const spec = FACE_PRESETS[preset];
  const embedder = spec.embedders.join('+');
  const landmarks = spec.mesh ? 'mesh' : 'detector';
  if (saved.embedderName === embedder && (saved.landmarks === undefined || saved.landmarks === landmarks)) return;
  saved.dispose();
  const built = `${saved.embedderName} embeddings${saved.landmarks ? ` (${saved.landmarks} landmarks)` : ''}`;
  throw new InvalidArgumentError(
    'preset',
    `gallery ${dir} holds ${built}, but preset "${preset}" makes ${embedder} embeddings (${landmarks} landmarks), which do not compare with them. ` +
      'Leave out the preset to use the gallery\'s own, or enrol into a new gallery',
  );
}
