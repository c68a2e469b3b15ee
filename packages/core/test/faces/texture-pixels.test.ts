// Tests for matching a face in shadow pixel by pixel (pixelRadius, pixelSize): a face lit from behind, only a narrow rim in view, is named by its pixels' codes where cell histograms fail, more often with finer pixels; faces in view keep the histograms.
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
/** The default match without the light subspaces (tested in light-subspaces.test.ts and below): pixel codes alone. */
const { subspaceSize: _subspace, ...CODES_ONLY } = DEFAULT_TEXTURE_MATCHING;
/** The default match with its pixel codes read at the histograms' 64 pixels. */
const AT_64: TextureMatching = { ...CODES_ONLY, pixelSize: SIDE };

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
    const byPixel = await accuracy(AT_64);
    const byCell = await accuracy(withoutPixelCodes(AT_64));
    // Measured: 0.75 by pixels (codes next to the dark edge change under Tan–Triggs' filters), 0.125 by cells.
    expect(byPixel.rim).toBeGreaterThan(0.6);
    expect(byCell.rim).toBeLessThan(0.3);
    expect(byPixel.inView).toBe(1);
    expect(byCell.inView).toBe(1);
    // A face in view is matched by its histograms either way: the same distances.
    const [face] = await texturesOf([inView[0]!], AT_64);
    const [same] = await texturesOf([inView[0]!], withoutPixelCodes(AT_64));
    expect(Array.from(byPixel.gallery.distances(face!))).toEqual(Array.from(byCell.gallery.distances(same!)));
    // Each texture carries its 2 · 64² pixel codes after the histograms and visibility.
    expect(textureLength(AT_64) - textureLength(withoutPixelCodes(AT_64))).toBe(2 * SIDE * SIDE);
  });

  it('reads the pixel codes at pixelSize: a rim 4 of 96 pixels wide names more faces there than at 64 pixels, where it is under 3', async () => {
    const FINE = 96;
    /** Person p's face at 96 pixels: fine noise of their own (the same in every photo), grey levels 60..200. */
    const fineFace = (p: number): Float32Array => {
      const rnd = seeded(500 + p);
      return Float32Array.from({ length: FINE * FINE }, () => 60 + 140 * rnd());
    };
    /** Photo k of person p at 96 pixels: lit only in columns 68–71 (1% of the light elsewhere), fresh noise. */
    const finePhoto = (p: number, k: number, rim: boolean): Float32Array => {
      const rnd = seeded(7000 * (p + 1) + k);
      return Float32Array.from(fineFace(p), (v, i) => {
        const light = !rim || (i % FINE >= 68 && i % FINE < 72) ? 1 : 0.01;
        return Math.max(0, Math.min(255, Math.round(v * light + 3 * (rnd() - 0.5))));
      });
    };
    const textures = async (photos: readonly Float32Array[], matching: TextureMatching): Promise<Float32Array[]> => {
      const fine = tf.tensor4d(Float32Array.from(photos.flatMap((f) => Array.from(f))), [photos.length, FINE, FINE, 1]);
      // The histograms' 64-pixel faces, as an aligning warp samples them.
      const coarse = tf.image.resizeBilinear(fine, [SIDE, SIDE]);
      try {
        return await greyTextures(coarse, matching, undefined, matching.pixelSize === FINE ? { grey: fine } : undefined);
      } finally {
        fine.dispose();
        coarse.dispose();
      }
    };
    const people = [0, 1].flatMap(() => Array.from({ length: PEOPLE }, (_, p) => p));
    const training = [0, 1].flatMap((k) => Array.from({ length: PEOPLE }, (_, p) => finePhoto(p, k, false)));
    const rims = [2, 3].flatMap((k) => Array.from({ length: PEOPLE }, (_, p) => finePhoto(p, k, true)));
    const accuracy = async (matching: TextureMatching): Promise<number> =>
      named(TextureGallery.fromTextures(matching, await textures(training, matching), people, PEOPLE), await textures(rims, matching));
    const fine = await accuracy({ ...CODES_ONLY, pixelSize: FINE });
    const coarse = await accuracy(AT_64);
    expect(fine).toBeGreaterThan(0.6);
    expect(coarse).toBeLessThan(fine - 0.2);
    // Each texture carries its 2 · 96² pixel codes; a texture without the 96-pixel faces is refused, naming them.
    expect(textureLength({ ...CODES_ONLY, pixelSize: FINE }) - textureLength(withoutPixelCodes(DEFAULT_TEXTURE_MATCHING))).toBe(2 * FINE * FINE);
    expect(textureLength(DEFAULT_TEXTURE_MATCHING) - textureLength(CODES_ONLY)).toBe(48 * 48);
    const grey = tf.zeros([1, SIDE, SIDE, 1]) as tf.Tensor4D;
    await expect(greyTextures(grey, { ...CODES_ONLY, pixelSize: FINE })).rejects.toThrow(/fine/);
    grey.dispose();
  });

  it('is checked: an integer radius in [1, 8], LTP only', () => {
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, pixelRadius: 0 }, 'texture')).toThrow(/texture\.pixelRadius/);
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, pixelRadius: 2.5 }, 'texture')).toThrow(/texture\.pixelRadius/);
    expect(() => validateTextureMatching({ method: 'tan-triggs-lbp', size: 64, grid: [8, 8], weight: 1, pixelRadius: 3 }, 'texture')).toThrow(InvalidArgumentError);
    expect(validateTextureMatching(DEFAULT_TEXTURE_MATCHING, 'texture').pixelRadius).toBe(3);
    expect(validateTextureMatching(DEFAULT_TEXTURE_MATCHING, 'texture').pixelSize).toBe(96);
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, pixelSize: 95.5 }, 'texture')).toThrow(/texture\.pixelSize/);
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, pixelSize: 8 }, 'texture')).toThrow(/texture\.pixelSize/);
    expect(() => validateTextureMatching({ ...withoutPixelCodes(DEFAULT_TEXTURE_MATCHING), pixelSize: 96 }, 'texture')).toThrow(/texture\.pixelSize/);
    expect(validateTextureMatching(DEFAULT_TEXTURE_MATCHING, 'texture').subspaceSize).toBe(48);
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, subspaceSize: 47.5 }, 'texture')).toThrow(/texture\.subspaceSize/);
    expect(() => validateTextureMatching({ ...DEFAULT_TEXTURE_MATCHING, subspaceSize: 8 }, 'texture')).toThrow(/texture\.subspaceSize/);
    expect(() => validateTextureMatching({ ...withoutPixelCodes(DEFAULT_TEXTURE_MATCHING), subspaceSize: 48 }, 'texture')).toThrow(/texture\.subspaceSize/);
    expect(withoutPixelCodes(DEFAULT_TEXTURE_MATCHING).subspaceSize).toBeUndefined();
  });
});
