// Tests for each person's light subspace: faces of one pose photographed under frontal lamps name the same faces under a lamp far to the side, decisively; photos that do not line up decide nothing.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECISIVE_RATIO, LINED_UP_RATIO, LightSubspaces } from '../../src/recognizer/light-subspaces.js';
import { DEFAULT_TEXTURE_MATCHING, TextureGallery, greyTextures, type TextureMatching } from '../../src/recognizer/face-texture.js';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const SIDE = 32;
const PEOPLE = 6;
const DARK = 11.5;

function seeded(k: number): () => number {
  let s = (k * 2654435761 + 1) >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 3266489917) >>> 0) / 4294967296);
}

/** A smooth random field on the frame: bilinear on a coarse grid of `cells`² values in [0, 1). */
function smoothField(rnd: () => number, cells: number): Float64Array {
  const grid = Array.from({ length: (cells + 1) ** 2 }, () => rnd());
  return Float64Array.from({ length: SIDE * SIDE }, (_, i) => {
    const x = ((i % SIDE) / SIDE) * cells;
    const y = (Math.floor(i / SIDE) / SIDE) * cells;
    const [x0, y0] = [Math.floor(x), Math.floor(y)];
    const [fx, fy] = [x - x0, y - y0];
    const at = (a: number, b: number): number => grid[Math.min(cells, b) * (cells + 1) + Math.min(cells, a)]!;
    return (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1);
  });
}

/** What every face shares: faces are more alike than random fields, which is what makes telling them apart hard. */
const COMMON = smoothField(seeded(99), 12);

/** Person p's face: an albedo, and a surface normal per pixel (a rounded head with bumps of their own). */
const faces = Array.from({ length: PEOPLE }, (_, p) => {
  const rnd = seeded(p + 1);
  const albedo = Float64Array.from(smoothField(rnd, 12), (v, i) => 0.35 + 0.65 * (0.6 * COMMON[i]! + 0.4 * v));
  const bumps = smoothField(rnd, 4);
  const height = Float64Array.from({ length: SIDE * SIDE }, (_, i) => {
    const x = ((i % SIDE) + 0.5) / SIDE - 0.5;
    const y = (Math.floor(i / SIDE) + 0.5) / SIDE - 0.5;
    return SIDE * (0.6 * Math.sqrt(Math.max(0, 0.5 - x * x - y * y)) + 0.08 * bumps[i]!);
  });
  const normals = Array.from({ length: SIDE * SIDE }, (_, i) => {
    const x = i % SIDE;
    const y = Math.floor(i / SIDE);
    const h = (a: number, b: number): number => height[Math.min(SIDE - 1, Math.max(0, b)) * SIDE + Math.min(SIDE - 1, Math.max(0, a))]!;
    const [gx, gy] = [(h(x + 1, y) - h(x - 1, y)) / 2, (h(x, y + 1) - h(x, y - 1)) / 2];
    const n = Math.hypot(gx, gy, 1);
    return [-gx / n, -gy / n, 1 / n] as const;
  });
  return { albedo, normals };
});

/** A lamp `polar` degrees off the camera axis, from `azimuth` degrees round it. */
function lamp(polar: number, azimuth: number): readonly [number, number, number] {
  const [t, a] = [(polar * Math.PI) / 180, (azimuth * Math.PI) / 180];
  return [Math.sin(t) * Math.cos(a), Math.sin(t) * Math.sin(a), Math.cos(t)];
}

/** Person p lit by `light` (Lambert's law, 1% ambient), with camera noise, rounded to 8 bits; shifted `dx`, `dy` pixels. */
function photo(p: number, light: readonly number[], k: number, dx = 0, dy = 0): Float32Array {
  const rnd = seeded(1000 * (p + 1) + k);
  const { albedo, normals } = faces[p]!;
  return Float32Array.from({ length: SIDE * SIDE }, (_, i) => {
    const x = Math.min(SIDE - 1, Math.max(0, (i % SIDE) - dx));
    const y = Math.min(SIDE - 1, Math.max(0, Math.floor(i / SIDE) - dy));
    const j = y * SIDE + x;
    const n = normals[j]!;
    const shade = Math.max(0, n[0] * light[0]! + n[1] * light[1]! + n[2] * light[2]!);
    return Math.max(0, Math.min(255, Math.round(230 * albedo[j]! * (shade + 0.01) + 2 * (rnd() - 0.5))));
  });
}

/** Training lamps: near the camera axis, as a light stage's most frontal ones. */
const FRONTAL = [[0, 0], [8, 0], [8, 90], [8, 180], [8, 270], [14, 45], [14, 225]] as const;
/** Test lamps: far to each side and above, much of the face in attached shadow. */
const FAR = [[70, 0], [75, 180], [80, 20], [80, 160], [70, 90], [85, 200]] as const;
/** Lamps beside and behind the face: only a rim of it lit. */
const REAR = [[95, 0], [100, 180], [105, 30], [100, 200], [95, 90], [105, 270]] as const;

function subspacesOf(shift: (p: number, k: number) => number): LightSubspaces {
  const frames: Float32Array[] = [];
  const people: number[] = [];
  for (let p = 0; p < PEOPLE; p++) {
    FRONTAL.forEach(([polar, azimuth], k) => {
      frames.push(photo(p, lamp(polar, azimuth), k, shift(p, k), shift(p, k + 5)));
      people.push(p);
    });
  }
  return LightSubspaces.fromFrames(frames, people, PEOPLE, SIDE, DARK);
}

describe('LightSubspaces', () => {
  it('names faces lit from far off axis, decisively, from photos of the same pose under frontal lamps', () => {
    const subspaces = subspacesOf(() => 0);
    let decided = 0;
    let right = 0;
    for (let p = 0; p < PEOPLE; p++) {
      FAR.forEach(([polar, azimuth], k) => {
        const residuals = subspaces.residuals(photo(p, lamp(polar, azimuth), 100 + k))!;
        const own = residuals[p]!;
        // The face's own subspace explains it far better than anyone else's.
        expect(own).toBeLessThan(0.02);
        const person = LightSubspaces.decisive(residuals);
        if (person !== undefined) decided++;
        if (person === p) right++;
      });
    }
    const probes = PEOPLE * FAR.length;
    expect(right).toBe(decided);
    expect(decided).toBeGreaterThanOrEqual(0.8 * probes);
  });

  it('decides nothing where the photos do not line up pixel for pixel', () => {
    // Each training photo moved by up to 4 pixels, as faces move within photos that were not cut alike.
    const subspaces = subspacesOf((p, k) => ((p * 7 + k * 3) % 9) - 4);
    let decided = 0;
    for (let p = 0; p < PEOPLE; p++) {
      FAR.forEach(([polar, azimuth], k) => {
        if (LightSubspaces.decisive(subspaces.residuals(photo(p, lamp(polar, azimuth), 100 + k, 3))!) !== undefined) decided++;
      });
    }
    expect(decided).toBeLessThanOrEqual(0.25 * PEOPLE * FAR.length);
  });

  it('tells whether the training photos line up, and then answers for every face in shadow', () => {
    const aligned = subspacesOf(() => 0);
    const shifted = subspacesOf((p, k) => ((p * 7 + k * 3) % 9) - 4);
    expect(aligned.linedUp).toBe(true);
    expect(shifted.linedUp).toBe(false);
    let undecided = 0;
    let namedByResiduals = 0;
    let shiftedAnswers = 0;
    for (let p = 0; p < PEOPLE; p++) {
      [...FAR, ...REAR].forEach(([polar, azimuth], k) => {
        // A grainy camera: no person's residual is then far below the rest, though the face's own is still the lowest.
        const grain = seeded(300 + 10 * p + k);
        const face = photo(p, lamp(polar, azimuth), 200 + k).map((v) => (v > DARK ? Math.max(DARK + 1, Math.min(249, v + 60 * (grain() - 0.5))) : v));
        const residuals = aligned.residuals(face)!;
        if (LightSubspaces.decisive(residuals) === undefined) undecided++;
        if (residuals.indexOf(Math.min(...residuals)) === p) namedByResiduals++;
        // Lined up: the residuals answer whether or not one person's is decisive.
        expect(Array.from(aligned.explain(face)!)).toEqual(Array.from(residuals));
        const moved = photo(p, lamp(polar, azimuth), 200 + k, 3);
        const answer = shifted.explain(moved);
        // Not lined up: only a decisive residual answers.
        expect(answer === undefined).toBe(LightSubspaces.decisive(shifted.residuals(moved)!) === undefined);
        if (answer) shiftedAnswers++;
      });
    }
    // Many grainy faces are not decisive even where the photos line up: the reason to tell.
    expect(undecided).toBeGreaterThan(0);
    expect(namedByResiduals).toBeGreaterThan(0.9 * PEOPLE * (FAR.length + REAR.length));
    expect(shiftedAnswers).toBeLessThan(PEOPLE * (FAR.length + REAR.length));
  });

  it('cannot tell that photos line up from people with 3 photos: none is left out of a span of the others', () => {
    const frames: Float32Array[] = [];
    const people: number[] = [];
    for (let p = 0; p < PEOPLE; p++) {
      FRONTAL.slice(0, 3).forEach(([polar, azimuth], k) => {
        frames.push(photo(p, lamp(polar, azimuth), k));
        people.push(p);
      });
    }
    const subspaces = LightSubspaces.fromFrames(frames, people, PEOPLE, SIDE, DARK);
    expect(subspaces.linedUp).toBe(false);
    expect(LINED_UP_RATIO).toBeLessThan(DECISIVE_RATIO);
  });

  it('gives a person with fewer than 3 photos no subspace, and no answer for a face almost all in shadow', () => {
    const frames = [photo(0, lamp(0, 0), 1), photo(0, lamp(8, 0), 2), photo(1, lamp(0, 0), 3), photo(1, lamp(8, 0), 4), photo(1, lamp(8, 90), 5)];
    const subspaces = LightSubspaces.fromFrames(frames, [0, 0, 1, 1, 1], 2, SIDE, DARK);
    const residuals = subspaces.residuals(photo(1, lamp(60, 0), 6))!;
    expect(residuals[0]).toBe(Number.POSITIVE_INFINITY);
    expect(residuals[1]).toBeLessThan(0.05);
    // Only 20 pixels lit: any person's four dimensions would fit them.
    const sliver = Float32Array.from({ length: SIDE * SIDE }, (_, i) => (i < 20 ? 120 : 3));
    expect(subspaces.residuals(sliver)).toBeUndefined();
  });

  it('is decisive only when the best residual is at most the ratio of the next', () => {
    expect(LightSubspaces.decisive(Float32Array.from([0.05, 0.001, 0.004]))).toBe(1);
    expect(LightSubspaces.decisive(Float32Array.from([0.05, 0.001, 0.001 / DECISIVE_RATIO + 1e-6]))).toBe(1);
    expect(LightSubspaces.decisive(Float32Array.from([0.05, 0.001, 0.002]))).toBeUndefined();
    expect(LightSubspaces.decisive(Float32Array.from([Infinity, Infinity]))).toBeUndefined();
    expect(LightSubspaces.decisive(Float32Array.from([0.01, Infinity]))).toBe(0);
  });

  it('refuses frames of the wrong size, naming them', () => {
    expect(() => LightSubspaces.fromFrames([new Float32Array(10)], [0], 1, SIDE, DARK)).toThrow(InvalidArgumentError);
    expect(() => LightSubspaces.fromFrames([new Float32Array(10)], [0], 1, SIDE, DARK)).toThrow(/frames/);
    const subspaces = subspacesOf(() => 0);
    expect(() => subspaces.residuals(new Float32Array(5))).toThrow(/frame/);
  });
});

describe('a texture gallery with light subspaces (subspaceSize)', () => {
  /** The default match on 32-pixel faces: 4 × 4 cells, pixel codes and light subspaces at 32 pixels. */
  const MATCHING: TextureMatching = { ...DEFAULT_TEXTURE_MATCHING, size: SIDE, grid: [4, 4], pixelSize: SIDE, subspaceSize: SIDE };
  const { subspaceSize: _subspace, ...CODES_ONLY } = MATCHING;

  async function texturesOf(photos: readonly Float32Array[], matching: TextureMatching): Promise<Float32Array[]> {
    const grey = tf.tensor4d(Float32Array.from(photos.flatMap((f) => Array.from(f))), [photos.length, SIDE, SIDE, 1]);
    try {
      return await greyTextures(grey, matching, undefined, undefined, matching.subspaceSize === undefined ? undefined : grey);
    } finally {
      grey.dispose();
    }
  }

  async function galleryOf(matching: TextureMatching): Promise<TextureGallery> {
    const photos: Float32Array[] = [];
    const people: number[] = [];
    for (let p = 0; p < PEOPLE; p++) {
      FRONTAL.forEach(([polar, azimuth], k) => {
        photos.push(photo(p, lamp(polar, azimuth), k));
        people.push(p);
      });
    }
    return TextureGallery.fromTextures(matching, await texturesOf(photos, matching), people, PEOPLE);
  }

  /** Share of the faces under the lamps beside and behind them named by their nearest person in `gallery`. */
  async function named(gallery: TextureGallery, matching: TextureMatching): Promise<number> {
    let right = 0;
    for (let p = 0; p < PEOPLE; p++) {
      const probes = await texturesOf(REAR.map(([polar, azimuth], k) => photo(p, lamp(polar, azimuth), 100 + k)), matching);
      for (const texture of probes) {
        expect(gallery.shadowOf(texture)).toBeGreaterThan(0.3);
        const distances = gallery.distances(texture);
        if (distances.indexOf(Math.min(...distances)) === p) right++;
      }
    }
    return right / (PEOPLE * REAR.length);
  }

  it('names faces in shadow by the subspaces where the pixel codes alone miss some, and a saved gallery scores alike', async () => {
    const gallery = await galleryOf(MATCHING);
    const bySubspace = await named(gallery, MATCHING);
    const byCodes = await named(await galleryOf(CODES_ONLY), CODES_ONLY);
    expect(bySubspace).toBe(1);
    expect(byCodes).toBeLessThan(bySubspace);
    const loaded = TextureGallery.fromSaved(JSON.parse(JSON.stringify(gallery.toSaved())), PEOPLE, 'model.json');
    const [probe] = await texturesOf([photo(2, lamp(100, 20), 7)], MATCHING);
    // The decisive person's distance is a log residual: far below everyone else's.
    const distances = gallery.distances(probe!);
    expect(Array.from(loaded.distances(probe!))).toEqual(Array.from(distances));
    expect(distances[2]).toBeLessThan(Math.min(...Array.from(distances).filter((_, p) => p !== 2)) - Math.log(1 / DECISIVE_RATIO));
  });

  it('refuses a texture without the subspace frames it needs, naming them', async () => {
    const grey = tf.zeros([1, SIDE, SIDE, 1]) as tf.Tensor4D;
    try {
      await expect(greyTextures(grey, MATCHING)).rejects.toThrow(/subspace/);
    } finally {
      grey.dispose();
    }
  });
});
