// The CNN architectures facerec can train, selectable by name.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../errors/index.js';

/** Names of the built-in architectures. */
export type ArchitectureName = 'seed-cnn' | 'seed-cnn-bn';

/** Every built-in architecture name, for option validation and help texts. */
export const ARCHITECTURES: readonly ArchitectureName[] = ['seed-cnn', 'seed-cnn-bn'];

/** What a model is built for. */
export interface ModelSpec {
  /** Input height, width and channels, e.g. [64, 64, 1]. */
  readonly inputShape: readonly [number, number, number];
  /** Number of people (output classes). */
  readonly numClasses: number;
  /** Seed for weight initialisation; the same seed gives the same initial weights. */
  readonly seed?: number;
}

/** Name of the final softmax layer; the trainer reads logits from the layer before it. */
export const PROBABILITIES_LAYER = 'probabilities';

function checkSpec(spec: ModelSpec): void {
  const [h, w, c] = spec.inputShape;
  for (const [name, v] of [['height', h], ['width', w]] as const) {
    if (!Number.isInteger(v) || v < 16) {
      throw new InvalidArgumentError(`inputShape ${name}`, `must be an integer ≥ 16, got ${v}`);
    }
  }
  if (c !== 1 && c !== 3) throw new InvalidArgumentError('inputShape channels', `must be 1 or 3, got ${c}`);
  if (!Number.isInteger(spec.numClasses) || spec.numClasses < 2) {
    throw new InvalidArgumentError('numClasses', `must be an integer ≥ 2, got ${spec.numClasses}`);
  }
}

/** Seeded initialisers: each layer gets its own seed derived from the model seed. */
function initialisers(seed: number | undefined): () => { kernelInitializer: ReturnType<typeof tfl.initializers.glorotUniform> } {
  let layer = 0;
  return () => {
    layer += 1;
    const layerSeed = seed === undefined ? undefined : (seed * 7919 + layer * 104729) % 2147483647;
    return { kernelInitializer: tfl.initializers.glorotUniform({ seed: layerSeed }) };
  };
}

/**
 * The seed CNN, exactly: Conv2D(32,3×3,relu) → MaxPool 2×2 → Conv2D(64,3×3,relu) → MaxPool 2×2 → Flatten →
 * Dense(128,relu) → Dense(K,softmax). The last Dense is split into a linear Dense and a softmax layer so the
 * trainer can compute the loss from logits (numerically stable); the function computed is the same.
 */
function seedCnn(spec: ModelSpec): tfl.Sequential {
  const init = initialisers(spec.seed);
  return tfl.sequential({
    name: 'seed_cnn',
    layers: [
      tfl.layers.conv2d({ inputShape: [...spec.inputShape], filters: 32, kernelSize: 3, activation: 'relu', ...init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', ...init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu', ...init() }),
      tfl.layers.dense({ units: spec.numClasses, name: 'logits', ...init() }),
      tfl.layers.activation({ activation: 'softmax', name: PROBABILITIES_LAYER }),
    ],
  });
}

/**
 * The seed CNN made sturdier for small datasets: batch normalisation after each convolution, dropout before the
 * classifier and L2 weight decay on the dense layers.
 */
function seedCnnBn(spec: ModelSpec): tfl.Sequential {
  const init = initialisers(spec.seed);
  const l2 = () => tfl.regularizers.l2({ l2: 1e-4 });
  return tfl.sequential({
    name: 'seed_cnn_bn',
    layers: [
      tfl.layers.conv2d({ inputShape: [...spec.inputShape], filters: 32, kernelSize: 3, useBias: false, ...init() }),
      tfl.layers.batchNormalization({}),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, useBias: false, ...init() }),
      tfl.layers.batchNormalization({}),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.3 }),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelRegularizer: l2(), ...init() }),
      tfl.layers.dropout({ rate: 0.3 }),
      tfl.layers.dense({ units: spec.numClasses, name: 'logits', kernelRegularizer: l2(), ...init() }),
      tfl.layers.activation({ activation: 'softmax', name: PROBABILITIES_LAYER }),
    ],
  });
}

const builders: Record<ArchitectureName, (spec: ModelSpec) => tfl.Sequential> = {
  'seed-cnn': seedCnn,
  'seed-cnn-bn': seedCnnBn,
};

/** Builds a fresh, untrained model of the named architecture. */
export function createModel(architecture: ArchitectureName, spec: ModelSpec): tfl.Sequential {
  const build = builders[architecture];
  if (!build) {
    throw new InvalidArgumentError('architecture', `unknown "${String(architecture)}"; choose one of ${ARCHITECTURES.join(', ')}`);
  }
  checkSpec(spec);
  return build(spec);
}

/**
 * Runs `model` up to its logits: every layer except a final softmax. Models without a final softmax
 * layer return their output unchanged (then treated as logits).
 */
export function forwardLogits(model: tfl.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  if (!(model instanceof tfl.Sequential) || last?.name !== PROBABILITIES_LAYER) {
    return model.apply(x, { training }) as tf.Tensor;
  }
  let h: tf.Tensor = x;
  for (let i = 0; i < layers.length - 1; i++) h = layers[i]!.apply(h, { training }) as tf.Tensor;
  return h;
}
