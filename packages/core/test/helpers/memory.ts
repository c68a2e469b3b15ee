// Test helpers that make tensor leaks fail a test.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect } from 'vitest';

/** Runs `fn` and fails when it leaves more tensors alive than it found. */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return result;
}

/** Registers hooks that fail every test of the file which leaves more tensors alive than it found. */
export function expectNoLeakPerTest(): void {
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  });
}
