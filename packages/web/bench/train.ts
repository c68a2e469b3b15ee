// Benchmark page part (driven by bench/web.mjs): seed CNN training steps per second on WASM with facerec's kernels.
import * as tf from '@tensorflow/tfjs-core';
import { createModel, createOptimizer, initBackend } from '@facerec/web';

/** What one training run measured. */
interface TrainResult {
  backend: string;
  details: Record<string, unknown>;
  batch: number;
  steps: number;
  img_s: number;
  /** CPU seconds of every browser process during the timed steps (when the driver provides them), spins included. */
  cpu_s?: number;
  ms_per_step_median: number;
  loss_first: number;
  loss_last: number;
}

/**
 * Times `steps` training steps of the seed CNN (64×64 gray, 40 people, batch 32: what the page trains on ORL) the
 * way facerec's Trainer runs one: variableGrads of the softmax cross-entropy, then the Adam optimizer (fused kernel
 * when the backend has it). Random inputs: the speed does not depend on the pixels.
 */
async function runTrain(request: 'wasm' | 'cpu', steps: number, warmupSteps = 3): Promise<TrainResult> {
  const selection = await initBackend(request, { task: 'training' });
  const batch = 32;
  const model = createModel('seed-cnn', { inputShape: [64, 64, 1], numClasses: 40, seed: 1 });
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer({ type: 'adam' });
  const x = tf.randomNormal([batch, 64, 64, 1], 0, 1, 'float32', 11);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 40, 'int32', 12) as tf.Tensor1D, 40);
  const step = async (): Promise<number> => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D) as tf.Scalar, params);
    optimizer.step(params, params.map((p) => grads[p.name]!), 1e-3);
    const loss = (await value.data())[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  try {
    let first = 0;
    for (let i = 0; i < warmupSteps; i++) first = i === 0 ? await step() : (await step(), first);
    const times: number[] = [];
    let last = 0;
    // The driver (bench/web.mjs) exposes the browser's CPU seconds: wall time alone is skewed by a loaded machine.
    const cpuSeconds = (window as unknown as { facerecCpuSeconds?: () => Promise<number> }).facerecCpuSeconds;
    const cpu0 = await cpuSeconds?.();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const s = performance.now();
      last = await step();
      times.push(performance.now() - s);
    }
    const total = performance.now() - t0;
    const cpu1 = await cpuSeconds?.();
    times.sort((a, b) => a - b);
    return {
      backend: selection.backend,
      details: { ...selection.details },
      batch,
      steps,
      img_s: (batch * steps * 1000) / total,
      ...(cpu0 !== undefined && cpu1 !== undefined ? { cpu_s: cpu1 - cpu0 } : {}),
      ms_per_step_median: times[Math.floor(times.length / 2)]!,
      loss_first: first,
      loss_last: last,
    };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

(window as unknown as { runTrain: typeof runTrain }).runTrain = runTrain;
