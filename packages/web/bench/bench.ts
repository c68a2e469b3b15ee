// Benchmark page (driven by bench/web.mjs): ms per frame of live recognition on one backend.
import * as tf from '@tensorflow/tfjs-core';
import { createModel, FaceRecognizer, initBackend, METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION, recognizeFaces, warmup, centerSquareBox } from '@facerec/web';
import type { BackendRequest } from '@facerec/web';

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

(window as unknown as { runBench: typeof run }).runBench = run;
document.getElementById('status')!.textContent = 'ready';
