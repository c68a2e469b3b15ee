// Batch normalisation in training mode for 'webgpu' in 2 dispatches forward and 2 backward (tfjs's ops: about 50).
import * as tf from '@tensorflow/tfjs-core';
import { util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { groups, type ProgramUniform, type WebGpuBackendLike, type WebGpuProgram } from './program.js';
import { copyBuffer, type WebGpuBackendInternals } from './buffers.js';

/*
 * tfjs-layers computes a training batch's statistics with tf.moments (a transpose and a reduction each for the mean
 * and the variance), normalises with FusedBatchNorm, updates the moving averages with 6 element-wise ops, and its
 * gradient runs through all of them: about 13 dispatches forward and 40 backward per layer. Here x is [rows, C]
 * (channels last): one shader reduces each channel's mean, variance and new moving averages, one normalises; the
 * gradient is one reduction (Σdy, Σdy·x̂ per channel) and one element-wise pass for dx.
 */

/** Forward kernel: inputs {x, gamma, beta, movingMean, movingVariance}; attrs {epsilon, momentum}; outputs [y, stats, movingMean', movingVariance']. */
export const BATCH_NORM_TRAIN_KERNEL = 'FacerecBatchNormTrain';
/** Its gradient's kernel: inputs {dy, x, gamma, stats}; attrs {epsilon}; outputs [dx, dgamma, dbeta]. */
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'FacerecBatchNormTrainGrad';

/** A workgroup reduces CHANNELS channels with LANES threads each striding over the rows. */
const CHANNELS = 16;
const LANES = 16;
const FLAT = 64;

/** Adds the LANES partial sums `acc` of each channel through workgroup memory into `total` (every lane gets it). */
function laneSum(name: string): string {
  return `
    ${name}[ly * ${CHANNELS} + lx] = acc;
    workgroupBarrier();
    total = 0.0;
    for (var l = 0; l < ${LANES}; l = l + 1) { total = total + ${name}[l * ${CHANNELS} + lx]; }
    workgroupBarrier();`;
}

/** stats [4, C]: the batch mean, the (biased) batch variance, and the new moving mean and variance. */
class StatsProgram implements WebGpuProgram {
  variableNames = ['x', 'movingMean', 'movingVariance'];
  uniforms = 'rows : i32, channels : i32, momentum : f32,';
  workgroupSize: [number, number, number] = [CHANNELS, LANES, 1];
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  outputShape: number[];
  shaderKey = 'facerecBatchNormStats';
  constructor(channels: number) {
    this.outputShape = [4, channels];
    this.dispatch = [groups(channels, CHANNELS), 1, 1];
  }
  getUserCode(): string {
    return `
  var<workgroup> partial : array<f32, ${CHANNELS * LANES}>;
  fn main() {
    let lx = i32(localId.x);
    let ly = i32(localId.y);
    let C = uniforms.channels;
    let c = i32(workgroupId.x) * ${CHANNELS} + lx;
    var total = 0.0;
    var acc = 0.0;
    if (c < C) {
      for (var r = ly; r < uniforms.rows; r = r + ${LANES}) { acc = acc + x[r * C + c]; }
    }
    ${laneSum('partial')}
    let mean = total / f32(uniforms.rows);
    acc = 0.0;
    if (c < C) {
      for (var r = ly; r < uniforms.rows; r = r + ${LANES}) { let d = x[r * C + c] - mean; acc = acc + d * d; }
    }
    ${laneSum('partial')}
    if (ly == 0 && c < C) {
      let variance = total / f32(uniforms.rows);
      let keep = uniforms.momentum;
      result[c] = mean;
      result[C + c] = variance;
      result[2 * C + c] = movingMean[c] - (movingMean[c] - mean) * (1.0 - keep);
      result[3 * C + c] = movingVariance[c] - (movingVariance[c] - variance) * (1.0 - keep);
    }
  }
`;
  }
}

/** y = (x - mean) · gamma / sqrt(variance + epsilon) + beta. */
class NormalizeProgram implements WebGpuProgram {
  variableNames = ['x', 'stats', 'gamma', 'beta'];
  uniforms = 'channels : i32, epsilon : f32,';
  workgroupSize: [number, number, number] = [FLAT, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;
  shaderKey = 'facerecBatchNormNormalize';
  constructor(public outputShape: number[]) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [groups(util.sizeFromShape(outputShape), FLAT), 1, 1];
  }
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let C = uniforms.channels;
      let c = index % C;
      let scale = gamma[c] * inverseSqrt(stats[C + c] + uniforms.epsilon);
      result[index] = (x[index] - stats[c]) * scale + beta[c];
    }
  }
`;
  }
}

/** grads [2, C]: Σ dy (the beta gradient) and Σ dy · x̂ (the gamma gradient) per channel. */
class GradStatsProgram implements WebGpuProgram {
  variableNames = ['dy', 'x', 'stats'];
  uniforms = 'rows : i32, channels : i32, epsilon : f32,';
  workgroupSize: [number, number, number] = [CHANNELS, LANES, 1];
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  outputShape: number[];
  shaderKey = 'facerecBatchNormGradStats';
  constructor(channels: number) {
    this.outputShape = [2, channels];
    this.dispatch = [groups(channels, CHANNELS), 1, 1];
  }
  getUserCode(): string {
    return `
  var<workgroup> partialDy : array<f32, ${CHANNELS * LANES}>;
  var<workgroup> partialDyXhat : array<f32, ${CHANNELS * LANES}>;
  fn main() {
    let lx = i32(localId.x);
    let ly = i32(localId.y);
    let C = uniforms.channels;
    let c = i32(workgroupId.x) * ${CHANNELS} + lx;
    var sumDy = 0.0;
    var sumDyXhat = 0.0;
    if (c < C) {
      let mean = stats[c];
      let invStd = inverseSqrt(stats[C + c] + uniforms.epsilon);
      for (var r = ly; r < uniforms.rows; r = r + ${LANES}) {
        let g = dy[r * C + c];
        sumDy = sumDy + g;
        sumDyXhat = sumDyXhat + g * (x[r * C + c] - mean) * invStd;
      }
    }
    partialDy[ly * ${CHANNELS} + lx] = sumDy;
    partialDyXhat[ly * ${CHANNELS} + lx] = sumDyXhat;
    workgroupBarrier();
    if (ly == 0 && c < C) {
      var a = 0.0;
      var b = 0.0;
      for (var l = 0; l < ${LANES}; l = l + 1) { a = a + partialDy[l * ${CHANNELS} + lx]; b = b + partialDyXhat[l * ${CHANNELS} + lx]; }
      result[c] = a;
      result[C + c] = b;
    }
  }
`;
  }
}

/** dx = gamma / sqrt(variance + epsilon) · (dy - (Σdy + x̂ · Σdy·x̂) / rows). */
class InputGradProgram implements WebGpuProgram {
  variableNames = ['dy', 'x', 'stats', 'sums', 'gamma'];
  uniforms = 'rows : i32, channels : i32, epsilon : f32,';
  workgroupSize: [number, number, number] = [FLAT, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;
  shaderKey = 'facerecBatchNormInputGrad';
  constructor(public outputShape: number[]) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [groups(util.sizeFromShape(outputShape), FLAT), 1, 1];
  }
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let C = uniforms.channels;
      let c = index % C;
      let invStd = inverseSqrt(stats[C + c] + uniforms.epsilon);
      let xhat = (x[index] - stats[c]) * invStd;
      let n = f32(uniforms.rows);
      result[index] = gamma[c] * invStd * (dy[index] - (sums[c] + xhat * sums[C + c]) / n);
    }
  }
`;
  }
}

type Backend = WebGpuBackendLike & WebGpuBackendInternals;

/** Copies row `row` of a [k, C] tensor into a fresh [C] tensor. */
function row(backend: Backend, from: TensorInfo, rowIndex: number, channels: number): TensorInfo {
  const out = backend.makeTensorInfo([channels], 'float32');
  copyBuffer(backend, from, rowIndex * channels * 4, out, 0, channels * 4);
  return out;
}

function checkFloat(name: string, t: TensorInfo | undefined, shape?: number[]): TensorInfo {
  if (!t || t.dtype !== 'float32' || (shape && !util.arraysEqual(t.shape, shape))) {
    throw new Error(`${BATCH_NORM_TRAIN_KERNEL}: ${name} must be a float32 tensor${shape ? ` of shape [${shape.join(', ')}]` : ''}`);
  }
  return t;
}

/** The forward kernel (statistics over every axis but the last). */
export function batchNormTrain(): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const { epsilon, momentum } = args.attrs as unknown as { epsilon: number; momentum: number };
    const backend = args.backend as unknown as Backend;
    const x = checkFloat('x', inputs['x']);
    const channels = x.shape[x.shape.length - 1] ?? 0;
    const gamma = checkFloat('gamma', inputs['gamma'], [channels]);
    const beta = checkFloat('beta', inputs['beta'], [channels]);
    const movingMean = checkFloat('movingMean', inputs['movingMean'], [channels]);
    const movingVariance = checkFloat('movingVariance', inputs['movingVariance'], [channels]);
    const rows = util.sizeFromShape(x.shape) / Math.max(channels, 1);
    if (x.shape.length < 2 || rows === 0 || channels === 0) throw new Error(`${BATCH_NORM_TRAIN_KERNEL}: x must have at least one row and one channel`);
    const stats = backend.runWebGPUProgram(new StatsProgram(channels), [x, movingMean, movingVariance], 'float32', [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [momentum] },
    ]);
    const y = backend.runWebGPUProgram(new NormalizeProgram(x.shape), [x, stats, gamma, beta], 'float32', [
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [epsilon] },
    ]);
    return [y, stats, row(backend, stats, 2, channels), row(backend, stats, 3, channels)];
  };
}

/** The gradient's kernel. */
export function batchNormTrainGrad(): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const { epsilon } = args.attrs as unknown as { epsilon: number };
    const backend = args.backend as unknown as Backend;
    const x = checkFloat('x', inputs['x']);
    const dy = checkFloat('dy', inputs['dy'], x.shape);
    const channels = x.shape[x.shape.length - 1]!;
    const gamma = checkFloat('gamma', inputs['gamma'], [channels]);
    const stats = checkFloat('stats', inputs['stats'], [4, channels]);
    const rows = util.sizeFromShape(x.shape) / channels;
    const uniforms: ProgramUniform[] = [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [epsilon] },
    ];
    const sums = backend.runWebGPUProgram(new GradStatsProgram(channels), [dy, x, stats], 'float32', uniforms);
    const dx = backend.runWebGPUProgram(new InputGradProgram(x.shape), [dy, x, stats, sums, gamma], 'float32', uniforms);
    const dgamma = row(backend, sums, 1, channels);
    const dbeta = row(backend, sums, 0, channels);
    backend.disposeData(sums.dataId);
    return [dx, dgamma, dbeta];
  };
}

/** The gradient of {@link BATCH_NORM_TRAIN_KERNEL} with respect to x, gamma and beta (the moving averages get none). */
export const batchNormTrainGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN_KERNEL,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, false, false],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys)!;
    const [x, gamma, stats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    // Here, not in the callbacks: the tape runs each callback in its own tidy, which would dispose the other two.
    const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, { dy, x, gamma, stats }, { epsilon: attrs['epsilon'] as number }) as tf.Tensor[];
    return {
      x: () => dx!,
      gamma: () => dgamma!,
      beta: () => dbeta!,
      movingMean: () => tf.zeros([stats.shape[1]!]),
      movingVariance: () => tf.zeros([stats.shape[1]!]),
    };
  },
};
