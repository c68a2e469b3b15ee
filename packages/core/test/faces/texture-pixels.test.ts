// Tests for matching a face in shadow pixel by pixel (pixelRadius): a face lit from behind, only a narrow rim in view, is named by its pixels' codes where cell histograms fail; faces in view keep the histograms.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEXTURE_MATCHING } from '../../src/recognizer/index.js';
import { TextureGallery, greyTextures, textureLength, validateTextureMatching, withoutPixelCodes, type TextureMatching } from '../../src/recognizer/face-texture.js';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const SIDE = 64;
const PEOPLE = 8;

function seeded(k: number): () => number {
  let s = (k * 2654435761 + 1) >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 3266489917) >>> 0) / 4294967296);
}

/** Person p's face: their own blotchy texture (the same in every photo), grey levels 60..200. */
const faces = Array.from({ length: PEOPLE }, (_, p) => {
  const rnd = seeded(p + 1);
  const coarse = Array.from({ length: 17 * 17 }, () => rnd());
  return Float32Array.from({ length: SIDE * SIDE }, (_, i) => {
    const x = (i % SIDE) / 4;
    const y = Math.floor(i / SIDE) / 4;
    const [x0, y0] = [Math.floor(x), Math.floor(y)];
    const [fx, fy] = [x - x0, y - y0];
    const at = (a: number, b: number): number => coarse[Math.min(16, b) * 17 + Math.min(16, a)]!;
    const smooth = (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1);
    return 60 + 140 * (0.6 * smooth + 0.4 * rnd());
  });
});

/** Photo k of person p: their face with fresh camera noise, lit everywhere or (`rim`) only in columns 45–50, the rest at 1% of the light. */
function photo(p: number, k: number, rim = false): Float32Array {
  const rnd = seeded(1000 * (p + 1) + k);
  return Float32Array.from(faces[p]!, (v, i) => {
    const x = i % SIDE;
    const light = !rim || (x >= 45 && x < 51) ? 1 : 0.01;
    return Math.max(0, Math.min(255, Math.round(v * light + 3 * (rnd() - 0.5))));
  });
}

async function texturesOf(photos: readonly Float32Array[], matching: TextureMatching): Promise<Float32Array[]> {
  const grey = tf.tensor4d(Float32Array.from(photos.flatMap((f) => Array.from(f))), [photos.length, SIDE, SIDE, 1]);
  try {
    return await greyTextures(grey, matching);
  } finally {
    grey.dispose();
  }
}

/** Share of `probes` (person i % PEOPLE) whose nearest person in `gallery` is their own. */
function named(gallery: TextureGallery, probes: readonly Float32Array[]): number {
  return probes.filter((t, i) => {
    const d = gallery.distances(t);
    return d.indexOf(Math.min(...d)) === i % PEOPLE;
  }).length / probes.length;
}

describe('texture match pixel by pixel (pixelRadius)', () => {
  it('names faces lit only on a narrow rim by their pixels\' codes where cell histograms fail; faces in view as the histograms do', async () => {
    const people = [0, 1].flatMap(() => Array.from({ length: PEOPLE }, (_, p) => p));
    const training = [0, 1].flatMap((k) => Array.from({ length: PEOPLE }, (_, p) => photo(p, k)));
    const rims = [2, 3].flatMap((k) => Array.from({ length: PEOPLE }, (_, p) => photo(p, k, true)));
    const inView = Array.from({ length: PEOPLE }, (_, p) => photo(p, 4));
    const accuracy = async (matching: TextureMatching) => {
      const gallery = TextureGallery.fromTextures(matching, await texturesOf(training, matching), people, PEOPLE);
      return { rim: named(gallery, await texturesOf(rims, matching)), inView: named(gallery, await texturesOf(inView, matching)), gallery };
    };
    const byPixel = await accuracy(DEFAULT_TEXTURE_MATCHING);
    const byCell = await accuracy(withoutPixelCodes(DEFAULT_TEXTURE_MATCHING));
    // Measured: 0.75 by pixels (codes next to the dark edge change under Tan–Triggs' filters), 0.125 by cells.
    expect(byPixel.rim).toBeGreaterThan(0.6);
    expect(byCell.rim).toBeLessThan(0.3);
    expect(byPixel.inView).toBe(1);
    expect(byCell.inView).toBe(1);
    // A face in view is matched by its histograms either way: the same distances.
    const [face] = await texturesOf([inView[0]!], DEFAULT_TEXTURE_MATCHING);
    const [same] = await texturesOf([inView[0]!], withoutPixelCodes(DEFAULT_TEXTURE_MATCHING));
    expect(Array.from(byPixel.gallery.distances(face!))).toEqual(Array.from(byCell.gallery.distances(same!)));
    // Each texture carries its 2 · 64² pixel codes after the histograms and visibility.
    expect(textureLength(DEFAULT_TEXTURE_MATCHING) - textureLength(withoutPixelCodes(DEFAULT_TEXTURE_MATCHING))).toBe(2 * SIDE * SIDE);
  });

  it('is checked: an integer radius in [1, 8], LTP only', () => {
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, pixelRadius: 0 }, 'texture')).toThrow(/texture\.pixelRadius/);
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, pixelRadius: 2.5 }, 'texture')).toThrow(/texture\.pixelRadius/);
    expect(() => validateTextureMatching({ method: 'tan-triggs-lbp', size: 64, grid: [8, 8], weight: 1, pixelRadius: 3 }, 'texture')).toThrow(InvalidArgumentError);
    expect(validateTextureMatching(DEFAULT_TEXTURE_MATCHING, 'texture').pixelRadius).toBe(3);
  });
});
