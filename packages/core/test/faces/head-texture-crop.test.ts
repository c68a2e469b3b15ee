// Tests for where a few-shot head reads the texture of a face in shadow in crops of one geometry: where the crops have their faces, not where the detector put it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors/index.js';
import type { FacePipeline, Point } from '../../src/faces/index.js';
import { ARCFACE_TEMPLATE, templateInPixels } from '../../src/faces/templates.js';
import type { RawImage } from '../../src/image/types.js';
import { DEFAULT_TEXTURE_MATCHING, FaceRecognizer, METADATA_KEY } from '../../src/recognizer/index.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';
import { memorySink } from '../helpers/memory-sink.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const SIDE = 64;
const CELL = SIDE / 8;
/** Which of the 8 cell rows carry texture for each person (the rest is flat grey): half a row of shift turns one into another. */
const ROWS = [[0, 2, 4, 6], [1, 3, 5, 7], [0, 1, 4, 5], [2, 3, 6, 7]];
/** The crops' faces sit on the texture's own template, so the aligned texture is the photo itself. */
const FACE = templateInPixels(ARCFACE_TEMPLATE, SIDE);
/** Where the detector puts the face in test photos: 6 px low (a mean landmark shift under 0.1 of the photo, so the embedding keeps it). */
const MISREAD = FACE.map((q) => ({ x: q.x, y: q.y + 6 }));

function seeded(k: number): () => number {
  let s = (k * 2654435761 + 1) >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 3266489917) >>> 0) / 4294967296);
}

/** Person p's crop, photo k: noise in the person's cell rows (fresh noise per photo), flat grey elsewhere. */
function photo(p: number, k: number): RawImage {
  const rnd = seeded(p * 100 + k);
  const data = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) data[y * SIDE + x] = ROWS[p]!.includes(Math.floor(y / CELL)) ? 60 + Math.floor(rnd() * 140) : 120;
  return { data, width: SIDE, height: SIDE, channels: 1 };
}

/** A backbone whose embeddings say nothing (seeded noise) and whose detector finds the training crops' faces in place, the test photos' 6 px low. */
function backbone(): FacePipeline {
  const rnd = seeded(7);
  const noise = () => Float32Array.from({ length: 8 }, () => rnd() - 0.5);
  const normalised = (e: Float32Array) => e.map((v) => v / Math.hypot(...e));
  return {
    embedder: {
      spec: { name: 'noise', dimensions: 8, threshold: 0.5 },
      embedFaces: async (_image: tf.Tensor3D, landmarks: ReadonlyArray<readonly Point[]>) => landmarks.map(() => normalised(noise())),
    },
    embedMainFaceOrCentre: async (image: RawImage) => ({ embedding: normalised(noise()), landmarks: image.data[1] === 1 ? MISREAD : FACE, found: true }),
  } as unknown as FacePipeline;
}

const train = [0, 1, 2, 3].flatMap((p) => [0, 1].map((k) => ({ label: `p${p}`, image: photo(p, k) })));
/** Test photos, flagged (pixel 1 = 1) for the backbone to misread; `dark`: at a tenth of the light, dim enough to count as half in shadow. */
const test = (dark: boolean) => [0, 1, 2, 3].flatMap((p) => [2, 3].map((k) => {
  const image = photo(p, k);
  const data = image.data as Uint8Array;
  if (dark) data.forEach((v, i) => { data[i] = Math.round(v / 10); });
  data[1] = 1;
  return { label: `p${p}`, image };
}));
/** The texture alone decides: the embeddings are noise. */
const TEXTURE = { ...DEFAULT_TEXTURE_MATCHING, weight: 10, shadowWeight: 10 };

describe('few-shot head textures on crops of one geometry', () => {
  it('matches a face in shadow where the crops have their faces, a face in full view where the detector put it, and saves the crops\' textures with the head', async () => {
    const pipeline = backbone();
    const r = new FaceRecognizer({ backbone: pipeline, texture: TEXTURE, retryIllumination: null });
    await r.fit(train);
    expect((await r.evaluate(test(true))).accuracy).toBe(1);
    // In full view the detector's landmarks count (on real faces they follow the pose): here they are half a row off.
    expect((await r.evaluate(test(false))).accuracy).toBeLessThanOrEqual(0.5);
    const sink = memorySink();
    await r.save(sink.handler);
    const saved = sink.artifacts();
    const meta = saved.userDefinedMetadata![METADATA_KEY] as Record<string, unknown>;
    expect(meta.cropTexture).toMatchObject({ method: 'tan-triggs-ltp', pixelRadius: 3, people: [0, 0, 1, 1, 2, 2, 3, 3] });
    // Pixel codes only where the faces line up pixel for pixel: the crops, not the detector's landmarks.
    expect(meta.texture).not.toHaveProperty('pixelRadius');
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(saved), { backbone: pipeline });
    expect((await loaded.evaluate(test(true))).accuracy).toBe(1);
    // Without it (a head saved before it), a face in shadow is read at the misread landmarks too.
    const { cropTexture: _, ...before } = meta;
    const old = await FaceRecognizer.load(tf.io.fromMemory({ ...saved, userDefinedMetadata: { [METADATA_KEY]: before } }), { backbone: pipeline });
    expect((await old.evaluate(test(true))).accuracy).toBeLessThanOrEqual(0.5);
    const load = (m: Record<string, unknown>) => FaceRecognizer.load(tf.io.fromMemory({ ...saved, userDefinedMetadata: { [METADATA_KEY]: m } }), { backbone: pipeline }).catch((e: unknown) => e);
    const { cropLandmarks: __, ...noCrop } = meta;
    expect(await load(noCrop)).toBeInstanceOf(ModelFormatError);
    expect(await load({ ...meta, cropTexture: { ...(meta.cropTexture as object), threshold: 0.3 } })).toBeInstanceOf(ModelFormatError);
    expect(await load({ ...meta, cropTexture: { ...(meta.cropTexture as object), textures: 'AAAA' } })).toBeInstanceOf(ModelFormatError);
    r.dispose();
    loaded.dispose();
    old.dispose();
  });
});
