// Runs a parsed TFLite graph with tfjs ops, as an embedding network: weights laid out for tfjs once, activations freed after their last use.
import * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError } from '../errors/index.js';
import type { EmbeddingNet } from './embedder.js';
import { checkInputShape, checkWeightValues, warmUp, type NetworkSignature } from './model-checks.js';
import { TFLITE_FLOAT32, parseTflite, type TfliteActivation, type TfliteGraph, type TfliteOperator } from './tflite-file.js';

/** One step of the run: a TFLite operator, or a PReLU that stands for the five operators spelling it out. */
type Step = { readonly kind: 'op'; readonly op: TfliteOperator; readonly filter?: tf.Tensor4D } | { readonly kind: 'prelu'; readonly x: number; readonly alpha: tf.Tensor; readonly output: number };

function activate(x: tf.Tensor, a: TfliteActivation): tf.Tensor {
  return a === 'relu' ? tf.relu(x) : a === 'relu6' ? tf.relu6(x) : x;
}

/** The tensors an operator's run reads as they are: a convolution's filter is read in tfjs's layout instead, a reshape's target from its declared output. */
function runInputs(op: TfliteOperator): number[] {
  if (op.conv) return [op.inputs[0]!, ...((op.inputs[2] ?? -1) >= 0 ? [op.inputs[2]!] : [])];
  if (op.op === 'RESHAPE') return [op.inputs[0]!];
  return op.inputs.filter((i) => i >= 0);
}

/**
 * A TFLite file converted from a framework without a PReLU operator writes PReLU out as `relu(x) + c·(x − |x|)`
 * (five operators, four activations the size of x). That is `prelu(x, 2c)`: one op. Returns, by the ADD's index,
 * the fused step and the indices of the four operators it replaces, when nothing else reads their outputs.
 */
function findPrelus(graph: TfliteGraph, constants: ReadonlyMap<number, tf.Tensor>): Map<number, { x: number; c: number; replaced: number[] }> {
  const ops = graph.operators;
  const producer = new Map(ops.map((o, k) => [o.outputs[0]!, k]));
  const readers = new Map<number, number>();
  for (const o of ops) for (const i of o.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const i of graph.outputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const made = (i: number | undefined, op: string) => {
    const k = i === undefined ? undefined : producer.get(i);
    return k !== undefined && ops[k]!.op === op && ops[k]!.activation === 'none' && readers.get(i!) === 1 ? k : undefined;
  };
  const found = new Map<number, { x: number; c: number; replaced: number[] }>();
  for (const [k, add] of ops.entries()) {
    if (add.op !== 'ADD' || add.activation !== 'none') continue;
    const relu = add.inputs.map((i) => made(i, 'RELU')).find((r) => r !== undefined);
    const mul = add.inputs.map((i) => made(i, 'MUL')).find((m) => m !== undefined);
    if (relu === undefined || mul === undefined) continue;
    const x = ops[relu]!.inputs[0]!;
    const c = ops[mul]!.inputs.find((i) => constants.has(i));
    const sub = made(ops[mul]!.inputs.find((i) => !constants.has(i)), 'SUB');
    if (c === undefined || sub === undefined || ops[sub]!.inputs[0] !== x) continue;
    const abs = made(ops[sub]!.inputs[1], 'ABS');
    if (abs === undefined || ops[abs]!.inputs[0] !== x) continue;
    found.set(k, { x, c, replaced: [relu, mul, sub, abs] });
  }
  return found;
}

/**
 * A float32 TFLite network as an {@link EmbeddingNet}: one input `[n, h, w, 3]`, one output `[n, …]` read as the
 * embedding. The batch size stored in the file does not bind: RESHAPE keeps the batch in its first dimension.
 */
export class TfliteNet implements EmbeddingNet {
  private readonly constants = new Map<number, tf.Tensor>();
  private readonly steps: Step[] = [];
  /** Per step, the activations read for the last time by it (freed after it). */
  private readonly lastReadBy: number[][] = [];
  private readonly input: number;
  private readonly output: number;

  constructor(private readonly graph: TfliteGraph, readonly source: string) {
    if (graph.inputs.length !== 1 || graph.outputs.length !== 1) throw new ModelFormatError(source, `has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs; an embedding network has one of each`);
    this.input = graph.inputs[0]!;
    this.output = graph.outputs[0]!;
    try {
      this.build();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  private build(): void {
    const { tensors, operators } = this.graph;
    for (const [i, t] of tensors.entries()) {
      if (!t.data) continue;
      const copy = t.data.slice();
      const values = t.type === TFLITE_FLOAT32 ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
      this.constants.set(i, tf.tensor(values, [...t.shape], t.type === TFLITE_FLOAT32 ? 'float32' : 'int32'));
    }
    const prelus = findPrelus(this.graph, this.constants);
    const skipped = new Set([...prelus.values()].flatMap((p) => p.replaced));
    const available = new Set([this.input, ...this.constants.keys()]);
    const lastRead = new Map<number, number>();
    for (const [k, op] of operators.entries()) {
      if (skipped.has(k)) continue;
      const prelu = prelus.get(k);
      const reads = prelu ? [prelu.x] : op.inputs.filter((i) => i >= 0);
      const missing = reads.find((i) => !available.has(i));
      if (missing !== undefined) throw new ModelFormatError(this.source, `operator ${k} (${op.op}) reads tensor "${tensors[missing]!.name}" before any operator writes it`);
      if (prelu) {
        const alpha = tf.tidy(() => tf.mul(this.constants.get(prelu.c)!, 2));
        this.steps.push({ kind: 'prelu', x: prelu.x, alpha, output: op.outputs[0]! });
      } else {
        this.steps.push({ kind: 'op', op, ...(op.conv ? { filter: this.filter(k, op) } : {}) });
      }
      for (const i of reads) lastRead.set(i, this.steps.length - 1);
      available.add(op.outputs[0]!);
    }
    if (!available.has(this.output)) throw new ModelFormatError(this.source, 'no operator writes the graph output');
    for (const [i, s] of lastRead) {
      if (i === this.input || i === this.output || this.constants.has(i)) continue;
      (this.lastReadBy[s] ??= []).push(i);
    }
    // Constants no step reads as they are (filters kept in tfjs's layout, a PReLU's c, reshape targets) are freed.
    const read = new Set(this.steps.flatMap((step) => (step.kind === 'prelu' ? [step.x] : runInputs(step.op))));
    for (const [i, t] of this.constants) {
      if (read.has(i)) continue;
      t.dispose();
      this.constants.delete(i);
    }
  }

  /** The filter in tfjs's layout: CONV_2D's [out, h, w, in] → [h, w, in, out]; DEPTHWISE's [1, h, w, in·m] → [h, w, in, m]. */
  private filter(k: number, op: TfliteOperator): tf.Tensor4D {
    const weights = this.constants.get(op.inputs[1]!);
    if (!weights || weights.rank !== 4 || weights.dtype !== 'float32') throw new ModelFormatError(this.source, `operator ${k} (${op.op}) has no constant 4-d float32 filter`);
    if (op.op === 'CONV_2D') return tf.transpose(weights, [1, 2, 3, 0]) as tf.Tensor4D;
    const [, h, w, channels] = weights.shape as [number, number, number, number];
    const m = op.conv!.depthMultiplier;
    if (m < 1 || channels % m !== 0) throw new ModelFormatError(this.source, `operator ${k} (DEPTHWISE_CONV_2D) has ${channels} filter channels and depth multiplier ${m}`);
    return tf.reshape(weights, [h, w, channels / m, m]);
  }

  /** Every float weight the run uses, for the load-time check that none is NaN or infinite. */
  weights(): Array<{ name: string; tensor: tf.Tensor }> {
    const name = (i: number) => this.graph.tensors[i]!.name;
    const constants = [...this.constants].filter(([, t]) => t.dtype === 'float32').map(([i, tensor]) => ({ name: name(i), tensor }));
    const own = this.steps.flatMap((s) => (s.kind === 'prelu' ? [{ name: `${name(s.output)} (PReLU slope)`, tensor: s.alpha }] : s.filter ? [{ name: name(s.op.inputs[1]!), tensor: s.filter as tf.Tensor }] : []));
    return [...constants, ...own];
  }

  /** How many ops a run takes (a written-out PReLU counts as one). */
  get stepCount(): number {
    return this.steps.length;
  }

  /** The declared input shape `[batch, h, w, c]`. */
  get inputShape(): readonly number[] {
    return this.graph.tensors[this.input]!.shape;
  }

  embed(batch: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const values = new Map<number, tf.Tensor>([[this.input, batch]]);
      const get = (i: number) => values.get(i) ?? this.constants.get(i)!;
      for (const [s, step] of this.steps.entries()) {
        const out = step.kind === 'prelu' ? tf.prelu(get(step.x), step.alpha) : this.run(step.op, step.filter, get);
        values.set(step.kind === 'prelu' ? step.output : step.op.outputs[0]!, out);
        // Activations are freed once read for the last time: a tidy alone would hold every layer's until the end.
        for (const i of this.lastReadBy[s] ?? []) {
          values.get(i)?.dispose();
          values.delete(i);
        }
      }
      const out = get(this.output);
      return tf.reshape(out, [batch.shape[0], -1]) as tf.Tensor2D;
    });
  }

  private run(op: TfliteOperator, filter: tf.Tensor4D | undefined, get: (i: number) => tf.Tensor): tf.Tensor {
    const [a, b] = runInputs(op).map(get);
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const { padding, activation } = op.conv!;
        const strides: [number, number] = [...op.conv!.strides];
        const dilations: [number, number] = [...op.conv!.dilations];
        const x = a as tf.Tensor4D;
        let y: tf.Tensor = op.op === 'CONV_2D' ? tf.conv2d(x, filter!, strides, padding, 'NHWC', dilations) : tf.depthwiseConv2d(x, filter!, strides, padding, 'NHWC', dilations);
        if (b) y = tf.add(y, b); // the bias, when the operator has one
        return activate(y, activation);
      }
      case 'ADD':
        return activate(tf.add(a!, b!), op.activation);
      case 'SUB':
        return activate(tf.sub(a!, b!), op.activation);
      case 'MUL':
        return activate(tf.mul(a!, b!), op.activation);
      case 'RELU':
        return tf.relu(a!);
      case 'ABS':
        return tf.abs(a!);
      case 'RESHAPE': {
        // The declared output shape with the batch left free (the file fixes its own batch size).
        const shape = [...this.graph.tensors[op.outputs[0]!]!.shape];
        if (shape.length > 0) shape[0] = -1;
        return tf.reshape(a!, shape);
      }
    }
  }

  dispose(): void {
    for (const t of this.constants.values()) t.dispose();
    for (const s of this.steps) {
      if (s.kind === 'prelu') s.alpha.dispose();
      else s.filter?.dispose();
    }
    this.constants.clear();
  }
}

/**
 * Parses a TFLite file and checks it as `signature` says (input shape, finite weights, one run giving
 * `outputSize` finite values per image).
 * @throws ModelFormatError naming `source`.
 */
export async function loadTfliteNet(bytes: Uint8Array, source: string, signature: NetworkSignature): Promise<TfliteNet> {
  const net = new TfliteNet(parseTflite(bytes, source), source);
  try {
    checkInputShape(net.inputShape, signature, source);
    await checkWeightValues(net.weights(), source);
    await warmUp((batch) => net.embed(batch), signature, source);
    return net;
  } catch (error) {
    net.dispose();
    throw error;
  }
}
