// Opens a Gallery on a PGlite or PostgreSQL store together with the face pipeline of its embedder (what openGallery does for those targets).
import { FACE_PRESETS, Gallery, InvalidArgumentError, type FacePipeline, type FacePreset, type GalleryInfo } from '@facerec/core';
import { loadFacePipeline } from '../models/index.js';
import { openGalleryStore, type OpenGalleryStoreOptions } from './open.js';

/** Options of {@link openStoreGallery}: the store's and the pipeline's. */
export interface OpenStoreGalleryOptions extends Omit<OpenGalleryStoreOptions, 'create'> {
  /** Preset for a new gallery (default `'default'`); an existing one keeps its own (another preset is an error). */
  readonly preset?: FacePreset;
  /** Folder with the model files; default the installed npm packages. */
  readonly modelDir?: string;
}

/** What a gallery of `pipeline`'s embeddings holds. */
export function galleryInfoOf(pipeline: FacePipeline): GalleryInfo {
  const spec = pipeline.embedder.spec;
  return { embedder: spec.name, dimensions: spec.dimensions, threshold: spec.threshold, landmarks: pipeline.refiner ? 'mesh' : 'detector' };
}

/**
 * Throws when `preset` would embed with another network or landmark source than the gallery `where` was built with.
 * @throws InvalidArgumentError naming `preset`.
 */
export function checkPreset(info: Pick<GalleryInfo, 'embedder' | 'landmarks'>, preset: FacePreset, where: string): void {
  const spec = FACE_PRESETS[preset];
  const embedder = spec.embedders.join('+');
  const landmarks = spec.mesh ? 'mesh' : 'detector';
  if (info.embedder === embedder && (info.landmarks === undefined || info.landmarks === landmarks)) return;
  const built = `${info.embedder} embeddings${info.landmarks ? ` (${info.landmarks} landmarks)` : ''}`;
  throw new InvalidArgumentError(
    'preset',
    `gallery ${where} holds ${built}, but preset "${preset}" makes ${embedder} embeddings (${landmarks} landmarks), which do not compare with them. ` +
      'Leave out the preset to use the gallery\'s own, or enrol into a new gallery',
  );
}

/**
 * Opens the gallery at a `pglite:` or `postgres://` target (created with `options.preset`'s embedder when it has
 * none) and the pipeline that makes its embeddings. The caller closes both (`await gallery.close()`,
 * `pipeline.dispose()`).
 */
export async function openStoreGallery(target: string, options: OpenStoreGalleryOptions = {}): Promise<{ gallery: Gallery; pipeline: FacePipeline }> {
  const { preset, modelDir, ...storeOptions } = options;
  const dir = modelDir !== undefined ? { modelDir } : {};
  let pipeline: FacePipeline | undefined;
  const store = await openGalleryStore(target, {
    ...storeOptions,
    create: async () => {
      pipeline = await loadFacePipeline({ preset: preset ?? 'default', ...dir });
      return galleryInfoOf(pipeline);
    },
  });
  // openGalleryStore resolves a store whenever `create` is given.
  const opened = store!;
  try {
    if (!pipeline) {
      if (preset !== undefined) checkPreset(opened.info, preset, target);
      // Reopened with the landmarks it was enrolled with, so `fast` galleries stay fast.
      const { embedder, landmarks } = opened.info;
      pipeline = await loadFacePipeline({ embedder, ...(landmarks ? { mesh: landmarks === 'mesh' } : {}), ...dir });
    }
    return { gallery: new Gallery(pipeline, { store: opened }), pipeline };
  } catch (error) {
    pipeline?.dispose();
    await opened.close();
    throw error;
  }
}
