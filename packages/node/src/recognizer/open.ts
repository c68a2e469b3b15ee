// Opens a saved recognizer folder: a trained CNN, or a head on a pretrained backbone together with the pipeline its metadata names.
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, METADATA_KEY, type FacePipeline } from '@facerec/core';
import { validateMetadata } from '@facerec/core/internal';
import { fileSystemHandler } from '../io/index.js';
import { loadFacePipeline } from '../models/index.js';

/** Options of {@link openRecognizer}. */
export interface OpenRecognizerOptions {
  /** Folder with the pretrained model files a backbone head needs; default the installed npm packages. */
  readonly modelDir?: string;
  /** Overrides the threshold saved with the model. */
  readonly threshold?: number;
}

/**
 * Loads the recognizer saved in the folder `dir` (by `recognizer.save(fileSystemHandler(dir))` or `facerec train`),
 * whatever it is: a trained CNN, or a head on a pretrained backbone, for which the pipeline its metadata names
 * (embedder and landmark source) is loaded too. The caller disposes both (`recognizer.dispose()`,
 * `pipeline?.dispose()`).
 * @throws ModelFormatError naming the folder or file when it is not a facerec model, or a model file is missing.
 */
export async function openRecognizer(dir: string, options: OpenRecognizerOptions = {}): Promise<{ recognizer: FaceRecognizer; pipeline: FacePipeline | undefined }> {
  // The folder is read once: its metadata says whether a backbone is needed, then the same artifacts are loaded.
  const artifacts = await fileSystemHandler(dir).load!();
  const raw = artifacts.userDefinedMetadata?.[METADATA_KEY];
  const metadata = validateMetadata(raw, dir);
  const threshold = options.threshold !== undefined ? { threshold: options.threshold } : {};
  if (metadata.architecture !== 'embedding-head') {
    return { recognizer: await FaceRecognizer.load(tf.io.fromMemory(artifacts), { source: dir, ...threshold }), pipeline: undefined };
  }
  const { embedder, landmarks } = metadata.backbone;
  const pipeline = await loadFacePipeline({ embedder, mesh: landmarks === 'mesh', ...(options.modelDir !== undefined ? { modelDir: options.modelDir } : {}) });
  try {
    return { recognizer: await FaceRecognizer.load(tf.io.fromMemory(artifacts), { source: dir, backbone: pipeline, ...threshold }), pipeline };
  } catch (error) {
    pipeline.dispose();
    throw error;
  }
}
