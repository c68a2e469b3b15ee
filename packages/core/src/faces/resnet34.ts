// dlib's ResNet-34 face descriptor (128-d, 150×150), built with tfjs ops from face-api's weight manifest and file.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ModelFormatError } from '../errors/index.js';
import type { EmbeddingNet, EmbeddingNetSplit } from './embedder.js';
import { centreTap, convWithInputGradient, gradientKernels, inputGradient, reluMask, type FixedConv } from './conv-input-gradient.js';
import { checkWeightValues, warmUp } from './model-checks.js';

/** One convolution with its affine "scale" layer folded in: y = conv(x, filters) + bias. */
interface FoldedConv {
  readonly filters: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
}

/** Blocks in order: name, whether it halves the resolution. The stem (`conv32_down`) and `fc` are separate. */
const BLOCKS: ReadonlyArray<readonly [string, boolean]> = [
  ['conv32_1', false], ['conv32_2', false], ['conv32_3', false],
  ['conv64_down', true], ['conv64_1', false], ['conv64_2', false], ['conv64_3', false],
  ['conv128_down', true], ['conv128_1', false], ['conv128_2', false],
  ['conv256_down', true], ['conv256_1', false], ['conv256_2', false], ['conv256_down_out', true],
];

/** The names of the network's residual blocks in order, where {@link ResNet34Descriptor.split} can cut it. */
export const RESNET34_BLOCKS: readonly string[] = BLOCKS.map(([name]) => name);

/** Output channels of a block, from its name (`conv64_2` → 64). */
function blockChannels(name: string): number {
  return Number(/^conv(\d+)/.exec(name)![1]);
}

/** Side of the network's input crops, pixels. */
const INPUT_SIZE = 150;

/** dlib's mean face colour (RGB), subtracted before scaling to about −0.5..0.5. */
const MEAN_RGB = [122.782, 117.001, 104.298] as const;

/**
 * Folds dlib's input scaling, (x − mean) / 255, into the stem: conv((x − m)/255, w) + b =
 * conv(x, w/255) + b − Σ w·m/255. Exact because the stem pads nothing ('valid'), and it saves two
 * full-image elementwise passes per batch.
 */
function foldInputScaling(stem: FoldedConv): FoldedConv {
  const folded = tf.tidy(() => {
    const filters = tf.div(stem.filters, 255) as tf.Tensor4D;
    const meanTerm = tf.sum(tf.mul(filters, tf.reshape(tf.tensor1d([...MEAN_RGB]), [1, 1, 3, 1])), [0, 1, 2]);
    return { filters: tf.keep(filters), bias: tf.keep(tf.sub(stem.bias, meanTerm)) as tf.Tensor1D };
  });
  stem.filters.dispose();
  stem.bias.dispose();
  return folded;
}

/**
 * The ResNet-34 of dlib's `dlib_face_recognition_resnet_model_v1` (as converted by face-api:
 * `face_recognition_model-weights_manifest.json` + `.bin`). Each convolution's scale layer is folded into
 * its filters and bias once at load, so inference runs one fused conv per layer.
 */
export class ResNet34Descriptor implements EmbeddingNet {
  private readonly flipped = new Map<string, tf.Tensor4D[]>();
  /** Centre taps of the layers whose input gradient was taken on a single position (dlib's last block). */
  private readonly centres = new Map<string, tf.Tensor2D>();
  /** Uniform crops' activations per layer and level (integrated gradients' grey reference). */
  private readonly baselines = new Map<string, tf.Tensor4D>();

  private constructor(private readonly convs: Map<string, FoldedConv>, private readonly fc: tf.Tensor2D, readonly source: string) {}

  /**
   * Builds the network from a tfjs weights manifest (parsed JSON) and its weight bytes, checking every
   * weight's shape against dlib's architecture. {@link ResNet34Descriptor.check} then checks the values.
   * @throws ModelFormatError naming `source` when a weight is missing or misshapen or the bytes are truncated.
   */
  static fromWeights(manifest: unknown, weights: readonly Uint8Array[], source: string): ResNet34Descriptor {
    if (!Array.isArray(manifest)) throw new ModelFormatError(source, 'expected a weights manifest (a JSON array of weight groups)');
    const specs = manifest.flatMap((g: { weights?: tf.io.WeightsManifestEntry[] }) => g.weights ?? []);
    if (!specs.every((s) => s !== null && typeof s === 'object' && typeof s.name === 'string' && Array.isArray(s.shape) && s.shape.every((d) => Number.isInteger(d) && d >= 0))) {
      throw new ModelFormatError(source, 'a manifest entry lacks a name or an integer shape');
    }
    const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.quantization ? 1 : 4), 0);
    const actual = weights.reduce((n, w) => n + w.byteLength, 0);
    if (actual !== expected) throw new ModelFormatError(source, `weight file is ${actual < expected ? 'truncated' : 'too long'}: ${actual} bytes, the manifest needs ${expected}`);
    const bytes = new Uint8Array(actual);
    let offset = 0;
    for (const w of weights) { bytes.set(w, offset); offset += w.byteLength; }
    let map: tf.NamedTensorMap;
    try {
      map = tf.io.decodeWeights(bytes.buffer, specs);
    } catch (error) {
      throw new ModelFormatError(source, `cannot decode the weights (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    try {
      const take = (name: string, shape: readonly number[]): tf.Tensor => {
        const t = map[name];
        if (!t || t.rank !== shape.length) throw new ModelFormatError(source, `weight ${name} is missing or not rank ${shape.length}; is this face-api's face_recognition_model?`);
        if (t.shape.some((d, i) => d !== shape[i])) throw new ModelFormatError(source, `weight ${name} has shape [${t.shape.join(', ')}], dlib's ResNet-34 needs [${shape.join(', ')}]; is this face-api's face_recognition_model?`);
        return t;
      };
      const fold = (prefix: string, size: number, inputs: number, outputs: number): FoldedConv => tf.tidy(() => {
        const filters = take(`${prefix}/conv/filters`, [size, size, inputs, outputs]) as tf.Tensor4D;
        const scale = take(`${prefix}/scale/weights`, [outputs]);
        const shift = take(`${prefix}/scale/biases`, [outputs]);
        // (conv(x, w) + b)·s + β = conv(x, w·s) + (b·s + β): one fused op at run time.
        return { filters: tf.keep(tf.mul(filters, scale)) as tf.Tensor4D, bias: tf.keep(tf.add(tf.mul(take(`${prefix}/conv/bias`, [outputs]), scale), shift)) as tf.Tensor1D };
      });
      const convs = new Map<string, FoldedConv>();
      try {
        convs.set('conv32_down', foldInputScaling(fold('conv32_down', 7, 3, 32)));
        let channels = 32;
        for (const [name] of BLOCKS) {
          const out = blockChannels(name);
          convs.set(`${name}/conv1`, fold(`${name}/conv1`, 3, channels, out));
          convs.set(`${name}/conv2`, fold(`${name}/conv2`, 3, out, out));
          channels = out;
        }
        return new ResNet34Descriptor(convs, tf.clone(take('fc', [256, 128])) as tf.Tensor2D, source);
      } catch (error) {
        for (const c of convs.values()) { c.filters.dispose(); c.bias.dispose(); }
        throw error;
      }
    } finally {
      Object.values(map).forEach((t) => t.dispose());
    }
  }

  /**
   * Checks that the weights are finite and that a grey face gives 128 finite values, so a weight file of
   * the right size but the wrong content fails at load.
   * @throws ModelFormatError naming the source.
   */
  async check(): Promise<void> {
    const weights = [...this.convs].flatMap(([name, c]) => [{ name: `${name}/filters`, tensor: c.filters as tf.Tensor }, { name: `${name}/bias`, tensor: c.bias as tf.Tensor }]);
    await checkWeightValues([...weights, { name: 'fc', tensor: this.fc }], this.source);
    await warmUp((batch) => this.embed(tf.mul(batch, 255) as tf.Tensor4D), { what: "dlib's ResNet-34", input: [150, 150, 3], outputSize: 128 }, this.source);
  }

  /** `[n, 150, 150, 3]` RGB in 0..255 → `[n, 128]` descriptors (not normalised). */
  embed(batch: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      // The stem's weights include dlib's input scaling (see foldInputScaling).
      let x = this.conv('conv32_down', batch, 2, true, 'valid');
      x = tf.maxPool(x, 3, 2, 'valid');
      for (const [name, down] of BLOCKS) x = down ? this.downBlock(name, x) : this.block(name, x);
      return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.fc);
    });
  }

  /**
   * The network cut after block `stage` (a name of {@link RESNET34_BLOCKS}, or `'input'` before everything). After the last block the head is the
   * average pool and the fc layer, which is linear: the similarity then splits exactly over the 2×2 cells.
   * @throws InvalidArgumentError for an unknown block name.
   */
  split(stage: string): EmbeddingNetSplit {
    // 'input': cut before the stem, so the head is the whole network (gradients with respect to the pixels).
    const at = stage === 'input' ? -1 : BLOCKS.findIndex(([name]) => name === stage);
    if (at < 0 && stage !== 'input') throw new InvalidArgumentError('stage', `"${stage}" is not a block of dlib's ResNet-34; use one of input, ${RESNET34_BLOCKS.join(', ')}`);
    const features = (batch: tf.Tensor4D) => tf.tidy(() => {
      if (at < 0) return tf.clone(batch);
      let x = this.stem(batch, true);
      for (const [name, down] of BLOCKS.slice(0, at + 1)) x = down ? this.downBlock(name, x) : this.block(name, x);
      return x;
    });
    return {
      features,
      baseline: (value) => {
        const key = `${stage}:${value}`;
        let kept = this.baselines.get(key);
        if (!kept) this.baselines.set(key, kept = tf.keep(tf.tidy(() => features(tf.fill([1, INPUT_SIZE, INPUT_SIZE, 3], value) as tf.Tensor4D))));
        return kept;
      },
      // Convolutions differentiable in their input only: tfjs's fused gradient also computes the filters', which its WASM backend cannot.
      head: (features) => this.after(at, features, false),
      forward: (features) => this.after(at, features, true),
      ...(at >= 0 ? { headGradient: (rows: tf.Tensor4D, count: number, outer: (e: tf.Tensor2D) => tf.Tensor2D) => this.headGradient(at, rows, count, outer) } : {}),
      linearHead: at === BLOCKS.length - 1,
    };
  }

  /** The network after block `at` (-1: the whole network), its convolutions fused or differentiable in their input. */
  private after(at: number, features: tf.Tensor4D, fused: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let x = at < 0 ? this.stem(features, fused) : features;
      for (const [name, down] of BLOCKS.slice(at + 1)) x = down ? this.downBlock(name, x, fused) : this.block(name, x, fused);
      return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.fc);
    });
  }

  /**
   * The blocks after `at` over all rows (fused convolutions), keeping each block's input, inner activation and output;
   * then, for the first `count` rows, the backward pass written out: relu masks, each convolution's input gradient
   * ({@link inputGradient}), and the down blocks' average-pool shortcuts.
   */
  private headGradient(at: number, rows: tf.Tensor4D, count: number, outer: (embeddings: tf.Tensor2D) => tf.Tensor2D): { embeddings: tf.Tensor2D; grad: tf.Tensor4D } {
    return tf.tidy((): { embeddings: tf.Tensor2D; grad: tf.Tensor4D } => {
      const kept: Array<{ name: string; down: boolean; x: tf.Tensor4D; h: tf.Tensor4D; y: readonly number[]; out: tf.Tensor4D }> = [];
      let x = rows;
      for (const [name, down] of BLOCKS.slice(at + 1)) {
        const [h, y] = this.blockConvs(name, down, x);
        const out = down ? this.downSum(x, y) : tf.relu(tf.add(y, x)) as tf.Tensor4D;
        kept.push({ name, down, x, h, y: y.shape, out });
        x = out;
      }
      const [, H, W, C] = x.shape;
      const embeddings = tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, this.fc) as tf.Tensor2D;
      // The mean's gradient: each position gets 1/(H·W) of the pooled vector's.
      const pooled = tf.div(tf.matMul(outer(embeddings), this.fc, false, true), H * W);
      let d = tf.mul(tf.reshape(pooled, [count, 1, 1, C]), tf.ones([1, H, W, 1])) as tf.Tensor4D;
      const first = (t: tf.Tensor4D) => (t.shape[0] === count ? t : tf.slice(t, 0, count));
      for (const { name, down, x: input, h, y, out } of kept.reverse()) {
        const sum = reluMask(d, first(out));
        const [, , , ci] = input.shape;
        const [conv1, conv2] = this.blockLayers(name, down);
        // conv2's output may be a row/column short of the block's (see downBlock): its gradient is the top-left part.
        const dy = sum.shape[1] === y[1] && sum.shape[2] === y[2] ? sum : tf.slice(sum, [0, 0, 0, 0], [count, y[1]!, y[2]!, sum.shape[3]]);
        const dh = reluMask(this.inputGradient(`${name}/conv2`, dy, conv2, [count, ...h.shape.slice(1)]), first(h));
        const dx = this.inputGradient(`${name}/conv1`, dh, conv1, [count, ...input.shape.slice(1)]);
        if (!down) d = tf.add(dx, sum);
        else {
          // The shortcut: a 2×2 average pool of the input, with zero channels appended.
          const shortcut = ci < sum.shape[3] ? tf.slice(sum, [0, 0, 0, 0], [count, sum.shape[1], sum.shape[2], ci]) : sum;
          const pooled = tf.engine().runKernel(tf.AvgPoolGrad, { dy: shortcut, input: first(input) }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor4D;
          d = tf.add(dx, pooled);
        }
      }
      return { embeddings, grad: d };
    });
  }

  /** Layer `name` as a {@link FixedConv}. */
  private layer(name: string, stride: 1 | 2, relu: boolean, pad: 'same' | 'valid'): FixedConv {
    return { ...this.convs.get(name)!, stride, pad, relu };
  }

  /** Layer `name`'s input gradient for `g` (its output's gradient, after the relu mask) and an input of `shape`. */
  private inputGradient(name: string, g: tf.Tensor4D, layer: FixedConv, shape: readonly number[]): tf.Tensor4D {
    return inputGradient(g, layer, shape, () => this.gradientKernels(name, layer), () => this.centreTap(name, layer));
  }

  /** The stem: dlib's 7×7 stride-2 convolution and 3×3 stride-2 max pool. */
  private stem(x: tf.Tensor4D, fused: boolean): tf.Tensor4D {
    return tf.maxPool(this.conv('conv32_down', x, 2, true, 'valid', fused), 3, 2, 'valid') as tf.Tensor4D;
  }

  /** Frees the weights. */
  dispose(): void {
    for (const c of this.convs.values()) { c.filters.dispose(); c.bias.dispose(); }
    for (const kernels of this.flipped.values()) kernels.forEach((k) => k.dispose());
    for (const tap of this.centres.values()) tap.dispose();
    for (const t of this.baselines.values()) t.dispose();
    this.fc.dispose();
  }

  private conv(name: string, x: tf.Tensor4D, stride: 1 | 2, relu: boolean, pad: 'same' | 'valid', fused = true): tf.Tensor4D {
    const c = this.convs.get(name)!;
    if (fused) return tf.fused.conv2d({ x, filter: c.filters, strides: stride, pad, bias: c.bias, activation: relu ? 'relu' : 'linear' });
    const layer = this.layer(name, stride, relu, pad);
    return convWithInputGradient(x, layer, () => this.gradientKernels(name, layer), () => this.centreTap(name, layer));
  }

  /** Layer `name`'s filters for its input gradient, made on first use and kept (backends pack a filter tensor once). */
  private gradientKernels(name: string, layer: FixedConv): tf.Tensor4D[] {
    let kernels = this.flipped.get(name);
    if (!kernels) this.flipped.set(name, kernels = gradientKernels(layer).map((k) => tf.keep(k)));
    return kernels;
  }

  /** Layer `name`'s centre tap for an input gradient on a single position, made on first use and kept. */
  private centreTap(name: string, layer: FixedConv): tf.Tensor2D {
    let tap = this.centres.get(name);
    if (!tap) this.centres.set(name, tap = tf.keep(centreTap(layer)));
    return tap;
  }

  /** A block's two convolutions: the first (with relu) halves the resolution in a down block, the second is linear. */
  private blockLayers(name: string, down: boolean): [FixedConv, FixedConv] {
    return [this.layer(`${name}/conv1`, down ? 2 : 1, true, down ? 'valid' : 'same'), this.layer(`${name}/conv2`, 1, false, 'same')];
  }

  /** A block's two convolutions on `x`: the first's output and the second's. */
  private blockConvs(name: string, down: boolean, x: tf.Tensor4D, fused = true): [tf.Tensor4D, tf.Tensor4D] {
    const [conv1, conv2] = this.blockLayers(name, down);
    const h = this.conv(`${name}/conv1`, x, conv1.stride, conv1.relu, conv1.pad, fused);
    return [h, this.conv(`${name}/conv2`, h, conv2.stride, conv2.relu, conv2.pad, fused)];
  }

  private block(name: string, x: tf.Tensor4D, fused = true): tf.Tensor4D {
    const [, y] = this.blockConvs(name, false, x, fused);
    return tf.relu(tf.add(y, x)) as tf.Tensor4D;
  }

  /** Halves the resolution; the shortcut is a 2×2 average with zero channels appended (dlib's "avg_pool + pad"). */
  private downBlock(name: string, x: tf.Tensor4D, fused = true): tf.Tensor4D {
    return this.downSum(x, this.blockConvs(name, true, x, fused)[1]);
  }

  /** A down block's output from its input and its second convolution's output `y`. */
  private downSum(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
    let shortcut = tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D;
    const [, sh, sw, sc] = shortcut.shape;
    const [, yh, yw, yc] = y.shape;
    // A strided valid conv can come out one row/column short of the pooled shortcut: pad it with zeros.
    if (yh < sh || yw < sw) y = tf.pad(y, [[0, 0], [0, sh - yh], [0, sw - yw], [0, 0]]);
    if (sc < yc) shortcut = tf.pad(shortcut, [[0, 0], [0, 0], [0, 0], [0, yc - sc]]);
    return tf.relu(tf.add(y, shortcut)) as tf.Tensor4D;
  }
}
