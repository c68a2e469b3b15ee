// explainMatch on constructed cases: half-blanked faces light up their other half, maps sum as promised, no tensors leak.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  explainMatch, explanationToJson, FaceEmbedder, Gallery, initBackend, InvalidArgumentError, loadFacePipeline, personOf, readImage,
  type ExplainMethod, type FacePipeline, type HeatMap, type RawImage,
} from '@facerec/node';
import { templateInPixels } from '@facerec/core/internal';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

/** Mean map value over the cells left and right of the vertical centre line (cells straddling it count half to each). */
function halves(map: HeatMap): { left: number; right: number } {
  let left = 0, right = 0, wl = 0, wr = 0;
  for (let r = 0; r < map.rows; r++) {
    for (let c = 0; c < map.cols; c++) {
      const v = map.values[r * map.cols + c]!;
      const centre = (c + 0.5) / map.cols;
      const toLeft = Math.min(1, Math.max(0, (0.5 - c / map.cols) * map.cols));
      if (centre !== 0.5 || toLeft > 0) { left += v * toLeft; wl += toLeft; }
      right += v * (1 - toLeft); wr += 1 - toLeft;
    }
  }
  return { left: left / wl, right: right / wr };
}

/** A copy of an aligned face with its left half (x < width/2) grey. */
function blankLeft(face: RawImage): RawImage {
  return fadeLeft(face, 1);
}

/** A copy of an aligned face with its left half (x < width/2) moved `amount` (0..1) of the way to grey. */
function fadeLeft(face: RawImage, amount: number): RawImage {
  const data = Float32Array.from(face.data);
  for (let y = 0; y < face.height; y++) {
    for (let i = y * face.width * 3; i < (y * face.width + Math.floor(face.width / 2)) * 3; i++) data[i] = data[i]! + (128 - data[i]!) * amount;
  }
  return { ...face, data };
}

/** Plain occlusion (one round) on a 6×6 grid, 25 patches per face: the tests' time on two shared cores (greedy rounds: occlusion-rounds.test.ts). */
const COARSE = { grid: 6, patchCells: 2, rounds: 1 };

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

describe.each(['default', 'faceres'] as const)('explainMatch with the %s preset', (preset) => {
  let pipeline: FacePipeline;
  let photo: RawImage;
  let other: RawImage;
  /** The aligned face of `photo` and the landmarks that align it to itself. */
  let aligned: { image: RawImage; landmarks: ReturnType<typeof templateInPixels> };

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline({ preset });
    photo = await readImage(lfwImage('Abel_Pacheco', 1));
    other = await readImage(lfwImage('Akhmed_Zakayev', 1));
    const embedder = pipeline.embedder as FaceEmbedder;
    // The embedder's default method; also the warm-up: dlib keeps the filters of its backward pass from the first gradient explanation on.
    const first = await explainMatch(pipeline, photo, photo);
    // dlib's default works from conv64_2 on: the pixel methods' filters for the layers before it come with their first use.
    if (preset === 'default') await explainMatch(pipeline, photo, photo, { method: 'gradient-x-input' });
    aligned = { image: first.faces[0]!.face, landmarks: templateInPixels(embedder.spec.template, embedder.spec.inputSize) };
  });
  afterAll(() => pipeline?.dispose());
  expectNoLeakPerTest();

  const methods: ExplainMethod[] = preset === 'default' ? ['integrated-gradients', 'gradient-x-input', 'gradcam', 'occlusion'] : ['gradcam', 'occlusion'];
  it.each(methods)('%s: a face against itself with its left half blanked lights up the right half', async (method: ExplainMethod) => {
    const blanked = { image: blankLeft(aligned.image), landmarks: aligned.landmarks };
    const ex = await explainMatch(pipeline, aligned, blanked, { method, ...COARSE });
    expect(ex.faces).toHaveLength(2);
    // The blanked face: only its right half can resemble anything.
    const { left, right } = halves(ex.faces[1]!.map);
    expect(right, `${method} map right half ${right.toFixed(3)} vs left ${left.toFixed(3)}`).toBeGreaterThan(left * 2);
  });

  it('gradcam: maps are non-negative and normalised to a maximum of 1, and the score is verify\'s', async () => {
    const ex = await explainMatch(pipeline, photo, other, { method: 'gradcam' });
    const gallery = new Gallery(pipeline);
    const verify = await gallery.verify(photo, other);
    gallery.dispose();
    expect(ex.score).toBeCloseTo(verify.score, 4);
    expect(ex.same).toBe(verify.same);
    expect(ex.threshold).toBe(verify.threshold);
    for (const { map, face } of ex.faces) {
      expect(Math.min(...map.values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...map.values)).toBeCloseTo(1, 6);
      expect(face.width).toBe((pipeline.embedder as FaceEmbedder).spec.inputSize);
    }
  });

  it('gradcam at a layer followed by pooling and a linear head: the cells add up to the similarity', async () => {
    // faceres' default layer is its last; dlib's last block (2×2) is where its similarity splits exactly.
    const stage = preset === 'default' ? 'conv256_down_out' : undefined;
    const ex = await explainMatch(pipeline, photo, other, { method: 'gradcam', ...(stage ? { stage } : {}) });
    for (const { map } of ex.faces) {
      expect(map.exact).toBe(true);
      expect(Math.abs(sum(map.raw) - ex.score)).toBeLessThan(1e-4);
    }
    if (preset === 'default') {
      const inner = await explainMatch(pipeline, photo, other, { method: 'gradcam' });
      expect(inner.faces[0]!.map.exact).toBe(false);
      expect(inner.faces[0]!.map.rows).toBe(17);
    }
  });

  it.runIf(preset === 'default')('gradient-x-input: the cells predict how far the similarity falls when their region fades towards grey', async () => {
    const ex = await explainMatch(pipeline, photo, other, { method: 'gradient-x-input' });
    expect(ex.method).toBe('gradient-x-input');
    const [faceA, faceB] = ex.faces.map((f) => ({ image: f.face, landmarks: aligned.landmarks }));
    const map = ex.faces[1]!.map;
    expect([map.rows, map.cols, map.exact]).toEqual([16, 16, false]);
    // The left half is exactly the cells of columns 0..7 (150 px: 75 of them), so its cells add up to the first-order fall.
    let predicted = 0;
    for (let r = 0; r < map.rows; r++) for (let c = 0; c < map.cols / 2; c++) predicted += map.raw[r * map.cols + c]!;
    // Faded by a and by 2a: fall(a) = a·p + a²·q, so 2·fall(a) − fall(2a)/2 is a·p without the second-order term.
    const amount = 0.05;
    const fallBy = async (a: number) => ex.score - (await explainMatch(pipeline, faceA!, { ...faceB!, image: fadeLeft(faceB!.image, a) }, { method: 'gradient-x-input' })).score;
    const fall = 2 * (await fallBy(amount)) - (await fallBy(2 * amount)) / 2;
    expect(Math.abs(predicted * amount), 'a fall big enough to measure').toBeGreaterThan(5e-4);
    expect(fall / (predicted * amount), `fall ${fall.toExponential(3)} vs predicted ${(predicted * amount).toExponential(3)}`).toBeGreaterThan(0.8);
    expect(fall / (predicted * amount)).toBeLessThan(1.25);
  });

  it.runIf(preset === 'default')('integrated-gradients at the pixels: the cells are gradient × input averaged over faces faded towards grey', async () => {
    // Against a fixed target (an enrolled embedding), gradient × input of the face faded to grey + α·(x − grey) is
    // α · Σ (x − grey)·∇s there; integrated gradients with 2 steps averages ∇s at α = 1/4 and 3/4, so its cells are
    // (gxi(1/4)/(1/4) + gxi(3/4)/(3/4)) / 2, cell by cell.
    const person = { label: 'other', embeddings: [(await pipeline.embedMainFace(other))!.embedding] };
    const ig = await explainMatch(pipeline, aligned, person, { method: 'integrated-gradients', steps: 2, stage: 'input' });
    expect(ig.method).toBe('integrated-gradients');
    expect(ig.score, 'the score is the whole face\'s').toBeCloseTo((await explainMatch(pipeline, aligned, person, { method: 'gradcam' })).score, 4);
    const fadedBy = (alpha: number) => ({ ...aligned, image: { ...aligned.image, data: Float32Array.from(aligned.image.data, (v) => 128 + alpha * (v - 128)) } });
    const [quarter, threeQuarters] = await Promise.all([0.25, 0.75].map(async (a) => (await explainMatch(pipeline, fadedBy(a), person, { method: 'gradient-x-input' })).faces[0]!.map.raw));
    const expected = quarter!.map((v, i) => (v / 0.25 + threeQuarters![i]! / 0.75) / 2);
    const raw = ig.faces[0]!.map.raw;
    expect([ig.faces[0]!.map.rows, ig.faces[0]!.map.cols, ig.faces[0]!.map.exact]).toEqual([16, 16, false]);
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale, 'cells big enough to compare').toBeGreaterThan(1e-3);
    raw.forEach((v, i) => expect(Math.abs(v - expected[i]!), `cell ${i}: ${v} vs ${expected[i]}`).toBeLessThan(1e-3 * scale));
    await expect(explainMatch(pipeline, aligned, person, { method: 'integrated-gradients', steps: 0 })).rejects.toThrow(/Invalid steps/);
  });

  it('occlusion on identical faces: every patch lowers the similarity, the same on both sides', async () => {
    const ex = await explainMatch(pipeline, aligned, aligned, { method: 'occlusion', ...COARSE });
    expect(ex.score).toBeCloseTo(1, 5);
    const [a, b] = ex.faces.map((f) => f.map) as [HeatMap, HeatMap];
    expect(Math.min(...a.raw)).toBeGreaterThan(-1e-5);
    expect(Math.max(...a.raw)).toBeGreaterThan(0.01);
    a.raw.forEach((v, i) => expect(v).toBeCloseTo(b.raw[i]!, 5));
  });

  it('explains a face against an enrolled person with the embedding that gives the gallery\'s score', async () => {
    const gallery = new Gallery(pipeline);
    await gallery.enroll('abel', [await readImage(lfwImage('Abel_Pacheco', 2)), other]);
    const [match] = await gallery.match([(await pipeline.embedMainFace(photo))!.embedding]);
    const ex = await explainMatch(pipeline, photo, await personOf(gallery, 'abel'), { threshold: gallery.threshold });
    gallery.dispose();
    expect(ex.person).toBe('abel');
    expect(ex.faces).toHaveLength(1);
    expect(ex.score).toBeCloseTo(match!.score, 4);
    const json = explanationToJson(ex);
    expect(json.faces[0]!.map).toHaveLength(ex.faces[0]!.map.rows);
    expect(JSON.parse(JSON.stringify(json)).person).toBe('abel');
  });

  it('refuses bad input with typed errors', async () => {
    const blank: RawImage = { data: new Uint8Array(200 * 200).fill(90), width: 200, height: 200, channels: 1 };
    await expect(explainMatch(pipeline, blank, photo)).rejects.toThrow(/Invalid a: no face found/);
    await expect(explainMatch(pipeline, photo, photo, { method: 'lime' as ExplainMethod })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(explainMatch(pipeline, photo, photo, { threshold: 2 })).rejects.toThrow(/threshold/);
    await expect(explainMatch(pipeline, photo, photo, { method: 'occlusion', grid: 1 })).rejects.toThrow(/grid/);
    await expect(explainMatch(pipeline, photo, photo, { method: 'gradcam', stage: 'no_such_layer' })).rejects.toThrow(/Invalid stage/);
    if (preset === 'faceres') await expect(explainMatch(pipeline, photo, photo, { method: 'gradient-x-input' })).rejects.toThrow(/gradient-x-input needs a network/);
    await expect(explainMatch(pipeline, photo, { label: 'x', embeddings: [] })).rejects.toThrow(/no embeddings/);
    await expect(explainMatch(pipeline, photo, { label: 'x', embeddings: [new Float32Array(3)] })).rejects.toThrow(/b\.embeddings\[0\]/);
  });
});

describe('explainMatch refusals that need no model', () => {
  it('a pipeline without a single embedder is refused', async () => {
    const fake = { embedder: { spec: { name: 'dlib+faceres', dimensions: 2, threshold: 0.5 } } } as unknown as FacePipeline;
    await expect(explainMatch(fake, tf.zeros([4, 4, 3]) as tf.Tensor3D, tf.zeros([4, 4, 3]) as tf.Tensor3D)).rejects.toThrow(/single embedder/);
  });
});
