// Test helpers for the WASM kernels: run one computation on cpu and on wasm with the same inputs and compare.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initWasmBackend, type WasmBackendInfo } from '../../src/backends/wasm/index';

let info: WasmBackendInfo | null = null;

/** Starts the threaded wasm backend with facerec's kernels once per test file. */
export async function setUpWasm(): Promise<WasmBackendInfo> {
  info ??= await initWasmBackend({ threads: 2 });
  return info;
}

/** Deterministic pseudo-random values in [-1, 1) (own LCG, so inputs do not depend on the backend). */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

export interface InputSpec {
  shape: number[];
  values?: Float32Array;
  dtype?: 'float32' | 'int32';
}

/** Runs `fn` on `backend` with fresh tensors made from `inputs`; returns the outputs' values and shapes. */
export function runOn(backend: string, inputs: InputSpec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((s, i) => tf.tensor(s.values ?? randomValues(s.shape.reduce((a, b) => a * b, 1), i + 1), s.shape, s.dtype ?? 'float32'));
    const out = fn(...xs);
    const outs = Array.isArray(out) ? out : [out];
    return outs.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  });
}

/**
 * Asserts wasm matches cpu: |a - b| <= atol + rtol * |b| elementwise, where the tolerances are scaled by
 * the largest |b| so sums of many terms are judged against their magnitude.
 */
export function expectClose(a: { shape: number[]; values: Float32Array }[], b: { shape: number[]; values: Float32Array }[], rtol = 1e-4) {
  expect(a.length).toBe(b.length);
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!, y = b[k]!;
    expect(x.shape).toEqual(y.shape);
    let scale = 1;
    for (const v of y.values) scale = Math.max(scale, Math.abs(v));
    let worst = 0, at = -1;
    for (let i = 0; i < y.values.length; i++) {
      const d = Math.abs(x.values[i]! - y.values[i]!);
      if (!(d <= rtol * scale) && !(Number.isNaN(x.values[i]) && Number.isNaN(y.values[i]))) {
        if (d > worst || Number.isNaN(d)) (worst = d), (at = i);
      }
    }
    expect(at, `output ${k}: element ${at} wasm ${x.values[at]} cpu ${y.values[at]} (scale ${scale})`).toBe(-1);
  }
}

/** Runs `fn` on both backends and compares (rtol relative to the output's largest magnitude). */
export function compareWithCpu(inputs: InputSpec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], rtol = 1e-4) {
  const cpu = runOn('cpu', inputs, fn);
  const wasm = runOn('wasm', inputs, fn);
  expectClose(wasm, cpu, rtol);
  return wasm;
}

/** Shorthand for running one kernel directly (ops like conv2DBackpropFilter are not exported by tfjs). */
export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}
