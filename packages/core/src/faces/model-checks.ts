// Load-time checks that a network's weights and outputs are sane, so a wrong file fails as ModelFormatError, not later.
import * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError } from '../errors/index.js';
import { firstNonFinite } from '../errors/finite.js';

/** What a pretrained network must take and give, checked when it is loaded. */
export interface NetworkSignature {
  /** What the network is, for messages ("the face detector"). */
  readonly what: string;
  /** Input `[height, width, channels]` of one image (the batch dimension comes first and may be any size). */
  readonly input: readonly [number, number, number];
  /** Values per image the network's output (or the node it is read from) holds. */
  readonly outputSize: number;
}

/**
 * Largest shape constant (paddings, reshape targets, slice bounds) the face networks use is 2,048; a
 * weight file swapped for another model's bytes turns these into numbers in the millions, which make
 * kernels read out of bounds. 8,192 leaves room for other versions of the same networks.
 */
const MAX_SHAPE_CONSTANT = 8192;

/** Reads a tensor's values and disposes it (asynchronously: WebGPU in Node cannot read GPU memory synchronously). */
async function readAndDispose(t: tf.Tensor): Promise<ArrayLike<number>> {
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
}

/**
 * Throws ModelFormatError naming `source` when a float weight holds NaN or infinity, or an int32 weight
 * (a shape constant) is implausibly large: both mean the weight bytes are not this network's.
 */
export async function checkWeightValues(weights: ReadonlyArray<{ name: string; tensor: tf.Tensor }>, source: string): Promise<void> {
  const floats = weights.filter((w) => w.tensor.dtype === 'float32' && w.tensor.size > 0);
  const ints = weights.filter((w) => w.tensor.dtype === 'int32' && w.tensor.size > 0);
  if (floats.length > 0) {
    // sum(w·0) is 0 for finite weights and NaN otherwise: one value per weight, one read-back for all.
    const flags = await readAndDispose(tf.tidy(() => tf.stack(floats.map((w) => tf.sum(tf.mul(w.tensor, 0))))));
    const bad = firstNonFinite(flags);
    if (bad >= 0) throw new ModelFormatError(source, `weight ${floats[bad]!.name} holds NaN or infinite values; the weight file is corrupt or belongs to another model`);
  }
  if (ints.length > 0) {
    const maxima = Array.from(await readAndDispose(tf.tidy(() => tf.stack(ints.map((w) => tf.max(tf.abs(tf.reshape(w.tensor, [-1]))))))));
    const bad = maxima.findIndex((m) => !(m <= MAX_SHAPE_CONSTANT));
    if (bad >= 0) {
      throw new ModelFormatError(source, `weight ${ints[bad]!.name} holds the shape constant ${maxima[bad]}, far outside what this network uses; the weight file is corrupt or belongs to another model`);
    }
  }
}

/**
 * Checks the network's declared input shape against `signature` (dimensions of -1 or null are free).
 * @throws ModelFormatError naming `source` otherwise.
 */
export function checkInputShape(shape: readonly (number | null)[] | undefined, signature: NetworkSignature, source: string): void {
  const want = [-1, ...signature.input];
  const ok = shape !== undefined && shape.length === 4 && signature.input.every((d, i) => shape[i + 1] === d || shape[i + 1] === -1 || shape[i + 1] === null);
  if (!ok) {
    throw new ModelFormatError(source, `takes input [${shape?.map((d) => d ?? -1).join(', ') ?? 'unknown'}] but ${signature.what} takes [${want.join(', ')}]; is this the right model file?`);
  }
}

/**
 * Runs the network once on a constant grey image and checks the output's size and that it is finite,
 * so weights that are the right size but the wrong content fail at load, naming `source`. Any error of
 * the run (a missing output node, a kernel refusing a shape) becomes a ModelFormatError too.
 */
export async function warmUp(run: (batch: tf.Tensor4D) => tf.Tensor, signature: NetworkSignature, source: string): Promise<void> {
  const [h, w, c] = signature.input;
  let values: ArrayLike<number>;
  try {
    values = await readAndDispose(tf.tidy(() => run(tf.fill([1, h, w, c], 0.5) as tf.Tensor4D)));
  } catch (error) {
    if (error instanceof ModelFormatError) throw error;
    throw new ModelFormatError(source, `cannot run as ${signature.what} (${error instanceof Error ? error.message : String(error)}); is this the right model file?`, { cause: error });
  }
  if (values.length !== signature.outputSize) {
    throw new ModelFormatError(source, `gives ${values.length} values per image but ${signature.what} gives ${signature.outputSize}; is this the right model file?`);
  }
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new ModelFormatError(source, `gives ${String(values[bad])} on a plain grey image; its weights are corrupt or belong to another model`);
}
