// MaxPool (2x2 stride-2 fast path) and MaxPoolGrad (2x2 stride-2 SIMD path plus a general one), NHWC float32.
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { JOB } from '../jobs.js';
import { fallback, isF32, parallel, type KernelCall, type KernelFactory } from './common.js';

function poolInfo(x: TensorInfo, attrs: KernelCall['attrs']): backend_util.Conv2DInfo {
  const a = attrs ?? {};
  return backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize as number | [number, number],
    a.strides as number | [number, number],
    1,
    a.pad as 'valid' | 'same' | number | backend_util.ExplicitPadding,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/** The unpadded 2x2 stride-2 window every common CNN uses; windows tile the input without overlap. */
function isTwoByTwo(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth
  );
}

export const maxPool: KernelFactory = (rt, stock) => (call) => {
  const { x } = call.inputs as { x: TensorInfo };
  if (!isF32(x) || x.shape.length !== 4) return fallback(stock, 'MaxPool', call, 'unsupported case');
  const info = poolInfo(x, call.attrs);
  if (!isTwoByTwo(info)) return fallback(stock, 'MaxPool', call, 'unsupported case');
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  const out = rt.output([N, Ho, Wo, C]);
  if (N * Ho * Wo * C === 0) return out;
  rt.run(JOB.MAXPOOL_2X2, [rt.offset(x), rt.offset(out), N, H, W, C, Ho, Wo], parallel(N * H * W * C));
  return out;
};

export const maxPoolGrad: KernelFactory = (rt, stock) => (call) => {
  const { dy, input } = call.inputs as { dy: TensorInfo; input: TensorInfo };
  if (!isF32(dy, input) || input.shape.length !== 4) return fallback(stock, 'MaxPoolGrad', call, 'unsupported case');
  const info = poolInfo(input, call.attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  if (N * H * W * C === 0) return rt.output(input.shape);
  if (Ho * Wo === 0) return rt.zeros(input.shape);
  const out = rt.output(input.shape);
  if (isTwoByTwo(info)) {
    rt.run(JOB.MAXPOOL_GRAD_2X2, [rt.offset(input), rt.offset(dy), rt.offset(out), N, H, W, C, Ho, Wo], parallel(N * H * W * C));
  } else {
    rt.run(
      JOB.MAXPOOL_GRAD,
      [
        rt.offset(input), rt.offset(dy), rt.offset(out), N, H, W, C, Ho, Wo,
        info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
        info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
      ],
      N > 1 && parallel(N * H * W * C),
    );
  }
  return out;
};
