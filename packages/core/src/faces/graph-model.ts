// Loads a tfjs graph model from bytes already in memory, checking the files first so a bad one gives a clear error.
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModelSync, type GraphModel } from '@tensorflow/tfjs-converter';
import { ModelFormatError } from '../errors/index.js';
import { checkInputShape, checkWeightValues, warmUp, type NetworkSignature } from './model-checks.js';

/** A tfjs graph model built from memory. */
export type FaceGraphModel = GraphModel<tf.io.IOHandlerSync>;

/** The two files of a tfjs graph model as read by a platform (Node file system, browser fetch...). */
export interface GraphModelFiles {
  /** Parsed `model.json` (a graph model: `modelTopology` + `weightsManifest`). */
  readonly modelJson: unknown;
  /** The weight files named by the manifest, in manifest order. */
  readonly weights: readonly Uint8Array[];
  /** Names the model (folder or URL) in error messages. */
  readonly source: string;
}

interface WeightEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quantization?: { dtype: string };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Weight file names listed by a graph model's manifest, in order. */
export function manifestPaths(modelJson: unknown, source: string): string[] {
  if (!isRecord(modelJson) || !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelFormatError(source, 'model.json has no weightsManifest; is it a tfjs graph model?');
  }
  return modelJson.weightsManifest.flatMap((group: unknown) => {
    if (!isRecord(group) || !Array.isArray(group.paths)) throw new ModelFormatError(source, 'weightsManifest group without paths');
    return group.paths.map(String);
  });
}

function weightEntries(modelJson: Record<string, unknown>, source: string): WeightEntry[] {
  return (modelJson.weightsManifest as unknown[]).flatMap((group) => {
    const weights = isRecord(group) ? group.weights : undefined;
    if (!Array.isArray(weights)) throw new ModelFormatError(source, 'weightsManifest group without weights');
    if (!weights.every(isRecord)) throw new ModelFormatError(source, 'weightsManifest has a weight entry that is not an object');
    return weights as unknown as WeightEntry[];
  });
}

/** Bytes the manifest says the weights take. */
function expectedBytes(entries: readonly WeightEntry[], source: string): number {
  let total = 0;
  for (const w of entries) {
    const dtype = w.quantization?.dtype ?? w.dtype;
    const size = BYTES[dtype];
    if (size === undefined || !Array.isArray(w.shape)) throw new ModelFormatError(source, `weight ${String(w.name)} has unsupported dtype ${String(dtype)}`);
    total += size * w.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** What a graph model must take and give: {@link NetworkSignature} plus the node its output is read from. */
export interface GraphModelSignature extends NetworkSignature {
  /** Output node to read (as passed to `execute`); default the model's only output. */
  readonly output?: string;
}

/**
 * Builds a tfjs `GraphModel` from its files. Checks that `model.json` is a graph model and that the weight
 * bytes are exactly what its manifest describes, so a truncated or swapped weight file fails here, naming
 * `files.source`, instead of producing garbage later. {@link checkGraphModel} then checks the content.
 *
 * @throws ModelFormatError naming the source when the files are not a usable graph model.
 */
export function loadGraphModelFromFiles(files: GraphModelFiles): FaceGraphModel {
  const { modelJson, weights, source } = files;
  if (!isRecord(modelJson) || !isRecord(modelJson.modelTopology)) {
    throw new ModelFormatError(source, 'model.json has no modelTopology; is it a tfjs graph model?');
  }
  const paths = manifestPaths(modelJson, source);
  if (paths.length !== weights.length) {
    throw new ModelFormatError(source, `the manifest names ${paths.length} weight file(s) but ${weights.length} were given`);
  }
  const entries = weightEntries(modelJson, source);
  const expected = expectedBytes(entries, source);
  const actual = weights.reduce((n, w) => n + w.byteLength, 0);
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : 'too long';
    throw new ModelFormatError(source, `weight file ${paths.join(', ')} is ${what}: ${actual} bytes, the manifest needs ${expected}`);
  }
  const weightData = new Uint8Array(actual);
  let offset = 0;
  for (const w of weights) {
    weightData.set(w, offset);
    offset += w.byteLength;
  }
  // The build is synchronous: in a scope, the weight tensors a failed build decoded are freed with it.
  tf.engine().startScope();
  try {
    const model = loadGraphModelSync({
      modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: entries as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer,
      ...(isRecord(modelJson.signature) ? { signature: modelJson.signature as tf.io.ModelArtifacts['signature'] } : {}),
    }) as FaceGraphModel;
    for (const tensors of Object.values(model.weights)) tensors.forEach((t) => tf.keep(t));
    return model;
  } catch (error) {
    throw new ModelFormatError(source, `cannot build the graph model (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  } finally {
    tf.engine().endScope();
  }
}

/**
 * Checks that a graph model is the network `signature` describes: one input of its shape, finite float
 * weights, plausible shape constants, and one run on a grey image giving finite values of the expected
 * size. A file of the right size but another model's content (which could crash a kernel later) fails
 * here. The model is not disposed.
 * @throws ModelFormatError naming `source`.
 */
export async function checkGraphModel(model: FaceGraphModel, signature: GraphModelSignature, source: string): Promise<void> {
  if (model.inputs.length !== 1) throw new ModelFormatError(source, `has ${model.inputs.length} inputs but ${signature.what} has 1; is this the right model file?`);
  checkInputShape(model.inputs[0]!.shape, signature, source);
  await checkWeightValues(Object.entries(model.weights).flatMap(([name, tensors]) => tensors.map((tensor) => ({ name, tensor }))), source);
  const { output } = signature;
  await warmUp((batch) => (output ? model.execute(batch, output) : model.execute(batch)) as tf.Tensor, signature, source);
}
