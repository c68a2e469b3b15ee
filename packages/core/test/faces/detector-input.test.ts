// The detector's input built in JavaScript equals the tensor path it replaces on CPU backends (warp, gray to RGB, stretch).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Affine } from '../../src/faces/index.js';
import { STRETCH_MIN_RANGE, windowInputs } from '../../src/faces/detector-input.js';
import { warpPixels } from '../../src/faces/warp.js';
import { grayscaleToRgb } from '../../src/preprocess/color.js';
import type { PixelArray } from '../../src/image/types.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

/** Windows seen at 32×32 (the detector's are 128×128): the same arithmetic, a sixteenth of the work for the tensor reference. */
const SIZE = 32;

/** The detector's input as it was built before: warpPixels, a tensor, gray to RGB, then the min..max stretch as tensor ops. */
function reference(pixels: PixelArray, matrices: readonly Affine[]): Float32Array {
  const channels = pixels.channels === 4 ? 3 : pixels.channels;
  // The old path took a tensor of the image, whose RGBA lost its alpha.
  const src = pixels.channels === 4 ? { ...pixels, data: Float32Array.from({ length: pixels.width * pixels.height * 3 }, (_, i) => pixels.data[Math.floor(i / 3) * 4 + (i % 3)]!), channels: 3 } : pixels;
  return tf.tidy(() => {
    const crops = tf.tensor4d(warpPixels(src, matrices, SIZE, SIZE, 0), [matrices.length, SIZE, SIZE, channels]);
    const rgb = channels === 1 ? grayscaleToRgb(crops) : crops;
    const lo = tf.min(rgb, [1, 2, 3], true);
    const hi = tf.max(rgb, [1, 2, 3], true);
    const range = tf.maximum(tf.sub(hi, lo), STRETCH_MIN_RANGE);
    return tf.sub(tf.mul(tf.div(tf.sub(rgb, lo), range), 2), 1).dataSync() as Float32Array;
  });
}

function image(width: number, height: number, channels: number, kind: 'u8' | 'f32', seed: number): PixelArray {
  const n = width * height * channels;
  const data = kind === 'u8' ? new Uint8ClampedArray(n) : new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const p = Math.floor(i / channels);
    // Gradients plus noise: smooth enough for bilinear weights to matter, varied enough for a real min..max.
    const v = ((p % width) / width) * 150 + (Math.floor(p / width) / height) * 60 + (s % 40);
    data[i] = kind === 'u8' ? Math.round(v) : v + 0.37;
  }
  return { data, width, height, channels };
}

/** A square window at (x, y) of side `size` seen at SIZE×SIZE, optionally mirrored (as the detector's second look). */
const square = (x: number, y: number, size: number, mirrored = false): Affine => (mirrored ? [-size / SIZE, 0, x + size, 0, size / SIZE, y] : [size / SIZE, 0, x, 0, size / SIZE, y]);

describe('windowInputs', () => {
  const windows: Affine[] = [
    square(3, 1, 37), // inside, shrinking
    square(-10, -8, 56), // reaching past the top-left corner
    square(50, 37, 56), // past the bottom-right corner
    square(7.6, 4.4, 15.1), // enlarging, fractional
    square(-15, -15, 120), // the whole image padded to a square
    square(10, 5, 45, true), // mirrored
    square(50, -12, 45, true), // mirrored, past the top-right corner
    square(-20, 30, 45, true), // mirrored, past the bottom-left corner
    [0.9, -0.4, 15, 0.4, 0.9, -2.5], // rotated and scaled
  ];

  for (const [channels, kind] of [[3, 'u8'], [4, 'u8'], [1, 'u8'], [3, 'f32'], [1, 'f32']] as const) {
    it(`equals warp + gray to RGB + tensor stretch, ${channels} channel(s) of ${kind}`, () => {
      const pixels = image(80, 60, channels, kind, channels * 7 + (kind === 'u8' ? 1 : 2));
      const got = windowInputs(pixels, windows, SIZE);
      const want = reference(pixels, windows);
      expect(got.length).toBe(windows.length * SIZE * SIZE * 3);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      // Float32 rounding of the same arithmetic: a few units in the last place at most.
      expect(worst).toBeLessThan(1e-6);
      expect(Math.min(...got.subarray(0, SIZE * SIZE * 3))).toBe(-1);
    });
  }

  it('stretches a flat window by its least range, not to ±1', () => {
    const flat: PixelArray = { data: new Uint8ClampedArray(64 * 64 * 3).fill(100), width: 64, height: 64, channels: 3 };
    const inside = windowInputs(flat, [square(8, 8, 40)], SIZE);
    expect(new Set(inside)).toEqual(new Set([-1]));
    // Half the window past the edge reads 0 there: range 100 ≥ 32, so both ends reach ±1.
    const edge = windowInputs(flat, [square(32, 0, 64)], SIZE);
    expect(Math.min(...edge)).toBe(-1);
    expect(Math.max(...edge)).toBe(1);
    expect(edge).toEqual(reference(flat, [square(32, 0, 64)]));
    // Dark and nearly flat (range 10 < 32): stretched by 32, not to ±1.
    const dim: PixelArray = { data: Uint8ClampedArray.from({ length: 64 * 64 }, (_, i) => 20 + (i % 11)), width: 64, height: 64, channels: 1 };
    const low = windowInputs(dim, [square(8, 8, 40)], SIZE);
    expect(Math.max(...low)).toBeLessThan(-0.3);
    expect(low).toEqual(reference(dim, [square(8, 8, 40)]));
  });
});
