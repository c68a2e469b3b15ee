// Benchmark page part (driven by bench/web.mjs): the live loop over 1,000 frames, tensor count checked every 100 (too long for the camera tests).
import * as tf from '@tensorflow/tfjs-core';
import { decodeImageFile, Gallery, initBackend, LiveRecognizer, loadFacePipelineFromUrl, type RawImage } from '@facerec/web';

/** What the long run saw (keys as in bench-results/web.json). */
export interface LeakResult {
  frames: number;
  /** Tensors more than before the first frame, after every 100 frames (all 0 when nothing leaks). */
  tensors_growth: number[];
  /** After `reset()`: 0 when every track's tensors went with it. */
  tensors_after_reset: number;
  embedded: number;
  tracks_ended: number;
  ms: number;
}

async function decoded(url: string): Promise<RawImage> {
  return decodeImageFile(new File([await (await fetch(url)).blob()], url.split('/').pop()!));
}

function bitmap(image: RawImage): Promise<ImageBitmap> {
  const data = new ImageData(image.width, image.height);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) data.data[p * 4 + c] = image.data[p * image.channels + (image.channels === 1 ? 0 : c)]!;
    data.data[p * 4 + 3] = 255;
  }
  return createImageBitmap(data);
}

/**
 * `frames` frames of `LiveRecognizer.process` on a 128×128 canvas (one detector window scans it all): the
 * first photo (enrolled) for 45% of them, nothing for 5%, then the second photo (a stranger), tracks
 * re-embedded every 25 frames, so starting, naming, re-embedding and ending tracks all run many times.
 */
export async function runLeak(modelUrl: Record<string, string>, photos: [string, string], frames: number): Promise<LeakResult> {
  await initBackend('wasm');
  const pipeline = await loadFacePipelineFromUrl({ modelUrl });
  const images = await Promise.all(photos.map(decoded));
  const [known, stranger] = await Promise.all(images.map(bitmap));
  const gallery = new Gallery(pipeline);
  await gallery.enroll('known', [images[0]!]);
  const canvas = new OffscreenCanvas(128, 128);
  const ctx = canvas.getContext('2d')!;
  // The gallery keeps its matrix on the backend after the first match: made before counting.
  await gallery.match([new Float32Array(gallery.dimensions).fill(1 / Math.sqrt(gallery.dimensions))]);
  const live = new LiveRecognizer({ pipeline, gallery, minFaceSize: 30, tracker: { reembedEvery: 25 } });
  const tensors = tf.memory().numTensors;
  const growth: number[] = [];
  let embedded = 0, ended = 0;
  const start = performance.now();
  for (let f = 0; f < frames; f++) {
    ctx.fillStyle = '#666';
    ctx.fillRect(0, 0, 128, 128);
    const photo = f < frames * 0.45 ? known : f >= frames * 0.5 ? stranger : undefined;
    if (photo) ctx.drawImage(photo, 10 + Math.round(8 * Math.sin(f / 11)), 10 + Math.round(6 * Math.cos(f / 13)), 108, 108);
    const frame = await live.process(canvas, f / 30);
    embedded += frame.embedded;
    ended += frame.ended.length;
    if (f % 100 === 99) growth.push(tf.memory().numTensors - tensors);
  }
  const ms = performance.now() - start;
  ended += live.reset().length;
  const after = tf.memory().numTensors - tensors;
  gallery.dispose();
  pipeline.dispose();
  return { frames, tensors_growth: growth, tensors_after_reset: after, embedded, tracks_ended: ended, ms: Math.round(ms) };
}
