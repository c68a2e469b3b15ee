// Whether pixel codes suit a set of training photos: their faces, relit by a harsh lamp, named by their pixels' codes at least as well as by cell histograms.
import * as tf from '@tensorflow/tfjs-core';
import type { FaceImage } from '../image/types.js';
import { applyLighting, type LightingDraw } from '../preprocess/augment-lighting.js';
import { codeDistance } from '../preprocess/lbp.js';
import { codeBytes, framedTextures, pixelSide, textureDistance, type TextureMatching } from './face-texture.js';

/** At most this many training photos take part, whole people at a time, so the check costs the same on any dataset. */
const CHECK_PHOTOS = 160;
/** At most this many of them are relit and named. */
const CHECK_PROBES = 32;
/** Fewer relit photos than this (people with one photo do not count) tell nothing: the codes are not kept. */
const MIN_PROBES = 8;
/** The lamp: 70° off the camera axis, so a good part of the face falls in attached shadow, with 3% ambient light. */
const LAMP_POLAR = (70 * Math.PI) / 180;
const LAMP_AMBIENT = 0.03;
/** Camera noise of the relit photos, grey levels (rounded to 8 bits, as a camera stores them). */
const LAMP_NOISE = 1.5;
/** The golden angle: successive relit photos are lit from directions spread all round the face. */
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/** Frames photos as the texture match reads them: `[n, size, size, 1]` grey faces, 0..255. */
export type FaceFramer = (images: readonly FaceImage[], size: number) => tf.Tensor4D;

/** What {@link pixelCodesHold} found: whether the codes hold, and the textures (with codes) it read on the way. */
export interface PixelCodeCheck {
  readonly holds: boolean;
  /** Index in the photos given → that photo's texture as lit, with pixel codes; the caller need not read them again. */
  readonly textures: ReadonlyMap<number, Float32Array>;
}

const NOT_HELD: PixelCodeCheck = { holds: false, textures: new Map() };

/**
 * Whether `matching`'s pixel codes ({@link TextureMatching.pixelRadius}) hold on these training photos (`people[i]`
 * the person of `images[i]`): pixel codes only pay where a person's photos line up pixel for pixel (a light stage's
 * crops, faces cut alike), and lose to the cell histograms where faces move within the frame. Up to 32 photos, among
 * up to 160 of people with at least two, are relit by a lamp 70° off the camera axis and named leave-one-out among
 * the others, once by pixel codes, once by histograms; the codes hold when they name more, or as many with a margin
 * between people at least as wide (the mean log-ratio of the nearest own and other person's distances). They do
 * not hold for a match without pixel codes, nor when fewer than 8 photos can be named. The textures of the photos
 * that took part come back with the answer, so a fit that keeps the codes need not read them again.
 */
export async function pixelCodesHold(images: readonly FaceImage[], people: readonly number[], matching: TextureMatching, frame: FaceFramer): Promise<PixelCodeCheck> {
  const side = pixelSide(matching);
  if (side === undefined) return NOT_HELD;
  const chosen = checkPhotos(people);
  const probes = evenly(chosen.length, CHECK_PROBES);
  if (probes.length < MIN_PROBES) return NOT_HELD;
  const photos = chosen.map((i) => images[i]!);
  const textures = await texturesOf(photos, matching, frame);
  const relit = await texturesOf(probes.map((k) => photos[k]!), matching, frame, lamps(probes.length));
  const codes = textures.map((t) => codeBytes(t, matching)!);
  const personOf = (k: number): number => people[chosen[k]!]!;
  const radius = matching.pixelRadius!;
  const histogram = { named: 0, margin: 0 };
  const code = { named: 0, margin: 0 };
  probes.forEach((k, p) => {
    const own = personOf(k);
    const probeCodes = codeBytes(relit[p]!, matching)!;
    // Nearest distances [own person, anyone else], by histograms and by codes.
    const byHistogram: [number, number] = [Infinity, Infinity];
    const byCode: [number, number] = [Infinity, Infinity];
    textures.forEach((t, j) => {
      if (j === k) return;
      const whose = personOf(j) === own ? 0 : 1;
      byHistogram[whose] = Math.min(byHistogram[whose], textureDistance(relit[p]!, t, matching));
      // The search may stop once it is sure to be farther than the nearest so far.
      byCode[whose] = Math.min(byCode[whose], codeDistance(probeCodes, codes[j]!, side, side, radius, byCode[whose]));
    });
    tally(histogram, byHistogram);
    tally(code, byCode);
  });
  // More named wins; as many (both name all, on an easy set), the wider margin between people.
  const holds = code.named > histogram.named || (code.named === histogram.named && code.margin <= histogram.margin);
  return { holds, textures: new Map(chosen.map((i, k) => [i, textures[k]!])) };
}

/**
 * Adds one relit photo's result: named when its own person's nearest photo is nearer than anyone else's, and the
 * margin `log(own / other)` of the two distances (0 when either is not a finite positive distance).
 */
function tally(score: { named: number; margin: number }, [own, other]: [number, number]): void {
  if (own < other) score.named++;
  if (own > 0 && other > 0 && Number.isFinite(own) && Number.isFinite(other)) score.margin += Math.log(own / other);
}

/**
 * Indices of the photos that take part: people with at least two photos, spread over the people, whole, until
 * {@link CHECK_PHOTOS} (at least one person).
 */
function checkPhotos(people: readonly number[]): number[] {
  const photosOf = new Map<number, number[]>();
  people.forEach((p, i) => photosOf.set(p, [...(photosOf.get(p) ?? []), i]));
  const eligible = [...photosOf.values()].filter((photos) => photos.length >= 2);
  const total = eligible.reduce((s, photos) => s + photos.length, 0);
  const stride = Math.max(1, Math.ceil(total / CHECK_PHOTOS));
  const chosen: number[] = [];
  for (let i = 0; i < eligible.length; i += stride) {
    if (chosen.length > 0 && chosen.length + eligible[i]!.length > CHECK_PHOTOS) continue;
    chosen.push(...eligible[i]!);
  }
  return chosen;
}

/** Up to `count` of `0..n − 1`, evenly spaced. */
function evenly(n: number, count: number): number[] {
  const step = Math.max(1, n / count);
  const out: number[] = [];
  for (let x = 0; Math.floor(x) < n && out.length < count; x += step) out.push(Math.floor(x));
  return out;
}

/** One lamp per relit photo: {@link LAMP_POLAR} off the camera axis, from directions spread by the golden angle. */
function lamps(n: number): LightingDraw[] {
  return Array.from({ length: n }, (_, i) => ({
    gamma: 1, shading: 0, shadingAngle: 0, shadow: 0, shadowAngle: 0, shadowOffset: 0,
    point: { polar: LAMP_POLAR, azimuth: (i * GOLDEN_ANGLE) % (2 * Math.PI), ambient: LAMP_AMBIENT },
    noise: LAMP_NOISE, noiseSeed: i + 1,
  }));
}

/** Textures of `photos` framed as the match reads them, lit by `draws` when given. */
function texturesOf(photos: readonly FaceImage[], matching: TextureMatching, frame: FaceFramer, draws?: readonly LightingDraw[]): Promise<Float32Array[]> {
  return framedTextures((size) => tf.tidy(() => {
    const faces = frame(photos, size);
    return draws ? applyLighting(faces, draws) : faces;
  }), matching);
}
