// Every browser test: fails on leaked tensors and on WebGPU errors the device reported.
import * as tf from '@tensorflow/tfjs-core';
import { onWebGpuError } from '@facerec/web';
import { afterEach, beforeEach, expect } from 'vitest';
import { gpuErrors } from './helpers/gpu.js';

onWebGpuError((report) => gpuErrors.push(report));

// The engine's count: tf.memory() would start a backend, and the backend tests must choose it themselves.
const liveTensors = (): number => tf.engine().state.numTensors;
let tensorsBefore = 0;
beforeEach(() => {
  gpuErrors.length = 0;
  tensorsBefore = liveTensors();
});

afterEach(() => {
  expect(gpuErrors.map((e) => e.message), 'WebGPU uncapturederror').toEqual([]);
  expect(liveTensors(), 'tensors leaked').toBe(tensorsBefore);
});
