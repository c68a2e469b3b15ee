// Parameter optimizers (Adam/AdamW, SGD with momentum) that use a backend's fused update kernel when it has one.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';

/** Which optimizer to train with, and its settings. */
export type OptimizerConfig =
  | { readonly type: 'adam'; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number; readonly weightDecay?: number }
  | { readonly type: 'sgd'; readonly momentum?: number; readonly nesterov?: boolean; readonly weightDecay?: number };

/** Updates a fixed list of variables from their gradients. */
export interface ParameterOptimizer {
  /** Applies one update to each variable, in place, with learning rate `learningRate`. */
  step(params: readonly tf.Variable[], grads: readonly tf.Tensor[], learningRate: number): void;
  /** Frees the optimizer's state tensors. */
  dispose(): void;
}

/**
 * Name of the optional fused Adam kernel: inputs {x, g, m, v}; attrs {learningRate, beta1, beta2, epsilon,
 * step, weightDecay}; outputs [x', m', v']. Backends that register it (facerec's WASM kernels do) update a
 * variable in one pass instead of ~10 element-wise kernels.
 */
export const FUSED_ADAM_KERNEL = 'FacerecAdamUpdate';

/** Attributes of {@link FUSED_ADAM_KERNEL}; `step` is Adam's 1-based t, `weightDecay` is decoupled (AdamW). */
export interface FusedAdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  step: number;
  weightDecay: number;
}

/**
 * Name of the optional fused Adam kernel for many variables at once: inputs {x0.., g0.., state}; attrs those of
 * {@link FUSED_ADAM_KERNEL} plus `count`; outputs [x0'.., state']. `state` holds the moments of all `count`
 * variables in the backend's own layout; it is absent at the first step (zero moments) and is the previous call's
 * state' after. A backend that registers it (facerec's WebGPU kernels do) updates every variable in one dispatch.
 */
export const FUSED_ADAM_ALL_KERNEL = 'FacerecAdamUpdateAll';

/** Most elements one {@link FUSED_ADAM_ALL_KERNEL} call takes: its [3, n] float32 state fits WebGPU's default 128 MiB binding. */
export const FUSED_ADAM_GROUP_ELEMENTS = 8 * 2 ** 20;

/** A non-trainable zero variable shaped like `p` (tidy frees the temporary zeros tensor). */
function zeroSlot(p: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(p), false));
}

/** Variables updated by one FUSED_ADAM_ALL_KERNEL call, and the state it returned last. */
interface AdamGroup {
  readonly members: number[];
  state: tf.Tensor | null;
}

/** Consecutive variables in groups of at most FUSED_ADAM_GROUP_ELEMENTS elements; a larger variable is left out. */
function groupVariables(params: readonly tf.Variable[]): { groups: AdamGroup[]; single: number[] } {
  const groups: AdamGroup[] = [];
  const single: number[] = [];
  let current: AdamGroup | null = null;
  let size = 0;
  params.forEach((p, i) => {
    if (p.size > FUSED_ADAM_GROUP_ELEMENTS || p.dtype !== 'float32') return void single.push(i);
    if (!current || size + p.size > FUSED_ADAM_GROUP_ELEMENTS) {
      current = { members: [], state: null };
      groups.push(current);
      size = 0;
    }
    current.members.push(i);
    size += p.size;
  });
  return { groups, single };
}

class Adam implements ParameterOptimizer {
  /** Moments of the variables updated one by one (sparse: grouped variables have none). */
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  /** Set at the first step: grouped variables when the backend has FUSED_ADAM_ALL_KERNEL, else none. */
  private plan: { groups: AdamGroup[]; single: number[] } | null = null;
  private t = 0;
  constructor(
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
    private readonly weightDecay: number,
  ) {}

  step(params: readonly tf.Variable[], grads: readonly tf.Tensor[], learningRate: number): void {
    if (!this.plan) {
      const all = tf.getKernel(FUSED_ADAM_ALL_KERNEL, tf.getBackend()) !== undefined;
      this.plan = all ? groupVariables(params) : { groups: [], single: params.map((_, i) => i) };
      for (const i of this.plan.single) {
        this.m[i] = zeroSlot(params[i]!);
        this.v[i] = zeroSlot(params[i]!);
      }
    }
    this.t += 1;
    const attrs = { learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.t, weightDecay: this.weightDecay } satisfies FusedAdamAttrs;
    for (const group of this.plan.groups) {
      const inputs: Record<string, tf.Tensor> = group.state ? { state: group.state } : {};
      group.members.forEach((p, k) => {
        inputs[`x${k}`] = params[p]!;
        inputs[`g${k}`] = grads[p]!;
      });
      const out = tf.engine().runKernel(FUSED_ADAM_ALL_KERNEL, inputs, { ...attrs, count: group.members.length }) as tf.Tensor[];
      group.members.forEach((p, k) => params[p]!.assign(out[k]!));
      if (group.state) group.state.dispose();
      group.state = tf.keep(out[group.members.length]!);
      tf.dispose(out.slice(0, group.members.length));
    }
    const fused = tf.getKernel(FUSED_ADAM_KERNEL, tf.getBackend()) !== undefined;
    for (const i of this.plan.single) {
      const x = params[i]!;
      const g = grads[i]!;
      const m = this.m[i]!;
      const v = this.v[i]!;
      if (fused) {
        const out = tf.engine().runKernel(FUSED_ADAM_KERNEL, { x, g, m, v }, attrs) as tf.Tensor[];
        x.assign(out[0]!);
        m.assign(out[1]!);
        v.assign(out[2]!);
        tf.dispose(out);
        continue;
      }
      tf.tidy(() => {
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const mHat = tf.div(newM, 1 - this.beta1 ** this.t);
        const vHat = tf.div(newV, 1 - this.beta2 ** this.t);
        let update = tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon));
        if (this.weightDecay > 0) update = tf.add(update, tf.mul(x, this.weightDecay));
        m.assign(newM);
        v.assign(newV);
        x.assign(tf.sub(x, tf.mul(update, learningRate)));
      });
    }
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v].filter((t) => t !== undefined));
    for (const group of this.plan?.groups ?? []) group.state?.dispose();
    this.m.length = 0;
    this.v.length = 0;
    this.plan = null;
  }
}

class Sgd implements ParameterOptimizer {
  private readonly velocity: tf.Variable[] = [];
  constructor(
    private readonly momentum: number,
    private readonly nesterov: boolean,
    private readonly weightDecay: number,
  ) {}

  step(params: readonly tf.Variable[], grads: readonly tf.Tensor[], learningRate: number): void {
    if (this.momentum > 0 && this.velocity.length === 0) {
      for (const p of params) this.velocity.push(zeroSlot(p));
    }
    params.forEach((x, i) => {
      tf.tidy(() => {
        let g: tf.Tensor = grads[i]!;
        if (this.weightDecay > 0) g = tf.add(g, tf.mul(x, this.weightDecay));
        let update = g;
        if (this.momentum > 0) {
          const vel = this.velocity[i]!;
          const newVel = tf.add(tf.mul(vel, this.momentum), g);
          vel.assign(newVel);
          update = this.nesterov ? tf.add(g, tf.mul(newVel, this.momentum)) : newVel;
        }
        x.assign(tf.sub(x, tf.mul(update, learningRate)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.velocity);
    this.velocity.length = 0;
  }
}

function inRange(name: string, value: number, min: number, max: number): number {
  if (!(value >= min && value < max)) throw new InvalidArgumentError(name, `must be in [${min}, ${max}), got ${value}`);
  return value;
}

/** Creates the optimizer described by `config`. */
export function createOptimizer(config: OptimizerConfig): ParameterOptimizer {
  if (config.type === 'adam') {
    return new Adam(
      inRange('optimizer.beta1', config.beta1 ?? 0.9, 0, 1),
      inRange('optimizer.beta2', config.beta2 ?? 0.999, 0, 1),
      inRange('optimizer.epsilon', config.epsilon ?? 1e-7, 0, 1),
      inRange('optimizer.weightDecay', config.weightDecay ?? 0, 0, 1),
    );
  }
  if (config.type === 'sgd') {
    return new Sgd(
      inRange('optimizer.momentum', config.momentum ?? 0.9, 0, 1),
      config.nesterov ?? false,
      inRange('optimizer.weightDecay', config.weightDecay ?? 0, 0, 1),
    );
  }
  throw new InvalidArgumentError('optimizer.type', `unknown "${String((config as { type: unknown }).type)}"; use "adam" or "sgd"`);
}
