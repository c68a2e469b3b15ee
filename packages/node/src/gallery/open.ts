// Opens a saved gallery (or starts a new one) together with the face pipeline of its embedder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FACE_PRESETS, Gallery, InvalidArgumentError, type FacePipeline, type FacePreset, type GalleryIndex } from '@facerec/core';
import { validateGalleryIndex } from '@facerec/core/internal';
import { settleSwap } from '../io/leftovers.js';
import { loadFacePipeline } from '../models/index.js';
import { GALLERY_INDEX, loadGallery, readIndexJson } from './files.js';

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
 * embeddings: the index is read first for its embedder and landmark source, then the pipeline is loaded and the
 * gallery built once with it. The caller disposes both (`gallery.dispose()`, `pipeline.dispose()`).
 * @throws InvalidArgumentError when `options.preset` makes other embeddings than the saved gallery holds;
 *   ModelFormatError naming the file when the gallery is malformed.
 */
export async function openGallery(dir: string, options: OpenGalleryOptions = {}): Promise<{ gallery: Gallery; pipeline: FacePipeline }> {
  if (!existsSync(dir)) await settleSwap(path.resolve(dir));
  const index = existsSync(path.join(dir, GALLERY_INDEX)) ? await readGalleryIndex(dir) : undefined;
  if (index && options.preset !== undefined) checkPreset(index, options.preset, dir);
  const pipeline = await loadFacePipeline({
    // Reopened with the landmarks it was enrolled with (when recorded), so `fast` galleries stay fast.
    ...(index ? { embedder: index.embedder, ...(index.landmarks ? { mesh: index.landmarks === 'mesh' } : {}) } : { preset: options.preset ?? 'default' }),
    ...(options.modelDir !== undefined ? { modelDir: options.modelDir } : {}),
  });
  try {
    return { gallery: index ? await loadGallery(dir, pipeline) : new Gallery(pipeline), pipeline };
  } catch (error) {
    pipeline.dispose();
    throw error;
  }
}

/** The saved gallery's index (what it was built with), checked. @throws ModelFormatError naming the file. */
async function readGalleryIndex(dir: string): Promise<GalleryIndex> {
  const file = path.join(dir, GALLERY_INDEX);
  return validateGalleryIndex(await readIndexJson(file), file);
}

/** Throws when `preset` would embed with another network or landmark source than the saved gallery was built with. */
function checkPreset(index: GalleryIndex, preset: FacePreset, dir: string): void {
  const spec = FACE_PRESETS[preset];
  const embedder = spec.embedders.join('+');
  const landmarks = spec.mesh ? 'mesh' : 'detector';
  if (index.embedder === embedder && (index.landmarks === undefined || index.landmarks === landmarks)) return;
  const built = `${index.embedder} embeddings${index.landmarks ? ` (${index.landmarks} landmarks)` : ''}`;
  throw new InvalidArgumentError(
    'preset',
    `gallery ${dir} holds ${built}, but preset "${preset}" makes ${embedder} embeddings (${landmarks} landmarks), which do not compare with them. ` +
      'Leave out the preset to use the gallery\'s own, or enrol into a new gallery',
  );
}
