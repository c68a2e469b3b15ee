// FacerecAdamUpdateAll for 'webgpu': Adam/AdamW on many variables in one dispatch over a flat copy of them.
import { util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { FUSED_ADAM_ALL_KERNEL, type FusedAdamAttrs } from '@facerec/core/internal';
import { groups, type ProgramUniform, type WebGpuBackendLike, type WebGpuProgram } from './program.js';
import { copyBuffer, type WebGpuBackendInternals } from './buffers.js';

/*
 * tfjs's ops take 14 dispatches per variable for one Adam step (62 variables of a ResNet: 868). Here the variables
 * and gradients are copied (copyBufferToBuffer, no shader) into one [2, n] buffer, one shader computes every new
 * weight and both moments into a [3, n] buffer, and the new weights are copied out into fresh tensors. The [3, n]
 * result is also the next step's state: its rows 1 and 2 are the moments.
 */

const WORKGROUP = 64;

class AdamAllProgram implements WebGpuProgram {
  variableNames = ['xg', 'state'];
  uniforms = 'n : i32, hasState : i32, lr : f32, beta1 : f32, beta2 : f32, epsilon : f32, d1 : f32, d2 : f32, weightDecay : f32,';
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  outputShape: number[];
  size = true;
  shaderKey = 'facerecAdamAll';
  constructor(n: number) {
    this.outputShape = [3, n];
    this.dispatch = [groups(n, WORKGROUP), 1, 1];
  }
  getUserCode(): string {
    return `
  fn main(index : i32) {
    let n = uniforms.n;
    if (index < n) {
      let x = xg[index];
      let g = xg[n + index];
      var m = 0.0;
      var v = 0.0;
      if (uniforms.hasState != 0) {
        m = state[n + index];
        v = state[2 * n + index];
      }
      m = uniforms.beta1 * m + (1.0 - uniforms.beta1) * g;
      v = uniforms.beta2 * v + (1.0 - uniforms.beta2) * g * g;
      let mHat = m / uniforms.d1;
      let vHat = v / uniforms.d2;
      let update = mHat / (sqrt(vHat) + uniforms.epsilon) + uniforms.weightDecay * x;
      result[index] = x - uniforms.lr * update;
      result[n + index] = m;
      result[2 * n + index] = v;
    }
  }
`;
  }
}

/** Attributes of {@link FUSED_ADAM_ALL_KERNEL}: the fused Adam's plus how many variables. */
interface AdamAllAttrs extends FusedAdamAttrs {
  count: number;
}

/** The kernel: inputs x0.., g0.. (float32, pairwise one shape) and the previous call's state (absent at step 1). */
export function adamUpdateAll(): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs as unknown as AdamAllAttrs;
    const backend = args.backend as unknown as WebGpuBackendLike & WebGpuBackendInternals;
    const xs: TensorInfo[] = [];
    const gs: TensorInfo[] = [];
    for (let i = 0; i < a.count; i++) {
      const x = inputs[`x${i}`], g = inputs[`g${i}`];
      if (!x || !g || x.dtype !== 'float32' || g.dtype !== 'float32' || !util.arraysEqual(x.shape, g.shape)) {
        throw new Error(`${FUSED_ADAM_ALL_KERNEL}: x${i} and g${i} must be float32 tensors of one shape`);
      }
      xs.push(x);
      gs.push(g);
    }
    if (!(a.step >= 1)) throw new Error(`${FUSED_ADAM_ALL_KERNEL}: step must be >= 1 (got ${String(a.step)})`);
    const sizes = xs.map((x) => util.sizeFromShape(x.shape));
    const n = sizes.reduce((s, k) => s + k, 0);
    const state = inputs['state'];
    if (state && (state.dtype !== 'float32' || util.sizeFromShape(state.shape) !== 3 * n)) {
      throw new Error(`${FUSED_ADAM_ALL_KERNEL}: state must be the float32 [3, ${n}] tensor the previous call returned`);
    }
    const limit = backend.device.limits.maxStorageBufferBindingSize;
    if (3 * n * 4 > limit) throw new Error(`${FUSED_ADAM_ALL_KERNEL}: ${n} elements need a ${3 * n * 4}-byte binding, over this device's ${limit}`);
    if (n === 0) return [...xs.map((x) => backend.makeTensorInfo(x.shape, 'float32')), backend.makeTensorInfo([3, 0], 'float32')];

    // Gather: row 0 the weights, row 1 the gradients, each variable at its offset.
    const xg = backend.makeTensorInfo([2, n], 'float32');
    let offset = 0;
    xs.forEach((x, i) => {
      copyBuffer(backend, x, 0, xg, offset * 4, sizes[i]! * 4);
      copyBuffer(backend, gs[i]!, 0, xg, (n + offset) * 4, sizes[i]! * 4);
      offset += sizes[i]!;
    });
    // Bias corrections in double precision, as tfjs's optimizer would accumulate them.
    const uniforms: ProgramUniform[] = [
      { type: 'int32', data: [n] },
      { type: 'int32', data: [state ? 1 : 0] },
      { type: 'float32', data: [a.learningRate] },
      { type: 'float32', data: [a.beta1] },
      { type: 'float32', data: [a.beta2] },
      { type: 'float32', data: [a.epsilon] },
      { type: 'float32', data: [1 - Math.pow(a.beta1, a.step)] },
      { type: 'float32', data: [1 - Math.pow(a.beta2, a.step)] },
      { type: 'float32', data: [a.weightDecay ?? 0] },
    ];
    const next = backend.runWebGPUProgram(new AdamAllProgram(n), [xg, state ?? xg], 'float32', uniforms);
    backend.disposeData(xg.dataId);
    // Scatter the new weights into fresh tensors (never in place: another tensor may share a variable's buffer).
    offset = 0;
    const outs = xs.map((x, i) => {
      const out = backend.makeTensorInfo(x.shape, 'float32');
      copyBuffer(backend, next, offset * 4, out, 0, sizes[i]! * 4);
      offset += sizes[i]!;
      return out;
    });
    return [...outs, next];
  };
}
