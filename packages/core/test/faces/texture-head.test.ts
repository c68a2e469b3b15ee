// Tests for the class-mean head's texture match: relit faces named by Tan–Triggs + LBP where the embedding fails, the fusion's arithmetic, and the textures saved with the head.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelFormatError } from '../../src/errors/index.js';
import type { FacePipeline } from '../../src/faces/index.js';
import { centredLandmarks } from '../../src/faces/landmarks.js';
import type { RawImage } from '../../src/image/types.js';
import { DEFAULT_TEXTURE_MATCHING, FaceRecognizer, METADATA_KEY } from '../../src/recognizer/index.js';
import { TextureGallery, faceTexture, fuseTextureScores, textureWeight, validateTextureMatching, withoutPixelCodes } from '../../src/recognizer/face-texture.js';
import { LBP_BINS } from '../../src/preprocess/lbp.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';
import { memorySink } from '../helpers/memory-sink.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const SIDE = 48;
let seed = 11;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
/** Each person: a fixed grey pattern (their "face texture") around their own mean brightness. */
const LABELS = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal'];
const patterns = LABELS.map((_, p) => Float32Array.from({ length: SIDE * SIDE }, () => 60 + 20 * p + (rand() - 0.5) * 100));

/**
 * Person `p`'s photo: the pattern with light noise, lit by `light(x)` (a gain across the face, 1 = evenly lit).
 * Side light darkens one half far more than the other, as a lamp beside the face does.
 */
function photo(p: number, light: (x: number) => number = () => 1): RawImage {
  const data = new Uint8Array(SIDE * SIDE);
  patterns[p]!.forEach((v, i) => {
    data[i] = Math.max(0, Math.min(255, Math.round((v + (rand() - 0.5) * 6) * light((i % SIDE) / (SIDE - 1)))));
  });
  return { data, width: SIDE, height: SIDE, channels: 1 };
}
const sideLight = (x: number) => 0.3 + 1.0 * x ** 2;

/**
 * A stand-in backbone that embeds a photo by its brightness (what a pretrained embedder loses first in the dark):
 * evenly lit photos separate the people, relit ones fall onto the darkest person. No face is found: the centre of
 * the crop is the face.
 */
const backbone = {
  embedder: { spec: { name: 'brightness', dimensions: 2, threshold: 0.5 } },
  embedMainFaceOrCentre: async (image: RawImage) => {
    const mean = Array.from(image.data).reduce((a, b) => a + b, 0) / image.data.length / 255;
    const angle = mean * Math.PI;
    return { embedding: Float32Array.of(Math.cos(angle), Math.sin(angle)), landmarks: centredLandmarks(image.width, image.height), found: false };
  },
} as unknown as FacePipeline;

const training = LABELS.flatMap((label, p) => [0, 1].map(() => ({ label, image: photo(p) })));
const relit = LABELS.flatMap((label, p) => [0, 1].map(() => ({ label, image: photo(p, sideLight) })));
const even = LABELS.flatMap((label, p) => [0].map(() => ({ label, image: photo(p) })));

describe('class-mean head with the texture match', () => {
  it('names side-lit faces by their texture where the embedding alone fails, and evenly lit ones as before', async () => {
    const fused = new FaceRecognizer({ backbone });
    const plain = new FaceRecognizer({ backbone, texture: null });
    try {
      await fused.fit(training);
      await plain.fit(training);
      const [p, f] = [(await plain.evaluate(relit)).accuracy, (await fused.evaluate(relit)).accuracy];
      // By cosine alone 0.125: the brightness embedding puts side-lit faces on darker people.
      expect(p).toBeLessThan(0.3);
      expect(f).toBeGreaterThan(p + 0.4);
      expect((await plain.evaluate(even)).accuracy).toBe(1);
      expect((await fused.evaluate(even)).accuracy).toBe(1);
    } finally {
      fused.dispose();
      plain.dispose();
    }
  });

  it('saves the training textures with the head: the loaded head answers the same; broken textures are a ModelFormatError', async () => {
    const r = new FaceRecognizer({ backbone });
    await r.fit(training);
    const sink = memorySink();
    await r.save(sink.handler);
    const saved = sink.artifacts();
    const meta = saved.userDefinedMetadata![METADATA_KEY] as { texture: Record<string, unknown> };
    expect(meta.texture).toMatchObject({ method: 'tan-triggs-ltp', size: 64, grid: [8, 8], threshold: 0.2, shadow: [3, 20], weight: 0.25, shadowWeight: 2, people: LABELS.flatMap((_, p) => [p, p]) });
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(saved), { backbone });
    const probes = relit.map((d) => d.image);
    const [want, got] = [await r.predictBatch(probes, { topK: 3 }), await loaded.predictBatch(probes, { topK: 3 })];
    expect(got).toEqual(want);
    const withTexture = (texture: Record<string, unknown>) =>
      FaceRecognizer.load(tf.io.fromMemory({ ...saved, userDefinedMetadata: { [METADATA_KEY]: { ...meta, texture } } }), { backbone }).catch((e: unknown) => e);
    expect(await withTexture({ ...meta.texture, textures: 'AAAA' })).toBeInstanceOf(ModelFormatError);
    expect(await withTexture({ ...meta.texture, people: [0, 9] })).toBeInstanceOf(ModelFormatError);
    expect(((await withTexture({ ...meta.texture, grid: [64, 8] })) as Error).message).toMatch(/texture\.grid/);
    expect(((await withTexture({ ...meta.texture, shadow: [20, 3] })) as Error).message).toMatch(/texture\.shadow/);
    // An LBP texture carries no LTP settings, and its bytes are shorter.
    expect(await withTexture({ ...meta.texture, method: 'tan-triggs-lbp' })).toBeInstanceOf(ModelFormatError);
    r.dispose();
    loaded.dispose();
  });

  it('keeps answering with LBP textures (heads saved before LTP): saved, loaded and scored the same', async () => {
    const lbp = { method: 'tan-triggs-lbp', size: 64, grid: [8, 8], weight: 0.25 } as const;
    const r = new FaceRecognizer({ backbone, texture: lbp });
    await r.fit(training);
    const sink = memorySink();
    await r.save(sink.handler);
    const meta = sink.artifacts().userDefinedMetadata![METADATA_KEY] as { texture: Record<string, unknown> };
    expect(meta.texture).toMatchObject(lbp);
    expect(meta.texture).not.toHaveProperty('threshold');
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(sink.artifacts()), { backbone });
    const probes = relit.map((d) => d.image);
    expect(await loaded.predictBatch(probes, { topK: 3 })).toEqual(await r.predictBatch(probes, { topK: 3 }));
    r.dispose();
    loaded.dispose();
  });

  it('is refused with the softmax head and checked when given', () => {
    expect(() => new FaceRecognizer({ backbone, head: 'softmax', texture: DEFAULT_TEXTURE_MATCHING })).toThrow(InvalidArgumentError);
    expect(() => new FaceRecognizer({ backbone, texture: { ...DEFAULT_TEXTURE_MATCHING, weight: -1 } })).toThrow(/texture\.weight/);
  });
});

describe('texture pieces', () => {
  it('fuses on the cosine scale: weight 0 keeps the cosines, evidence moves a person by weight · σ(cosines) · z', () => {
    const cosines = Float32Array.of(0.5, 0.7, 0.3);
    expect(Array.from(fuseTextureScores(cosines, Float32Array.of(1, 2, 3), 0))).toEqual(Array.from(cosines));
    // Distances 1, 2, 3: z of −d = (1.2247, 0, −1.2247); σ(cosines) = 0.1633.
    const fused = fuseTextureScores(cosines, Float32Array.of(1, 2, 3), 1);
    const s = Math.sqrt(((0.5 - 0.5) ** 2 + (0.7 - 0.5) ** 2 + (0.3 - 0.5) ** 2) / 3);
    const z = Math.sqrt(1.5);
    expect(fused[0]).toBeCloseTo(0.5 + s * z, 5);
    expect(fused[1]).toBeCloseTo(0.7, 5);
    expect(fused[2]).toBeCloseTo(0.3 - s * z, 5);
    // A person without textures counts as the farthest.
    const missing = fuseTextureScores(cosines, Float32Array.of(1, Infinity, 3), 1);
    expect(missing[1]! - 0.7).toBeCloseTo(missing[2]! - 0.3, 5);
    expect(missing[1]).toBeLessThan(0.7);
  });

  it('weighs the texture of a face in shadow more with shadowWeight: linear in its share in shadow against the training photos', () => {
    const m = { ...withoutPixelCodes(DEFAULT_TEXTURE_MATCHING), weight: 0.25, shadowWeight: 1.25 };
    const cells = 64;
    const face = (visible: number): Float32Array => {
      const t = new Float32Array(cells * (2 * LBP_BINS + 1));
      t.fill(visible, t.length - cells);
      return t;
    };
    expect(textureWeight(face(1), m, 1)).toBeCloseTo(0.25, 6);
    expect(textureWeight(face(0.5), m, 1)).toBeCloseTo(0.75, 6);
    expect(textureWeight(face(0), m, 1)).toBeCloseTo(1.25, 6);
    expect(textureWeight(face(0), { ...m, shadowWeight: undefined }, 1)).toBe(0.25);
    // Against training photos that show 80% of their cells: a face showing 80% is in full view, 40% half in shadow.
    expect(textureWeight(face(0.8), m, 0.8)).toBeCloseTo(0.25, 6);
    expect(textureWeight(face(0.4), m, 0.8)).toBeCloseTo(0.75, 6);
    expect(textureWeight(face(0.9), m, 0.8)).toBeCloseTo(0.25, 6);
    // The gallery measures its reference from its training textures (median of their mean visibility).
    const gallery = TextureGallery.fromTextures(m, [face(0.8), face(0.8), face(1)], [0, 1, 1], 2);
    expect(gallery.weightOf(face(0.4))).toBeCloseTo(0.75, 2);
    expect(() => validateTextureMatching({ ...m, shadowWeight: 11 }, 'texture')).toThrow(/texture\.shadowWeight/);
    expect(() => validateTextureMatching({ method: 'tan-triggs-lbp', size: 64, grid: [8, 8], weight: 1, shadowWeight: 1 }, 'texture')).toThrow(InvalidArgumentError);
  });

  it('keeps a face texture nearly unchanged under a global change of light, and far from another face', async () => {
    const m = DEFAULT_TEXTURE_MATCHING;
    const lm = centredLandmarks(SIDE, SIDE);
    const a = await faceTexture(photo(0), lm, m);
    const darker = photo(0, () => 0.3);
    const gallery = TextureGallery.fromTextures(m, [a, await faceTexture(photo(1), lm, m)], [0, 1], 2);
    const [same, other] = gallery.distances(await faceTexture(darker, lm, m));
    expect(same!).toBeLessThan(other! / 2);
    const tensor = tf.tensor3d(Float32Array.from(darker.data), [SIDE, SIDE, 1]);
    expect(Array.from(await faceTexture(tensor, lm, m))).toEqual(Array.from(await faceTexture(darker, lm, m)).map((v) => expect.closeTo(v, 5) as unknown as number));
    tensor.dispose();
  });
});
