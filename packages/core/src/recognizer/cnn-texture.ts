// The texture match a trained CNN fuses with its probabilities: the few-shot head's Tan–Triggs + LTP match, read from the photo's own frame (a CNN has no landmarks).
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor } from '../image/convert.js';
import type { FaceImage } from '../image/types.js';
import { toChannels } from '../preprocess/color.js';
import type { PreprocessingConfig } from '../preprocess/config.js';
import { centerCrop } from '../preprocess/crop.js';
import { resize } from '../preprocess/resize.js';
import { DEFAULT_TEXTURE_MATCHING, framedTextures, fuseTextureScores, type TextureGallery, type TextureMatching } from './face-texture.js';

/**
 * The default texture match of a trained CNN: the few-shot head's ({@link DEFAULT_TEXTURE_MATCHING}: 64×64 faces,
 * 8×8 cells, LTP, cells in shadow left out, a face in shadow matched pixel by pixel at 96 × 96) at weight 1 for a
 * face in full view, rising to 3 for one in shadow. A CNN's log-probabilities spread far more than a head's cosines,
 * and it learnt the light of its training photos only, so the texture weighs more. Chosen on ORL and Yale
 * development splits disjoint from the benchmarks' test photos: the best mean accuracy there, with the weight of
 * evenly lit faces kept at 1 (BENCHMARKS.md, lighting). A CNN reads its photos whole, not aligned, so it keeps the
 * pixel codes only where its training photos line up pixel for pixel: where their faces, relit by a harsh lamp, are
 * named by the codes at least as often as by the histograms.
 */
export const DEFAULT_CNN_TEXTURE_MATCHING: TextureMatching = Object.freeze({ ...DEFAULT_TEXTURE_MATCHING, weight: 1, shadowWeight: 3 });

/**
 * One photo framed for its texture, grey, at the match's size (`[size, size, 1]`, 0..255): the CNN's own crop (if
 * its recipe has one), then, when the photo is wider than tall, its centred square (a face is taller than wide, so
 * the sides of a landscape photo are background), resized.
 */
function framed(image: FaceImage, preprocessing: PreprocessingConfig, size: number, source: string): tf.Tensor3D {
  return tf.tidy(() => {
    let t = imageToTensor(image, source);
    if (preprocessing.crop) t = centerCrop(t, { fraction: preprocessing.crop.fraction });
    const [height, width] = t.shape;
    if (width > height) t = centerCrop(t, { size: [height, height] });
    return resize(toChannels(t, 1), [size, size], { antialias: true });
  });
}

/** `images` framed for their textures as a CNN with `preprocessing` reads them ({@link framed}): `[n, size, size, 1]`. */
export function framedFaces(images: readonly FaceImage[], preprocessing: PreprocessingConfig, size: number): tf.Tensor4D {
  return tf.tidy(() => tf.stack(images.map((image, i) => framed(image, preprocessing, size, `images[${i}]`))) as tf.Tensor4D);
}

/**
 * The textures of `images` as a CNN with `preprocessing` reads them (see {@link framed}): Tan–Triggs + patterns
 * ({@link greyTextures}). With `mirror`, the textures of their mirror images follow (2n in all), framed and read back
 * in the same pass.
 */
export async function imageTextures(images: readonly FaceImage[], preprocessing: PreprocessingConfig, matching: TextureMatching, mirror = false): Promise<Float32Array[]> {
  return framedTextures((size) => tf.tidy(() => {
    const faces = framedFaces(images, preprocessing, size);
    // NHWC: axis 2 is the width.
    return mirror ? tf.concat([faces, tf.reverse(faces, 2)]) : faces;
  }), matching);
}

/**
 * Smallest probability read as a log-probability: float32 softmax rounds far-off classes to 0, whose log would
 * swamp the spread the texture is scaled by.
 */
const MIN_PROBABILITY = 1e-12;

/**
 * A CNN's class probabilities moved by texture evidence: on the log scale, as {@link fuseTextureScores} moves a
 * head's cosines (`log p_k + weight · σ(log p) · z_k`), then renormalised (softmax), so the result is again a
 * probability per person and the threshold keeps its meaning.
 */
export function fuseTextureProbabilities(probabilities: Float32Array, distances: Float32Array, weight: number): Float32Array {
  const logs = Float32Array.from(probabilities, (p) => Math.log(Math.max(p, MIN_PROBABILITY)));
  const fused = fuseTextureScores(logs, distances, weight);
  const top = Math.max(...fused);
  const exp = Float32Array.from(fused, (s) => Math.exp(s - top));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

/**
 * Rows of a CNN's probabilities (one per image of `images`, row-major) fused with each image's texture evidence
 * against `gallery`; with `mirror`, each person's distance is the nearer of the image's and its mirror image's (the
 * CNN's flip averaging, for the texture).
 */
export async function fuseImageTextures(
  probabilities: Float32Array,
  images: readonly FaceImage[],
  preprocessing: PreprocessingConfig,
  gallery: TextureGallery,
  mirror: boolean,
): Promise<Float32Array> {
  const k = probabilities.length / images.length;
  const textures = await imageTextures(images, preprocessing, gallery.matching, mirror);
  const out = new Float32Array(probabilities.length);
  images.forEach((_, i) => {
    const distances = gallery.distances(textures[i]!);
    if (mirror) gallery.distances(textures[images.length + i]!).forEach((d, p) => { distances[p] = Math.min(distances[p]!, d); });
    out.set(fuseTextureProbabilities(probabilities.subarray(i * k, (i + 1) * k), distances, gallery.weightOf(textures[i]!)), i * k);
  });
  return out;
}
