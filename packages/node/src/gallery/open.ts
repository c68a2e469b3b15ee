// Opens a saved gallery (or starts a new one) together with the face pipeline of its embedder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Gallery, type FacePipeline, type FacePreset } from '@facerec/core';
import { loadFacePipeline } from '../models/index.js';
import { GALLERY_INDEX, loadGallery } from './files.js';

/** Options of {@link openGallery}. */
export interface OpenGalleryOptions {
  /**
   * Preset for a new gallery; an existing gallery keeps the embedder (and landmark source) it was built with.
   * Default `'default'`.
   */
  readonly preset?: FacePreset;
  /** Folder with the model files; default the installed npm packages. */
  readonly modelDir?: string;
}

/**
 * Loads the gallery in `dir` (a new, empty one when `dir` holds none) and the pipeline that makes its
 * embeddings. The caller disposes both (`gallery.dispose()`, `pipeline.dispose()`).
 */
export async function openGallery(dir: string, options: OpenGalleryOptions = {}): Promise<{ gallery: Gallery; pipeline: FacePipeline }> {
  const saved = existsSync(path.join(dir, GALLERY_INDEX)) ? await loadGallery(dir) : undefined;
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
