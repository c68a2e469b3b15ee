// 'auto''s startup check: a small convolution training step timed on WebGPU and on WASM, so the GPU is only chosen where faster.
import * as tf from '@tensorflow/tfjs-core';
import { initWasmBackend } from '../wasm/index.js';

/** What {@link probeTrainingSpeed} measured: the median ms of one probe step on each backend. */
export interface SpeedProbe {
  readonly webgpuMs: number;
  readonly wasmMs: number;
}

/** Options of {@link probeTrainingSpeed}. */
export interface SpeedProbeOptions {
  /** Timed steps on each backend (the median counts). Default 3. */
  readonly runs?: number;
  /** The probe's batch. Default 16. */
  readonly batch?: number;
}

let cached: Promise<SpeedProbe> | null = null;

/** The probe: a 3×3 convolution (32 → 32 channels, 32×32) forward, ReLU, and both gradients, read back. */
async function probeStep(batch: number): Promise<void> {
  const out = tf.tidy(() => {
    const x = tf.randomNormal([batch, 32, 32, 32], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 32, 32], 0, 0.1, 'float32', 2);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]);
    return tf.add(tf.sum(dx!), tf.sum(dw!));
  });
  try {
    await out.data();
  } finally {
    out.dispose();
  }
}

/** Median of `runs` timed probe steps on the active backend, after one untimed step (shader compilation). */
async function time(runs: number, batch: number): Promise<number> {
  await probeStep(batch);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await probeStep(batch);
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/**
 * Times the probe on 'webgpu' (which must be registered) and on facerec's WASM backend (started here if need be),
 * and leaves 'webgpu' active. About a second on a GPU machine; minutes on a software adapter. The first result is
 * kept as this process's answer for {@link cachedTrainingSpeed}.
 */
export async function probeTrainingSpeed(options: SpeedProbeOptions = {}): Promise<SpeedProbe> {
  const runs = options.runs ?? 3;
  const batch = options.batch ?? 16;
  const run = async (): Promise<SpeedProbe> => {
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
    const webgpuMs = await time(runs, batch);
    await initWasmBackend();
    const wasmMs = await time(runs, batch);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
    return { webgpuMs, wasmMs };
  };
  const result = run();
  cached ??= result;
  return result;
}

/** The process's probe: the first one made, else a default one now (a failed probe is retried next time). */
export function cachedTrainingSpeed(): Promise<SpeedProbe> {
  cached ??= probeTrainingSpeed();
  return cached.catch((e: unknown) => {
    cached = null;
    throw e;
  });
}
