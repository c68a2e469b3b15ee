// Conv2DBackpropFilter for 'webgpu' as a split-K matrix product: dW[kh,kw,ci,co] = Σ x-patches · dy over batch × pixels.
import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { groups, type ProgramUniform, type WebGpuBackendLike, type WebGpuProgram } from './program.js';

/*
 * tfjs's kernel gives each filter weight one thread that loops over batch × output pixels: a 3×3×3×32 filter is
 * 864 threads doing 262,144 steps each at batch 64, 64×64 (115 ms of a 171 ms step on an H100). Here the same sum
 * is a product of an implicit im2col matrix A (M = kh·kw·ci rows, K = batch·oh·ow columns) with dy (K × co),
 * tiled through workgroup memory, and split along K so that even a small filter gets hundreds of workgroups; a
 * second pass adds the partial products.
 */

const THREADS = 16; // a workgroup is THREADS × THREADS
const TILE_K = 16;
/** Enough workgroups to fill a large GPU; more only adds partial sums. */
const TARGET_WORKGROUPS = 1024;
/** Fewest K steps one workgroup takes, so partial sums stay few. */
const MIN_K_PER_SPLIT = 256;

/** Rows (or columns) per thread: 4 for large dimensions, fewer for small ones so threads are not idle. */
function perThread(n: number): 1 | 2 | 4 {
  return n <= THREADS ? 1 : n <= 2 * THREADS ? 2 : 4;
}

class FilterGradProgram implements WebGpuProgram {
  variableNames = ['x', 'dy'];
  uniforms = 'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, outDims : vec2<i32>, dims : vec4<i32>,';
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  shaderKey: string;
  outputShape: number[];

  constructor(
    private readonly m: number,
    private readonly n: number,
    splits: number,
    private readonly wm: number,
    private readonly wn: number,
  ) {
    this.outputShape = [splits, m, n];
    this.dispatch = [groups(n, THREADS * wn), groups(m, THREADS * wm), splits];
    this.shaderKey = `facerecConv2DFilterGrad_${wm}_${wn}`;
  }

  getUserCode(): string {
    const tm = THREADS * this.wm;
    const tn = THREADS * this.wn;
    const loadsA = (TILE_K * tm) / (THREADS * THREADS);
    const loadsB = (TILE_K * tn) / (THREADS * THREADS);
    return `
  var<workgroup> tileA : array<f32, ${TILE_K * tm}>;
  var<workgroup> tileB : array<f32, ${TILE_K * tn}>;

  fn main() {
    let M = uniforms.dims.x;
    let N = uniforms.dims.y;
    let K = uniforms.dims.z;
    let kChunk = uniforms.dims.w;
    let ci = uniforms.xShape.w;
    let inH = uniforms.xShape.y;
    let inW = uniforms.xShape.z;
    let outH = uniforms.outDims.x;
    let outW = uniforms.outDims.y;
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let li = i32(localIndex);
    let row0 = i32(workgroupId.y) * ${tm};
    let col0 = i32(workgroupId.x) * ${tn};
    let kStart = i32(workgroupId.z) * kChunk;
    let kEnd = min(kStart + kChunk, K);

    // The A element this thread loads keeps its row (so its kh, kw, ci) for the whole loop.
    let aRow = li % ${tm};
    let r = row0 + aRow;
    let rc = r % ci;
    let rkw = (r / ci) % uniforms.filterDims.y;
    let rkh = r / (ci * uniforms.filterDims.y);
    let aK0 = li / ${tm};
    let bCol = li % ${tn};
    let bK0 = li / ${tn};

    var acc : array<array<f32, ${this.wn}>, ${this.wm}>;
    // The trip count comes from a uniform only: barriers must sit in uniform control flow.
    for (var t = 0; t < kChunk; t = t + ${TILE_K}) {
      let k0 = kStart + t;
      for (var l = 0; l < ${loadsA}; l = l + 1) {
        let kk = aK0 + l * ${(THREADS * THREADS) / tm};
        let k = k0 + kk;
        var v = 0.0;
        if (r < M && k < kEnd) {
          let ox = k % outW;
          let oy = (k / outW) % outH;
          let b = k / (outW * outH);
          let iy = oy * uniforms.strides.x + rkh - uniforms.pads.x;
          let ix = ox * uniforms.strides.y + rkw - uniforms.pads.y;
          if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
            v = x[((b * inH + iy) * inW + ix) * ci + rc];
          }
        }
        tileA[kk * ${tm} + aRow] = v;
      }
      for (var l = 0; l < ${loadsB}; l = l + 1) {
        let kk = bK0 + l * ${(THREADS * THREADS) / tn};
        let k = k0 + kk;
        let c = col0 + bCol;
        var v = 0.0;
        if (c < N && k < kEnd) {
          v = dy[k * N + c];
        }
        tileB[kk * ${tn} + bCol] = v;
      }
      workgroupBarrier();
      for (var kk = 0; kk < ${TILE_K}; kk = kk + 1) {
        var a : array<f32, ${this.wm}>;
        for (var i = 0; i < ${this.wm}; i = i + 1) { a[i] = tileA[kk * ${tm} + ty + i * ${THREADS}]; }
        for (var j = 0; j < ${this.wn}; j = j + 1) {
          let bv = tileB[kk * ${tn} + tx + j * ${THREADS}];
          for (var i = 0; i < ${this.wm}; i = i + 1) { acc[i][j] = fma(a[i], bv, acc[i][j]); }
        }
      }
      workgroupBarrier();
    }
    let base = i32(workgroupId.z) * M * N;
    for (var i = 0; i < ${this.wm}; i = i + 1) {
      let row = row0 + ty + i * ${THREADS};
      for (var j = 0; j < ${this.wn}; j = j + 1) {
        let col = col0 + tx + j * ${THREADS};
        if (row < M && col < N) { result[base + row * N + col] = acc[i][j]; }
      }
    }
  }
`;
  }
}

/** Adds the `splits` partial products [splits, size] into [size]. */
class SumSplitsProgram implements WebGpuProgram {
  variableNames = ['partial'];
  uniforms = 'splits : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  size = true;
  shaderKey = 'facerecSumSplits';
  constructor(public outputShape: number[]) {
    const n = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [groups(n, 64), 1, 1];
  }
  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var s = 0.0;
      for (var p = 0; p < uniforms.splits; p = p + 1) { s = s + partial[p * uniforms.size + index]; }
      result[index] = s;
    }
  }
`;
  }
}

/** How many K splits: enough workgroups, at least MIN_K_PER_SPLIT steps each, partials within a binding. */
function chooseSplits(m: number, n: number, k: number, wm: number, wn: number, maxBinding: number): number {
  const tiles = groups(m, THREADS * wm) * groups(n, THREADS * wn);
  const byWork = Math.ceil(TARGET_WORKGROUPS / tiles);
  const byK = Math.max(1, Math.floor(k / MIN_K_PER_SPLIT));
  const byMemory = Math.max(1, Math.floor(maxBinding / 4 / (m * n)));
  return Math.max(1, Math.min(byWork, byK, byMemory, 65535));
}

export interface FilterGradConfig {
  readonly splits: number;
  readonly kChunk: number;
}

/** The kernel, falling back to `stock` for layouts it does not handle (NCHW, non-float32). */
export function conv2dBackpropFilter(stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const backend = args.backend as unknown as WebGpuBackendLike;
    const attrs = args.attrs as unknown as {
      strides: [number, number] | number;
      pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
      if (!stock) throw new Error('Conv2DBackpropFilter: no stock webgpu kernel for this case');
      return stock(args);
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const m = info.filterHeight * info.filterWidth * info.inChannels;
    const n = info.outChannels;
    const k = info.batchSize * info.outHeight * info.outWidth;
    const wm = perThread(m), wn = perThread(n);
    const splits = chooseSplits(m, n, k, wm, wn, backend.device.limits.maxStorageBufferBindingSize);
    // Whole TILE_K steps per split, so no workgroup straddles two splits' K ranges.
    const kChunk = Math.ceil(Math.ceil(k / splits) / TILE_K) * TILE_K;
    const used = Math.ceil(k / kChunk);
    const uniforms: ProgramUniform[] = [
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      { type: 'int32', data: [info.filterHeight, info.filterWidth] },
      { type: 'int32', data: [info.outHeight, info.outWidth] },
      { type: 'int32', data: [m, n, k, kChunk] },
    ];
    const partial = backend.runWebGPUProgram(new FilterGradProgram(m, n, used, wm, wn), [x, dy], 'float32', uniforms);
    if (used === 1) return { dataId: partial.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
    const out = backend.runWebGPUProgram(new SumSplitsProgram([...attrs.filterShape]), [partial], 'float32', [{ type: 'int32', data: [used] }]);
    backend.disposeData(partial.dataId);
    return out;
  };
}
