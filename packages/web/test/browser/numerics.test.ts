// The same numbers on webgpu (SwiftShader), wasm and cpu: preprocessing and recognition of real faces read from canvases.
import * as tf from '@tensorflow/tfjs-core';
import { browserImageToTensor, initBackend, preprocessImage, recognizeFaces, switchBackend, wholeImageLocator } from '@facerec/web';
import type { FaceRecognizer, PreprocessingConfig } from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maxAbsDiff, orlImage, randomRecognizer, toCanvas } from './helpers/faces.js';
import { takeGpuErrors, settleGpu } from './helpers/gpu.js';

/**
 * Agreement with the cpu backend. Preprocessed pixels are standardised (unit variance), so 1e-4 is about 1e-4 of
 * a standard deviation; probabilities are 0..1. Measured in headless Chromium: ≤ 1e-6 (pixels), ≤ 2e-7 (probabilities).
 */
const TOLERANCE = { pixels: 1e-4, probabilities: 1e-5 };
const BACKENDS = ['webgpu', 'wasm', 'cpu'] as const;
const CONFIG: PreprocessingConfig = { inputSize: [32, 32], channels: 3, normalization: 'standardize' };

describe('every backend agrees with cpu', () => {
  let canvases: HTMLCanvasElement[] = [];
  let gray: FaceRecognizer;
  let rgb: FaceRecognizer;
  const reference = { pixels: [] as number[][], gray: [] as number[][], rgb: [] as number[][] };

  const preprocessed = async (canvas: HTMLCanvasElement): Promise<number[]> => {
    const t = tf.tidy(() => preprocessImage(browserImageToTensor(canvas), CONFIG));
    const v = Array.from(await t.data());
    t.dispose();
    return v;
  };
  // Every class's probability, in label order, for each face (the whole canvas is the face).
  const probabilities = async (recognizer: FaceRecognizer): Promise<number[][]> => {
    const out: number[][] = [];
    for (const canvas of canvases) {
      const [face] = await recognizeFaces(recognizer, canvas, { locate: wholeImageLocator, topK: recognizer.labels.length });
      const byLabel = new Map(face!.candidates.map((c) => [c.label, c.score]));
      out.push(recognizer.labels.map((l) => byLabel.get(l)!));
    }
    return out;
  };

  beforeAll(async () => {
    await initBackend('cpu');
    canvases = await Promise.all([[1, 1], [2, 5], [3, 9], [7, 2]].map(async ([p, i]) => toCanvas(await orlImage(p!, i!))));
    gray = await randomRecognizer({ channels: 1, size: 32, seed: 3 });
    rgb = await randomRecognizer({ channels: 3, size: 32, seed: 4 });
    for (const c of canvases) reference.pixels.push(await preprocessed(c));
    reference.gray = await probabilities(gray);
    reference.rgb = await probabilities(rgb);
  });

  afterAll(() => {
    gray.dispose();
    rgb.dispose();
  });

  describe.each(BACKENDS)('%s', (backend) => {
    beforeAll(async () => {
      // The recognizers' weights are copied to the new backend (tfjs would move WebGPU tensors as zeros).
      const moved = await switchBackend(backend, [gray, rgb]);
      expect(moved.selection.backend).toBe(backend);
      [gray, rgb] = moved.recognizers as [FaceRecognizer, FaceRecognizer];
    });

    test('preprocessing of a canvas', async () => {
      for (const [i, canvas] of canvases.entries()) {
        expect(maxAbsDiff(await preprocessed(canvas), reference.pixels[i]!)).toBeLessThanOrEqual(TOLERANCE.pixels);
      }
      await settleGpu();
    });

    test('a grayscale recognizer', async () => {
      const probs = await probabilities(gray);
      expect(maxAbsDiff(probs.flat(), reference.gray.flat())).toBeLessThanOrEqual(TOLERANCE.probabilities);
      await settleGpu();
    });

    test('an RGB recognizer (3-channel conv2d on canvas pixels)', async () => {
      const probs = await probabilities(rgb);
      expect(maxAbsDiff(probs.flat(), reference.rgb.flat())).toBeLessThanOrEqual(TOLERANCE.probabilities);
      await settleGpu();
    });
  });
});

test('switchBackend keeps the weights that tfjs 4.22 loses when it moves tensors off WebGPU', async () => {
  const canvas = toCanvas(await orlImage(4, 4));
  const probabilities = async (r: FaceRecognizer) => (await recognizeFaces(r, canvas, { locate: wholeImageLocator, topK: 4 }))[0]!.candidates.map((c) => c.score);
  await initBackend('webgpu');
  let recognizer = await randomRecognizer({ channels: 1, size: 32, seed: 5 });
  const onGpu = await probabilities(recognizer);
  expect(Math.max(...onGpu) - Math.min(...onGpu)).toBeGreaterThan(1e-3);
  recognizer = (await switchBackend('cpu', [recognizer])).recognizers[0]!;
  expect(maxAbsDiff(await probabilities(recognizer), onGpu)).toBeLessThanOrEqual(TOLERANCE.probabilities);
  recognizer.dispose();
});

describe('tfjs-backend-webgpu 4.22: conv2d fed straight from an int→float cast', () => {
  // [1, 32, 32, 3] pixels as int32, as tf.browser.fromPixels gives them, and a 3×3×3×8 kernel.
  const pixels = Int32Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
  const kernel = Float32Array.from({ length: 3 * 3 * 3 * 8 }, (_, i) => ((i % 7) - 3) / 10);
  const convolve = async (input: () => tf.Tensor4D): Promise<Float32Array> => {
    const y = tf.tidy(() => tf.conv2d(input(), tf.tensor4d(kernel, [3, 3, 3, 8]), 1, 'same'));
    const values = (await y.data()) as Float32Array;
    y.dispose();
    return values;
  };
  const fromInts = () => tf.cast(tf.tensor4d(pixels, [1, 32, 32, 3], 'int32'), 'float32') as tf.Tensor4D;
  const fromFloats = () => tf.tensor4d(Float32Array.from(pixels), [1, 32, 32, 3], 'float32');

  test('is wrong on webgpu (a WGSL compile error shows only as uncapturederror): the bug facerec avoids', async () => {
    await initBackend('cpu');
    const expected = await convolve(fromFloats);
    await initBackend('webgpu');
    const broken = await convolve(fromInts);
    await settleGpu();
    const errors = takeGpuErrors();
    // If this fails, tfjs fixed the bug: the float-upload workaround in browserImageToTensor can then go.
    expect(maxAbsDiff(broken, expected)).toBeGreaterThan(1);
    expect(errors.some((e) => /vec3<f32>\(i32, i32, i32\)/.test(e.message))).toBe(true);
  });

  test("facerec's path (CPU-side float32 upload) gives the CPU's numbers on webgpu, without GPU errors", async () => {
    await initBackend('cpu');
    const expected = await convolve(fromFloats);
    await initBackend('webgpu');
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 32;
    const image = new ImageData(32, 32);
    for (let p = 0; p < 32 * 32; p++) {
      for (let c = 0; c < 3; c++) image.data[p * 4 + c] = pixels[p * 3 + c]!;
      image.data[p * 4 + 3] = 255;
    }
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    const viaPackage = await convolve(() => tf.expandDims(browserImageToTensor(canvas), 0) as tf.Tensor4D);
    await settleGpu();
    expect(maxAbsDiff(viaPackage, expected)).toBeLessThanOrEqual(1e-3);
  });
});
