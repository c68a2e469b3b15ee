// The CLI with --backend gpu: train, eval and predict run on WebGPU end to end (no synchronous reads anywhere).
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { runCapture } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { failWithoutRequiredAdapter, probeWebGpu, takeGpuErrors } from './helpers';

const gpu = await probeWebGpu();

const run = runCapture;

afterAll(removeTempDirs);

failWithoutRequiredAdapter(gpu);

describe.skipIf(!gpu.info)(`facerec CLI with --backend gpu ${gpu.reason}`, () => {
  it('train → eval → predict', async () => {
    const work = await makeTempDir();
    const data = path.join(work, 'faces');
    // Three people and a few epochs: lavapipe is slow; this checks the path, the ORL accuracy is measured elsewhere.
    for (const person of ['s1', 's2', 's3']) await cp(path.join(ORL_DIR, person), path.join(data, person), { recursive: true });
    const model = path.join(work, 'model');

    const train = await run('train', data, '--out', model, '--split', 'first:5', '--epochs', '3', '--backend', 'gpu');
    expect(train.code, train.err).toBe(0);
    expect(train.err).toMatch(/backend: webgpu \(adapter /);
    expect(train.out).toMatch(/test accuracy: \d+\.\d+% on 15 images/);

    const evaluation = await run('eval', model, data, '--split', 'first:5', '--backend', 'gpu', '--confusion', path.join(work, 'confusion.html'));
    expect(evaluation.code, evaluation.err).toBe(0);
    expect(evaluation.out).toMatch(/accuracy: \d+\.\d+%/);

    const predict = await run('predict', model, path.join(data, 's2', '10.pgm'), '--backend', 'gpu', '--json');
    expect(predict.code, predict.err).toBe(0);
    expect(predict.out).toMatch(/"label"/);
    expect(takeGpuErrors()).toEqual([]);
  });
});
