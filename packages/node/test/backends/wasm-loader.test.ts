// initWasmBackend: threaded start in Node, idempotence, clean process exit, training bit-identical across thread counts.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../../src/backends/wasm/index';

// A program run in fresh Node processes: starts the backend with argv[2] threads, trains a tiny seeded
// convnet for 3 Adam steps and prints a hash of the weights. It never calls process.exit.
const PROGRAM = `
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initWasmBackend } from '../../src/backends/wasm/index';
const info = await initWasmBackend({ threads: Number(process.argv[2]) });
const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
const model = tfl.sequential({ layers: [
  tfl.layers.conv2d({ inputShape: [20, 20, 3], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
  tfl.layers.maxPooling2d({ poolSize: 2 }),
  tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
  tfl.layers.maxPooling2d({ poolSize: 2 }),
  tfl.layers.flatten(),
  tfl.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: init(3) }),
] });
const opt = tf.train.adam(1e-2);
const x = tf.randomNormal([6, 20, 20, 3], 0, 1, 'float32', 5);
const y = tf.oneHot(tf.randomUniform([6], 0, 5, 'int32', 6), 5);
for (let i = 0; i < 3; i++) opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true)!.dispose();
const h = createHash('sha256');
for (const w of model.getWeights()) h.update(Buffer.from(w.dataSync().buffer));
console.log('ok', info.threads, info.threaded, h.digest('hex'));
`;

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, `.wasm-program-${process.pid}.ts`);
const bundle = join(here, `.wasm-program-${process.pid}.mjs`);

function runProgram(threads: number): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bundle, String(threads)], { encoding: 'utf8', timeout: 90_000 });
}

describe('initWasmBackend', () => {
  beforeAll(async () => {
    // Bundled next to this file so that it resolves @tensorflow/*; deleted afterwards.
    writeFileSync(entry, PROGRAM);
    // esbuild is not a dependency of this package; use the one tsup brings.
    const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as {
      build(options: Record<string, unknown>): Promise<unknown>;
    };
    await esbuild.build({ entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['@tensorflow/*'], logLevel: 'silent' });
  });
  afterAll(() => {
    rmSync(entry, { force: true });
    rmSync(bundle, { force: true });
  });

  it('starts the threaded wasm backend with facerec kernels, once', async () => {
    const info = await initWasmBackend({ threads: 2 });
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBe(2);
    expect(info.threaded).toBe(true);
    expect(info.simd).toBe(true);
    expect(info.fallbackReason).toBeUndefined();
    // Node 20 implements relaxed SIMD behind a flag the loader turns on; Node 22+ has it on by default.
    expect(info.relaxedSimd).toBe(true);
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'FacerecAdamUpdate']) {
      expect(info.fastKernels).toContain(k);
      expect(tf.getKernel(k, 'wasm')).toBeDefined();
    }
    const again = await initWasmBackend({ threads: 1 });
    expect(again).toBe(info);
  });

  it('lets the process exit on its own and trains bit-identically with 1, 2 or 3 threads', () => {
    const runs = [1, 2, 3].map(runProgram);
    for (const [i, r] of runs.entries()) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`ok ${i + 1} ${i > 0}`);
    }
    const hashes = runs.map((r) => r.stdout.trim().split(' ').pop());
    expect(hashes[1]).toBe(hashes[0]);
    expect(hashes[2]).toBe(hashes[0]);
  });
});
