// Integrated gradients at an inner layer (dlib's default: conv64_2): its score, completeness, cell placement and refusals.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainMatch, FaceEmbedder, INTEGRATED_GRADIENTS_STAGES, initBackend, InvalidArgumentError, loadFacePipeline, readImage, type FacePipeline, type RawImage } from '@facerec/node';
import { templateInPixels } from '@facerec/core/internal';
import { inputGradientMaps, type LayerGeometry } from '../../../core/src/explain/input-gradient.js';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

describe('integrated gradients at dlib\'s conv64_2', () => {
  let pipeline: FacePipeline;
  let aligned: { image: RawImage; landmarks: ReturnType<typeof templateInPixels> };
  let other: { image: RawImage; landmarks: ReturnType<typeof templateInPixels> };

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline({ preset: 'default' });
    const embedder = pipeline.embedder as FaceEmbedder;
    const landmarks = templateInPixels(embedder.spec.template, embedder.spec.inputSize);
    // Also the warm-up: dlib keeps the filters of its backward pass from the first gradient explanation on.
    const ex = await explainMatch(pipeline, await readImage(lfwImage('Abel_Pacheco', 1)), await readImage(lfwImage('Abel_Pacheco', 2)));
    [aligned, other] = ex.faces.map((f) => ({ image: f.face, landmarks }));
  });
  afterAll(() => pipeline?.dispose());
  expectNoLeakPerTest();

  it('is dlib\'s default, on the 16×16 grid, and its score is the faces\' similarity computed apart', async () => {
    expect(INTEGRATED_GRADIENTS_STAGES['dlib']).toBe('conv64_2');
    const ex = await explainMatch(pipeline, aligned, other);
    expect(ex.method).toBe('integrated-gradients');
    expect([ex.faces[0]!.map.rows, ex.faces[0]!.map.cols, ex.faces[0]!.map.exact]).toEqual([16, 16, false]);
    // Occlusion embeds the two faces in a pass of its own: the same similarity.
    const apart = await explainMatch(pipeline, aligned, other, { method: 'occlusion', grid: 2, patchCells: 1, rounds: 1 });
    expect(ex.score).toBeCloseTo(apart.score, 4);
    expect(ex.faces.every((f) => f.map.raw.every(Number.isFinite))).toBe(true);
  });

  it.each(['conv64_2', 'conv128_1'])('dlib\'s written-out backward pass after %s is tfjs\'s gradient of the same head', (stage) => {
    // Rows of real activations (two faces and a mix), the gradient for the first two only, against a fixed outer g.
    const split = (pipeline.embedder as FaceEmbedder).network.split!(stage);
    const [ours, tapes] = tf.tidy(() => {
      const crops = tf.stack([tf.tensor3d(Float32Array.from(aligned.image.data), [150, 150, 3]), tf.tensor3d(Float32Array.from(other.image.data), [150, 150, 3])]) as tf.Tensor4D;
      const features = split.features(crops);
      const rows = tf.concat([features, tf.mul(tf.add(tf.slice(features, 0, 1), tf.slice(features, 1, 1)), 0.5)]) as tf.Tensor4D;
      const g = tf.randomNormal([2, 128], 0, 1, 'float32', 7) as tf.Tensor2D;
      const { embeddings, grad } = split.headGradient!(rows, 2, (e) => {
        expect(e.shape).toEqual([3, 128]);
        return g;
      });
      const tape = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(split.head(v as tf.Tensor4D), g)))(tf.slice(rows, 0, 2));
      expect(Array.from(embeddings.dataSync())).toEqual(Array.from(split.head(rows).dataSync()));
      return [grad.arraySync() as number[][][][], tape.arraySync() as number[][][][]];
    });
    const flat = (a: number[][][][]) => a.flat(3);
    const [x, y] = [flat(ours), flat(tapes)];
    const scale = Math.max(...y.map(Math.abs));
    expect(x.length).toBe(y.length);
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i]!)))).toBeLessThanOrEqual(1e-5 * scale);
  });

  it('the cells add up to the fall from the face to the all-grey face (completeness at the layer)', async () => {
    // Against a fixed target, so that only this face moves: with 32 points the midpoint rule is near the integral, and
    // the integral of the gradient along the straight path at the layer is s(face) − s(grey face) exactly (0.99 here).
    // Zero activations as the baseline instead of the grey face's (0.88), a missing average over the points, or
    // cells that drop positions (boxes off the crop) break the sum.
    const target = (await pipeline.embedMainFace(await readImage(lfwImage('Abel_Pacheco', 2))))!.embedding;
    const person = { label: 'abel', embeddings: [target] };
    const grey: RawImage = { data: new Uint8Array(150 * 150 * 3).fill(128), width: 150, height: 150, channels: 3 };
    const [ig, greyScore] = [await explainMatch(pipeline, aligned, person, { steps: 32 }), (await explainMatch(pipeline, { ...aligned, image: grey }, person, { method: 'gradcam' })).score];
    const fall = ig.score - greyScore;
    expect(Math.abs(fall), 'a fall big enough to measure').toBeGreaterThan(0.02);
    expect(sum(ig.faces[0]!.map.raw) / fall, `cells ${sum(ig.faces[0]!.map.raw).toFixed(4)} vs fall ${fall.toFixed(4)}`).toBeGreaterThan(0.95);
    expect(sum(ig.faces[0]!.map.raw) / fall).toBeLessThan(1.05);
  });

  it('a face against itself with its lower half blanked lights up the upper half', async () => {
    const data = Uint8Array.from(aligned.image.data);
    data.fill(128, 75 * 150 * 3);
    const ex = await explainMatch(pipeline, aligned, { ...aligned, image: { ...aligned.image, data } });
    const map = ex.faces[1]!.map;
    const rowsMean = (r0: number, r1: number) => { let s = 0; for (let r = r0; r < r1; r++) for (let c = 0; c < 16; c++) s += map.values[r * 16 + c]!; return s / ((r1 - r0) * 16); };
    expect(rowsMean(0, 8), `upper ${rowsMean(0, 8).toFixed(3)} vs lower ${rowsMean(8, 16).toFixed(3)}`).toBeGreaterThan(3 * rowsMean(8, 16));
  });

  it('refuses an unknown layer or a bad step count with typed errors', async () => {
    await expect(explainMatch(pipeline, aligned, other, { stage: 'conv99_1' })).rejects.toThrow(/Invalid stage/);
    await expect(explainMatch(pipeline, aligned, other, { stage: 'conv99_1' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(explainMatch(pipeline, aligned, other, { steps: 33 })).rejects.toThrow(/Invalid steps/);
  });
});

describe('inputGradientMaps: where a layer\'s positions land on the grid', () => {
  expectNoLeakPerTest();

  it('a position counts in the cells its box covers, in proportion', async () => {
    // features: the crop itself (8×8 positions of 1 channel: the first channel of every pixel 0..7); head: the
    // embedding [v(3, 5), 1], whose cosine to the target [1, 0] rises with that one position only. Its box under
    // stride 8, offset 9 is pixels [29, 37) × [45, 53) of a 64-pixel crop; on a 4×4 grid (16-pixel cells) that is
    // rows 1 and 2 (29..32, 32..37: 3/8 and 5/8) and column 2 (45..48) and 3 (48..53): 3/8 and 5/8.
    const geometry: LayerGeometry = { stride: 8, offset: 9 };
    const split = {
      features: (batch: tf.Tensor4D) => tf.tidy(() => tf.slice(batch, [0, 0, 0, 0], [-1, 8, 8, 1])),
      head: (f: tf.Tensor4D) => tf.tidy(() => tf.concat([tf.reshape(tf.slice(f, [0, 3, 5, 0], [-1, 1, 1, 1]), [-1, 1]), tf.onesLike(tf.reshape(tf.slice(f, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1, 1]))], 1) as tf.Tensor2D),
      linearHead: false,
    };
    const input = tf.fill([1, 64, 64, 3], 2) as tf.Tensor4D;
    const { raw } = await inputGradientMaps(split, input, 1, [new Float32Array([1, 0])], 4, [0.5], geometry);
    input.dispose();
    const cells = raw[0]!;
    const total = sum(cells);
    expect(total).toBeGreaterThan(0);
    const expected = new Float32Array(16);
    for (const [r, wr] of [[1, 3 / 8], [2, 5 / 8]] as const) for (const [c, wc] of [[2, 3 / 8], [3, 5 / 8]] as const) expected[r * 4 + c] = wr * wc * total;
    cells.forEach((v, i) => expect(v, `cell ${i}`).toBeCloseTo(expected[i]!, 6));
  });
});
