// Benchmark page (driven by bench/web.mjs): ms per frame of live recognition on one backend.
import * as tf from '@tensorflow/tfjs-core';
import { createModel, decodeImageFile, FaceRecognizer, Gallery, initBackend, LiveRecognizer, loadFacePipelineFromUrl, METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION, recognizeFaces, warmup, centerSquareBox } from '@facerec/web';
import type { BackendRequest, WebBackendOptions } from '@facerec/web';
import { runLeak } from './leak.js';
import { runUnlock } from './unlock.js';

/** What one run measured. */
interface BenchResult {
  backend: string;
  details: Record<string, unknown>;
  frames: number;
  ms_per_frame: number;
  ms_median: number;
  ms_first_frame: number;
}

/** The ORL-sized recognizer (seed CNN, 64×64 gray, 40 people) with seeded random weights: timing needs no training. */
async function recognizer(): Promise<FaceRecognizer> {
  const model = createModel('seed-cnn', { inputShape: [64, 64, 1], numClasses: 40, seed: 1 });
  model.setUserDefinedMetadata({
    [METADATA_KEY]: {
      format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, library: 'bench', architecture: 'seed-cnn',
      labels: Array.from({ length: 40 }, (_, i) => `s${i + 1}`),
      preprocessing: { inputSize: [64, 64], channels: 1, normalization: 'standardize' },
      threshold: 0.5, createdAt: new Date(0).toISOString(),
    },
  });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  model.dispose();
  return FaceRecognizer.load(tf.io.fromMemory(artifacts!));
}

/** A 640×480 camera-sized frame with some structure (gradients and noise). */
function frame(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(640, 480);
  let seed = 1;
  for (let i = 0; i < 640 * 480; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const v = ((i % 640) / 640) * 200 + (seed % 56);
    image.data.set([v, v * 0.9, v * 0.8, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

async function run(request: BackendRequest, frames: number): Promise<BenchResult> {
  const selection = await initBackend(request);
  const r = await recognizer();
  const canvas = frame();
  const box = centerSquareBox({ width: 640, height: 480 });
  const warm = await warmup(r, { box, runs: 3 });
  const times: number[] = [];
  for (let i = 0; i < frames; i++) {
    const start = performance.now();
    await recognizeFaces(r, canvas); // read the centred box's pixels, preprocess, forward, read probabilities
    times.push(performance.now() - start);
  }
  r.dispose();
  const sorted = [...times].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    backend: selection.backend,
    details: { ...selection.details },
    frames,
    ms_per_frame: round(times.reduce((a, b) => a + b, 0) / times.length),
    ms_median: round(sorted[Math.floor(sorted.length / 2)]!),
    ms_first_frame: round(warm.milliseconds[0]!),
  };
}

/** What the live loop measured: ms per 640×480 frame (detection every frame, tracking, embeddings when tracks need them). */
interface LiveResult {
  backend: string;
  /** WASM threads the backend runs (1 when the page is not cross-origin isolated). */
  threads: unknown;
  faces: number;
  ms_per_frame_p50: number;
  ms_per_frame_p95: number;
  /** CPU time of all Chromium's processes per counted frame (when bench/web.mjs gives the page `facerecCpuSeconds`): less swayed by other jobs than wall time. */
  cpu_ms_per_frame?: number;
  /** Where a frame's time went (p50 of each part over the counted frames; embed: mean, as most frames embed nothing). */
  profile: { detect_ms_p50: number; embed_ms_mean: number; match_ms_mean: number; rest_ms_p50: number; windows_per_frame: number; embeds: number; tensors_growth: number };
}

/** CPU seconds of the browser's processes so far (bench/web.mjs exposes `facerecCpuSeconds`), NaN without it. */
export async function cpuSeconds(): Promise<number> {
  const read = (window as unknown as { facerecCpuSeconds?: () => Promise<number> }).facerecCpuSeconds;
  return read ? read() : Number.NaN;
}

/** Wraps `object[name]` so that each call adds its wall time to `into.ms` (and counts calls). */
function timed<T extends object, K extends keyof T>(object: T, name: K, into: { ms: number; calls: number }): void {
  const original = object[name] as unknown as (...args: unknown[]) => Promise<unknown>;
  (object as Record<K, unknown>)[name] = async (...args: unknown[]) => {
    const start = performance.now();
    try {
      return await original.apply(object, args);
    } finally {
      into.ms += performance.now() - start;
      into.calls++;
    }
  };
}

/**
 * The live loop (`LiveRecognizer.process`) on a 640×480 canvas showing `photos` (LFW, drifting a few pixels per frame), the
 * first one enrolled; the first 10 frames (warm-up, the first embeddings) are not counted. The detector, the
 * embedder and the gallery are timed from outside (wrapped), the rest is grabbing the frame and tracking.
 */
async function runLive(request: BackendRequest, modelUrl: Record<string, string>, photos: string[], frames: number, options: WebBackendOptions = {}): Promise<LiveResult> {
  const selection = await initBackend(request, options);
  const pipeline = await loadFacePipelineFromUrl({ modelUrl });
  const images = await Promise.all(photos.map(async (url) => decodeImageFile(new File([await (await fetch(url)).blob()], url.split('/').pop()!))));
  const bitmaps = await Promise.all(images.map((im) => {
    const data = new ImageData(im.width, im.height);
    for (let p = 0; p < im.width * im.height; p++) {
      for (let c = 0; c < 3; c++) data.data[p * 4 + c] = im.data[p * im.channels + (im.channels === 1 ? 0 : c)]!;
      data.data[p * 4 + 3] = 255;
    }
    return createImageBitmap(data);
  }));
  const gallery = new Gallery(pipeline);
  await gallery.enroll('first', [images[0]!]);
  const canvas = new OffscreenCanvas(640, 480);
  // A canvas in CPU memory, as the peer's (peer.ts): headless Chromium would otherwise draw it with SwiftShader's
  // software GPU and read it back, a cost of this synthetic camera, not of the recognizer.
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const live = new LiveRecognizer({ pipeline, gallery });
  const detect = { ms: 0, calls: 0 }, embed = { ms: 0, calls: 0 }, match = { ms: 0, calls: 0 };
  let windows = 0;
  const inWindows = pipeline.detector.detectInWindows.bind(pipeline.detector);
  pipeline.detector.detectInWindows = (image, list, options) => ((windows += list.length), inWindows(image, list, options));
  timed(pipeline.detector, 'detectInWindows', detect);
  timed(pipeline, 'embedDetected', embed);
  timed(gallery, 'match', match);
  const side = bitmaps.length === 1 ? 300 : 210;
  const times: number[] = [], detectTimes: number[] = [], restTimes: number[] = [];
  let found = 0, embeds = 0, embedMs = 0, matchMs = 0, tensors = 0, counted = 0, cpu0 = 0;
  for (let f = 0; f < frames + 10; f++) {
    ctx.fillStyle = '#666';
    ctx.fillRect(0, 0, 640, 480);
    bitmaps.forEach((b, k) => ctx.drawImage(b, (640 / bitmaps.length) * k + (640 / bitmaps.length - side) / 2 + 8 * Math.sin(f / 7 + k), 130 + 6 * Math.cos(f / 9 + k), side, side));
    if (f === 10) [windows, tensors, cpu0] = [0, tf.memory().numTensors, await cpuSeconds()];
    const before = { d: detect.ms, e: embed.ms, m: match.ms };
    const start = performance.now();
    const frame = await live.process(canvas, f / 25);
    const ms = performance.now() - start;
    if (f >= 10) {
      times.push(ms);
      const [d, e, m] = [detect.ms - before.d, embed.ms - before.e, match.ms - before.m];
      detectTimes.push(d);
      restTimes.push(ms - d - e - m);
      embedMs += e;
      matchMs += m;
      embeds += frame.embedded;
      counted++;
      found = Math.max(found, frame.faces.length);
    }
  }
  const cpu = (await cpuSeconds()) - cpu0;
  const growth = tf.memory().numTensors - tensors;
  live.reset();
  gallery.dispose();
  pipeline.dispose();
  const at = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;
  };
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    backend: selection.backend,
    threads: (selection.details as Record<string, unknown>).threads,
    faces: found,
    ms_per_frame_p50: at(times, 0.5),
    ms_per_frame_p95: at(times, 0.95),
    ...(Number.isNaN(cpu) ? {} : { cpu_ms_per_frame: round((cpu * 1000) / counted) }),
    profile: {
      detect_ms_p50: at(detectTimes, 0.5), embed_ms_mean: round(embedMs / counted), match_ms_mean: round(matchMs / counted),
      rest_ms_p50: at(restTimes, 0.5), windows_per_frame: round(windows / counted), embeds, tensors_growth: growth,
    },
  };
}

(window as unknown as { runBench: typeof run; runLive: typeof runLive }).runBench = run;
(window as unknown as { runLive: typeof runLive }).runLive = runLive;
(window as unknown as { runUnlock: typeof runUnlock }).runUnlock = runUnlock;
(window as unknown as { runLeak: typeof runLeak }).runLeak = runLeak;
document.getElementById('status')!.textContent = 'ready';
