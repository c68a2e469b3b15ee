// Load-time checks of pretrained networks: weight values, input shape and one run on a grey image.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors/index.js';
import { checkInputShape, checkWeightValues, warmUp, type NetworkSignature } from '../../src/faces/model-checks.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const signature: NetworkSignature = { what: 'the test net', input: [4, 4, 3], outputSize: 2 };

/** The error `fn` throws or rejects with (fails the test when there is none). */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('network checks at load', () => {
  it('accepts a network of the right shape with finite output', async () => {
    await warmUp((x) => tf.mean(tf.reshape(x, [1, 2, 24]), 2), signature, 'net.json');
    checkInputShape([-1, 4, 4, 3], signature, 'net.json');
    checkInputShape([null, 4, -1, 3], signature, 'net.json');
  });

  it('names the file when the output is NaN, of the wrong size, or the run fails', async () => {
    const nan = await thrown(() => warmUp((x) => tf.mul(tf.div(tf.sum(tf.reshape(x, [1, 2, 24]), 2), 0), 0), signature, 'net.json'));
    expect(nan).toBeInstanceOf(ModelFormatError);
    expect(nan.message).toBe('Model net.json: gives NaN on a plain grey image; its weights are corrupt or belong to another model');
    expect((await thrown(() => warmUp((x) => tf.reshape(x, [1, -1]), signature, 'net.json'))).message).toMatch(/gives 48 values per image but the test net gives 2/);
    const failed = await thrown(() => warmUp(() => { throw new Error('no node out:0'); }, signature, 'net.json'));
    expect(failed).toBeInstanceOf(ModelFormatError);
    expect(failed.message).toMatch(/net\.json: cannot run as the test net \(no node out:0\)/);
    expect((await thrown(() => checkInputShape([-1, 8, 4, 3], signature, 'net.json'))).message).toMatch(/takes input \[-1, 8, 4, 3\] but the test net takes \[-1, 4, 4, 3\]/);
  });

  it('names the weight holding NaN or an implausible shape constant', async () => {
    const good = tf.tensor1d([1, 2]);
    const bad = tf.tensor1d([1, Number.POSITIVE_INFINITY]);
    const pad = tf.tensor1d([0, 1, 1, 0], 'int32');
    const garbage = tf.tensor1d([0, 1_065_353_216], 'int32');
    try {
      await checkWeightValues([{ name: 'a', tensor: good }, { name: 'pad', tensor: pad }], 'net.json');
      expect((await thrown(() => checkWeightValues([{ name: 'a', tensor: good }, { name: 'b', tensor: bad }], 'net.json'))).message).toMatch(/net\.json: weight b holds NaN or infinite values/);
      expect((await thrown(() => checkWeightValues([{ name: 'pad', tensor: garbage }], 'net.json'))).message).toMatch(/weight pad holds the shape constant 1065353216/);
    } finally {
      tf.dispose([good, bad, pad, garbage]);
    }
  });
});
