// Training in the browser: datasets from picked files, progress, the backend check, and WebGPU ≈ CPU.
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, FaceRecognizer, folderLabel, initBackend, loadLabeledFiles, splitDataset, trainRecognizer } from '@facerec/web';
import type { TrainingProgress } from '@facerec/web';
import { describe, expect, test } from 'vitest';
import { ORL_URL, orlDataset } from './helpers/faces.js';

/** A File as `<input webkitdirectory>` gives it: with its path inside the picked folder. */
async function pickedFile(person: number, index: number): Promise<File> {
  const bytes = await (await fetch(`${ORL_URL}/s${person}/${index}.pgm`)).arrayBuffer();
  const file = new File([bytes], `${index}.pgm`);
  Object.defineProperty(file, 'webkitRelativePath', { value: `orl/s${person}/${index}.pgm` });
  return file;
}

// Tiny on purpose: tfjs's cpu backend needs seconds per batch for conv gradients.
const FIT = { epochs: 3, batchSize: 16, augmentation: null, seed: 3 } as const;
// Without the texture match, which runs after training: its first use on SwiftShader's WebGPU compiles its shaders
// (half a minute or more on a loaded 2-core machine); it is tested in the demo's e2e test and in Node.
const OPTIONS = { inputSize: [16, 16] as [number, number], seed: 3, texture: null };

describe('training', () => {
  test('a picked folder becomes a labelled dataset, in natural order, non-images skipped', async () => {
    const files = [await pickedFile(2, 10), await pickedFile(2, 2), await pickedFile(1, 1), new File(['x'], 'README')];
    Object.defineProperty(files[3]!, 'webkitRelativePath', { value: 'orl/README' });
    const progress: number[] = [];
    const dataset = await loadLabeledFiles(files, { onProgress: (done) => progress.push(done) });
    expect(dataset.map((d) => [d.label, d.source])).toEqual([['s1', 'orl/s1/1.pgm'], ['s2', 'orl/s2/2.pgm'], ['s2', 'orl/s2/10.pgm']]);
    expect(dataset[0]!.image).toMatchObject({ width: 92, height: 112, channels: 1 });
    expect(progress).toEqual([1, 2, 3]);
    expect(() => folderLabel(new File([], 'loose.png'))).toThrow(/no folder to name the person/);
    await expect(loadLabeledFiles([new File(['x'], 'notes.txt')])).rejects.toThrow(/no image files/);
  });

  test('splitDataset holds out part of each person', async () => {
    const dataset = await orlDataset([1, 2], [1, 2, 3, 4, 5]);
    const { train, test: held } = splitDataset(dataset, 0.2, 1);
    expect(held.map((d) => d.label).sort()).toEqual(['s1', 's2']);
    expect(train.length).toBe(8);
  });

  test("WASM with tfjs's stock kernels only (fastKernels: false) is refused with a clear error", async () => {
    // This file's page never installs facerec's kernels (wasm-train.test.ts trains on them).
    await expect(initBackend('wasm', { task: 'training', fastKernels: false })).rejects.toThrow(/no training kernels.*fastKernels is false/s);
    await initBackend('wasm', { fastKernels: false });
    const dataset = await orlDataset([1, 2], [1, 2]);
    await expect(trainRecognizer(new FaceRecognizer(OPTIONS), dataset, FIT)).rejects.toThrow(BackendError);
    await expect(trainRecognizer(new FaceRecognizer(OPTIONS), dataset, FIT)).rejects.toThrow(/"wasm" cannot train.*task: 'training'/s);
  });

  test('WebGPU and CPU train to the same losses; progress reaches 1; the model recognises', async () => {
    const dataset = await orlDataset([1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const losses: Record<string, number[]> = {};
    let accuracy = 0;
    for (const backend of ['webgpu', 'cpu'] as const) {
      expect((await initBackend(backend, { task: 'training' })).backend).toBe(backend);
      const recognizer = new FaceRecognizer(OPTIONS);
      const progress: TrainingProgress[] = [];
      const before = tf.memory().numTensors;
      const result = await trainRecognizer(recognizer, dataset, { ...FIT, epochs: 6, onProgress: (p) => progress.push(p) });
      losses[backend] = result.history.loss;
      expect(progress.at(-1)!.fraction).toBe(1);
      expect(progress.length).toBe(6 * 2);
      if (backend === 'cpu') accuracy = (await recognizer.evaluate(dataset)).accuracy;
      recognizer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    // Float32 on different hardware: the same losses to 1e-3 relative after 12 Adam steps.
    for (let i = 0; i < losses.cpu!.length; i++) expect(Math.abs(losses.webgpu![i]! - losses.cpu![i]!)).toBeLessThan(1e-3 * losses.cpu![i]!);
    expect(losses.cpu!.at(-1)!).toBeLessThan(losses.cpu![0]!);
    expect(accuracy).toBeGreaterThan(0.5);
  });
});
