// Small synthetic face-like datasets made by code: each class has its own bright pattern plus noise.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRandom } from '@facerec/core';
import { PROBABILITIES_LAYER } from '@facerec/core/internal';
import type { RawImage } from '@facerec/core';

/** `perClass` images of `classes` patterns at size×size gray, values 0..255, seeded. */
export function patternImages(classes: number, perClass: number, size = 16, seed = 1): { images: RawImage[]; labels: number[] } {
  const random = createRandom(seed);
  const images: RawImage[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let k = 0; k < perClass; k++) {
      const data = new Uint8Array(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          // Class c lights one stripe band; stripes are far apart, so classes are easily separable.
          const band = Math.floor(((x + y * (c % 2 === 0 ? 1 : -1) + size) * (c + 1)) / size) % 2;
          const v = 60 + 120 * band + 40 * random.normal();
          data[y * size + x] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
      images.push({ data, width: size, height: size, channels: 1 });
      labels.push(c);
    }
  }
  return { images, labels };
}

/** The same data as a [N,size,size,1] tensor scaled to 0..1, and Int32 labels. */
export function patternTensors(classes: number, perClass: number, size = 16, seed = 1): { images: tf.Tensor4D; labels: Int32Array } {
  const { images, labels } = patternImages(classes, perClass, size, seed);
  const flat = new Float32Array(images.length * size * size);
  images.forEach((im, i) => flat.set(Array.from(im.data, (v) => v / 255), i * size * size));
  return { images: tf.tensor4d(flat, [images.length, size, size, 1]), labels: Int32Array.from(labels) };
}

/**
 * A small CNN for fast unit tests on tfjs's slow cpu backend: conv(4) → pool → dense(K) → softmax, with the
 * final layer named like facerec's architectures so the trainer reads logits the same way.
 */
export function tinyModel(size: number, numClasses: number, seed = 1, denseL2 = 0): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [size, size, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({
        units: numClasses,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
        ...(denseL2 > 0 ? { kernelRegularizer: tfl.regularizers.l2({ l2: denseL2 }) } : {}),
      }),
      tfl.layers.activation({ activation: 'softmax', name: PROBABILITIES_LAYER }),
    ],
  });
}
