// Real faces (ORL PGM files served by vite) and tiny random-weight recognizers for the browser tests.
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, createModel, decodePnm, METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION } from '@facerec/web';
import type { LabeledImage, RawImage } from '@facerec/web';

/** URL of the committed ORL folder (examples/data/orl), served by vite. */
export const ORL_URL = __FACEREC_ORL_URL__;

/** Decodes ORL image `s<person>/<index>.pgm` (gray, 92×112). */
export async function orlImage(person: number, index: number): Promise<RawImage> {
  const response = await fetch(`${ORL_URL}/s${person}/${index}.pgm`);
  if (!response.ok) throw new Error(`fetching ORL s${person}/${index}.pgm: HTTP ${response.status}`);
  return decodePnm(new Uint8Array(await response.arrayBuffer()), `s${person}/${index}.pgm`);
}

/** ORL images of `people` (1-based ids) × `indices`, labelled s<id>. */
export async function orlDataset(people: readonly number[], indices: readonly number[]): Promise<LabeledImage<RawImage>[]> {
  const out: LabeledImage<RawImage>[] = [];
  for (const p of people) for (const i of indices) out.push({ image: await orlImage(p, i), label: `s${p}`, source: `s${p}/${i}.pgm` });
  return out;
}

/** A gray image as RGBA ImageData (what a canvas holds). */
export function toImageData(image: RawImage): ImageData {
  const out = new ImageData(image.width, image.height);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) out.data[p * 4 + c] = image.data[p * image.channels + (image.channels === 1 ? 0 : c)]!;
    out.data[p * 4 + 3] = 255;
  }
  return out;
}

/** A canvas showing `image`. */
export function toCanvas(image: RawImage): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(toImageData(image), 0, 0);
  return canvas;
}

/**
 * An untrained recognizer with seeded random weights (the transformers.js habit: tiny random models keep CI
 * fast): real architecture, real preprocessing, no training time.
 */
export async function randomRecognizer(options: { size?: number; channels?: 1 | 3; classes?: number; seed?: number } = {}): Promise<FaceRecognizer> {
  const size = options.size ?? 32;
  const channels = options.channels ?? 1;
  const classes = options.classes ?? 4;
  const model = createModel('seed-cnn', { inputShape: [size, size, channels], numClasses: classes, seed: options.seed ?? 7 });
  model.setUserDefinedMetadata({
    [METADATA_KEY]: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      library: 'test',
      architecture: 'seed-cnn',
      labels: Array.from({ length: classes }, (_, i) => `person${i + 1}`),
      preprocessing: { inputSize: [size, size], channels, normalization: 'standardize' },
      threshold: 0.2,
      createdAt: new Date(0).toISOString(),
    },
  });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return FaceRecognizer.load(tf.io.fromMemory(artifacts!));
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
