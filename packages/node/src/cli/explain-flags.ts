// The --explain flags of verify and identify: which method, where the pictures go, and writing them.
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EXPLAIN_METHODS, explainMatch, explanationToJson, personOf, type ExplainMethod, type ExplanationJson, type FacePipeline, type Gallery, type Point } from '@facerec/core';
import { readImage } from '../image/index.js';
import { explanationPicture } from '../explain/index.js';
import { UsageError } from './args.js';
import { imageOutputFormat, writeImageAs } from './image-output.js';

/** The parse() options of the explain flags. */
export const explainFlagOptions = { explain: { type: 'string' }, 'explain-method': { type: 'string' } } as const;

/** Usage lines of the explain flags (`target` says what --explain names). */
export function explainUsage(target: 'file' | 'dir'): string {
  return target === 'file'
    ? '  --explain <file>   also write a picture of why: both aligned faces with heat maps, score, threshold (.png/.jpg)\n'
      + '  --explain-method <m>  integrated-gradients (dlib\'s default) | gradient-x-input (dlib, faster) | gradcam (faceres\' default) | occlusion (any model, slower); with --json the maps are printed too\n'
    : '  --explain <dir>    also write a picture per named face (<photo>-<n>-<name>.png, -2, -3… when taken): heat map against the best match\n'
      + '  --explain-method <m>  integrated-gradients (dlib\'s default) | gradient-x-input (dlib, faster) | gradcam (faceres\' default) | occlusion (any model, slower); with --json the maps are printed too\n';
}

/** What the explain flags ask for; undefined when neither was given. */
export interface ExplainRequest {
  /** Undefined: the embedder's default (`DEFAULT_EXPLAIN_METHODS`). */
  readonly method?: ExplainMethod;
  /** The picture file (verify) or folder (identify), when given. */
  readonly target?: string;
}

/** The explain flags, checked before any work. @throws UsageError for a bad method or picture name. */
export function explainFlags(values: Record<string, unknown>, target: 'file' | 'dir'): ExplainRequest | undefined {
  const raw = values['explain-method'];
  const out = typeof values.explain === 'string' ? values.explain : undefined;
  if (raw === undefined && out === undefined) return undefined;
  const method = raw as ExplainMethod | undefined;
  if (method !== undefined && !EXPLAIN_METHODS.includes(method)) throw new UsageError(`--explain-method must be one of ${EXPLAIN_METHODS.join(', ')}, got "${String(raw)}"`);
  if (out !== undefined && target === 'file') imageOutputFormat(out, '--explain');
  if (out === '') throw new UsageError('--explain needs a file or folder name');
  return { ...(method !== undefined ? { method } : {}), ...(out !== undefined ? { target: out } : {}) };
}

/** Explains the main faces of two image files and writes the picture when asked; returns the JSON form. */
export async function explainPair(pipeline: FacePipeline, files: readonly [string, string], request: ExplainRequest, threshold: number | undefined): Promise<ExplanationJson> {
  const [a, b] = await Promise.all(files.map((f) => readImage(f)));
  const explanation = await explainMatch(pipeline, a!, b!, { ...(request.method ? { method: request.method } : {}), ...(threshold === undefined ? {} : { threshold }) });
  const captions = files.map((f) => path.basename(f));
  if (request.target !== undefined) await writeImageAs(request.target, explanationPicture(explanation, { captions }), imageOutputFormat(request.target, '--explain'));
  return explanationToJson(explanation);
}

/** A face found in a photo and what it was named (unknown faces are not explained). */
export interface NamedFace {
  readonly landmarks: readonly Point[];
  readonly label: string;
  readonly unknown: boolean;
}

/**
 * Explains each named face of the photo `file` against its person in `gallery`; with a folder, writes
 * `<photo>-<n>-<label>.png` there (created when missing). Returns the JSON form per face (undefined for
 * unknown faces) and the files written.
 */
export async function explainNamedFaces(pipeline: FacePipeline, gallery: Gallery, file: string, faces: readonly NamedFace[], request: ExplainRequest): Promise<{ json: Array<ExplanationJson | undefined>; files: string[] }> {
  const json: Array<ExplanationJson | undefined> = [];
  const files: string[] = [];
  if (!faces.some((f) => !f.unknown)) return { json: faces.map(() => undefined), files };
  const image = await readImage(file);
  if (request.target !== undefined) await mkdir(request.target, { recursive: true });
  for (const [i, face] of faces.entries()) {
    if (face.unknown) {
      json.push(undefined);
      continue;
    }
    const explanation = await explainMatch(pipeline, { image, landmarks: face.landmarks }, await personOf(gallery, face.label), { ...(request.method ? { method: request.method } : {}), threshold: gallery.threshold });
    json.push(explanationToJson(explanation));
    if (request.target !== undefined) {
      const base = path.basename(file, path.extname(file));
      const out = await freeName(request.target, `${base}-${i + 1}-${face.label.replace(/[^\w.-]+/g, '_')}`, '.png');
      await writeImageAs(out, explanationPicture(explanation, { captions: [base, face.label] }), 'png');
      files.push(out);
    }
  }
  return { json, files };
}

/** `<dir>/<stem><ext>`, or `<stem>-2<ext>`, `-3`… when taken: the folder may hold the user's files, never written over. */
async function freeName(dir: string, stem: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}${ext}`);
    try {
      await access(file);
    } catch {
      return file;
    }
  }
}
