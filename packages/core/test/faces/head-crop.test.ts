// Tests for the few-shot head's crop geometry: photos in which no face is found are read where the training crops had their faces, saved with the head; photos of varied framing learn none.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors/index.js';
import type { FacePipeline, Point } from '../../src/faces/index.js';
import { centredLandmarks } from '../../src/faces/landmarks.js';
import type { RawImage } from '../../src/image/types.js';
import { FaceRecognizer, METADATA_KEY } from '../../src/recognizer/index.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';
import { memorySink } from '../helpers/memory-sink.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const SIDE = 40;
const PEOPLE = 4;
/** Where the crops' faces are (fractions): the eyes well above and beside the centre, unlike a centred portrait's. */
const FACE: readonly (readonly [number, number])[] = [[0.25, 0.25], [0.75, 0.25], [0.5, 0.5], [0.3, 0.75], [0.7, 0.75]];
const at = (fractions: readonly (readonly [number, number])[], shift = 0): Point[] => fractions.map(([x, y]) => ({ x: x * SIDE + shift, y: y * SIDE }));

/**
 * Person p's crop: a marker at the left eye says who it is; `dark` photos are ones the detector misses, `misread`
 * ones it finds in the wrong place (as it can lock onto the lit half of a face).
 */
function crop(p: number, dark: boolean, misread = false): RawImage {
  const data = new Uint8Array(SIDE * SIDE).fill(misread ? 6 : dark ? 5 : 120);
  const eye = at(FACE)[0]!;
  for (let y = -1; y <= 1; y++) for (let x = -1; x <= 1; x++) data[(Math.round(eye.y) + y) * SIDE + Math.round(eye.x) + x] = 200 + 10 * p;
  return { data, width: SIDE, height: SIDE, channels: 1 };
}
/** The one-hot of the person whose marker sits at `eye`, or of nobody (the last slot). */
function oneHot(value: number): Float32Array {
  const e = new Float32Array(PEOPLE + 1);
  const p = Math.round((value - 200) / 10);
  e[p >= 0 && p < PEOPLE ? p : PEOPLE] = 1;
  return e;
}
const pixel = (image: RawImage, q: Point) => image.data[Math.round(q.y) * image.width + Math.round(q.x)]!;

/** A backbone whose detector finds the bright crops only (each at `shift(i)` pixels); its embedder reads the marker at the left eye. */
function backbone(shift: (n: number) => number = () => 0): FacePipeline {
  let n = 0;
  return {
    embedder: {
      spec: { name: 'marker', dimensions: PEOPLE + 1, threshold: 0.5 },
      embedFaces: async (image: tf.Tensor3D, landmarks: ReadonlyArray<readonly Point[]>) => {
        const values = await image.data();
        return landmarks.map((lm) => oneHot(values[Math.round(lm[0]!.y) * SIDE + Math.round(lm[0]!.x)]!));
      },
    },
    embedMainFaceOrCentre: async (image: RawImage) => {
      const bright = image.data[0]! > 50;
      const misread = image.data[0] === 6;
      const landmarks = bright ? at(FACE, shift(n++)) : misread ? at(FACE, 12) : centredLandmarks(SIDE, SIDE);
      return { embedding: oneHot(pixel(image, landmarks[0]!)), landmarks, found: bright || misread };
    },
  } as unknown as FacePipeline;
}

const train = [...Array(PEOPLE).keys()].flatMap((p) => [{ label: `p${p}`, image: crop(p, false) }, { label: `p${p}`, image: crop(p, true) }]);
const dark = [...Array(PEOPLE).keys()].flatMap((p) => [{ label: `p${p}`, image: crop(p, true) }, { label: `p${p}`, image: crop(p, true, true) }]);

describe('few-shot head on crops the detector misses', () => {
  it('reads them (and faces found far from the crops\' geometry) where the training crops had their faces, and saves that geometry with the head', async () => {
    const pipeline = backbone();
    const r = new FaceRecognizer({ backbone: pipeline, texture: null });
    await r.fit(train);
    expect((await r.evaluate(dark)).accuracy).toBe(1);
    const sink = memorySink();
    await r.save(sink.handler);
    const saved = sink.artifacts();
    const meta = saved.userDefinedMetadata![METADATA_KEY] as { cropLandmarks: number[][] };
    meta.cropLandmarks.forEach((p, k) => p.forEach((v, a) => expect(v).toBeCloseTo(FACE[k]![a]!, 6)));
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(saved), { backbone: pipeline });
    expect((await loaded.evaluate(dark)).accuracy).toBe(1);
    const broken = await FaceRecognizer.load(tf.io.fromMemory({ ...saved, userDefinedMetadata: { [METADATA_KEY]: { ...meta, cropLandmarks: [[0.5, 0.5]] } } }), { backbone: pipeline }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(ModelFormatError);
    r.dispose();
    loaded.dispose();
  });

  it('learns no geometry from photos whose faces sit in different places: the centre stays the fallback', async () => {
    const r = new FaceRecognizer({ backbone: backbone((n) => (n % 2 === 0 ? -8 : 8)), texture: null });
    await r.fit(train);
    const sink = memorySink();
    await r.save(sink.handler);
    expect((sink.artifacts().userDefinedMetadata![METADATA_KEY] as Record<string, unknown>).cropLandmarks).toBeUndefined();
    // The centre of a 40-pixel crop holds no marker: every dark photo is read as nobody, one person's name for all.
    expect((await r.evaluate(dark)).accuracy).toBe(1 / PEOPLE);
    r.dispose();
  });
});
