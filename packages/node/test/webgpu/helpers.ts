// Test helpers for the WebGPU backend: start it (or say why not), run computations on cpu and webgpu, compare.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { onWebGpuError, type WebGpuErrorReport } from '@facerec/core';
import { initWebGpuBackend, type WebGpuBackendInfo } from '../../src/backends/webgpu/index';

export { randomValues } from '../kernels/helpers';
import { randomValues } from '../kernels/helpers';

/** The backend, or why there is none. Where an adapter is required (see ADAPTER_REQUIRED), its absence is a failure. */
export interface GpuProbe {
  readonly info: WebGpuBackendInfo | null;
  readonly reason: string;
}

/**
 * An adapter must be found in CI (CI=true) and under `pnpm test` (FACEREC_REQUIRE_WEBGPU=1), whose first step,
 * scripts/install-system-deps.sh, installs Mesa's lavapipe: a broken install must not pass as skipped tests.
 */
export const ADAPTER_REQUIRED = process.env['CI'] === 'true' || process.env['FACEREC_REQUIRE_WEBGPU'] === '1';

/**
 * Adds a failing test when no adapter was found where one is required; call once per test file beside the skipIf.
 * Registered only then, so that it is not counted as a skipped test everywhere else.
 */
export function failWithoutRequiredAdapter(gpu: GpuProbe): void {
  if (gpu.info || !ADAPTER_REQUIRED) return;
  describe('WebGPU adapter', () => {
    it('is found (scripts/install-system-deps.sh installs Mesa lavapipe)', () => {
      expect.fail(`no WebGPU adapter, though one is required here (CI=true or FACEREC_REQUIRE_WEBGPU=1): ${gpu.reason}`);
    });
  });
}

/** Starts webgpu on any adapter (lavapipe included). Never throws: the reason goes into the probe. */
export async function probeWebGpu(): Promise<GpuProbe> {
  try {
    const info = await initWebGpuBackend({ allowSoftwareAdapter: true });
    return { info, reason: `on ${info.adapter}` };
  } catch (e) {
    return { info: null, reason: `(skipped: no WebGPU adapter: ${e instanceof Error ? e.message : String(e)}; run bash scripts/install-system-deps.sh)` };
  }
}

/** WebGPU errors reported since the last call; tfjs ignores a shader that failed to compile, so tests must not. */
const errors: WebGpuErrorReport[] = [];
onWebGpuError((report) => errors.push(report));
export function takeGpuErrors(): WebGpuErrorReport[] {
  return errors.splice(0);
}

export interface InputSpec {
  readonly shape: number[];
  readonly values?: Float32Array;
}
export interface Output {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Runs `fn` on `backend` with tensors made from `inputs`; reads results with `data()` (dataSync throws on webgpu in Node). */
export async function runOn(backend: string, inputs: readonly InputSpec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Output[]> {
  tf.setBackend(backend);
  const outs = tf.tidy(() => {
    const xs = inputs.map((s, i) => tf.tensor(s.values ?? randomValues(s.shape.reduce((a, b) => a * b, 1), i + 1), s.shape, 'float32'));
    const out = fn(...xs);
    return Array.isArray(out) ? out : [out];
  });
  try {
    return await Promise.all(outs.map(async (t) => ({ shape: t.shape, values: (await t.data()) as Float32Array })));
  } finally {
    tf.dispose(outs);
  }
}

/**
 * Asserts |a - b| <= rtol · max|b| for every element (b is the cpu result): sums of many terms are judged against
 * their magnitude, as in the wasm kernel tests. Returns the worst relative error seen.
 */
export function expectClose(a: readonly Output[], b: readonly Output[], rtol: number, what = 'output'): number {
  expect(a.length).toBe(b.length);
  let worstRel = 0;
  a.forEach((x, k) => {
    const y = b[k]!;
    expect(x.shape, `${what} ${k} shape`).toEqual(y.shape);
    let scale = 1e-6;
    for (const v of y.values) scale = Math.max(scale, Math.abs(v));
    let worst = 0, at = 0;
    for (let i = 0; i < y.values.length; i++) {
      const d = Math.abs(x.values[i]! - y.values[i]!);
      if (!(d <= worst)) (worst = d), (at = i);
    }
    worstRel = Math.max(worstRel, worst / scale);
    expect(worst / scale, `${what} ${k}: element ${at} is ${x.values[at]} on webgpu, ${y.values[at]} on cpu (max |cpu| ${scale})`).toBeLessThanOrEqual(rtol);
  });
  return worstRel;
}

/** Runs `fn` on cpu and on webgpu with the same inputs and asserts they agree within `rtol`. */
export async function compareWithCpu(inputs: readonly InputSpec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], rtol = 1e-4): Promise<number> {
  const want = await runOn('cpu', inputs, fn);
  const got = await runOn('webgpu', inputs, fn);
  expect(takeGpuErrors(), 'WebGPU errors').toEqual([]);
  return expectClose(got, want, rtol);
}
