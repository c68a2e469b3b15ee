// The TFLite reader against TensorFlow Lite's own outputs for a tiny converted model (fixtures/tflite, made by
// scripts/make-tflite-fixtures.py), and its refusals of files it cannot run.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors/index.js';
import { parseTflite } from '../../src/faces/tflite-file.js';
import { loadTfliteNet } from '../../src/faces/tflite-net.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

const dir = new URL('../fixtures/tflite/', import.meta.url);
const tiny = new Uint8Array(readFileSync(new URL('tiny.tflite', dir)));
const reference = JSON.parse(readFileSync(new URL('tiny.json', dir), 'utf8')) as { input: number[]; inputShape: number[]; output: number[]; outputShape: number[] };
const signature = { what: 'the tiny test network', input: [9, 9, 3] as const, outputSize: 45 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

describe('parseTflite', () => {
  it("reads the tiny model's operators, options and constants", () => {
    const graph = parseTflite(tiny, 'tiny.tflite');
    expect(graph.operators.map((o) => o.op)).toEqual(['CONV_2D', 'DEPTHWISE_CONV_2D', 'ABS', 'SUB', 'RELU', 'MUL', 'ADD', 'CONV_2D', 'RESHAPE']);
    const [conv, depthwise] = graph.operators;
    expect(conv!.conv).toEqual({ padding: 'same', strides: [2, 2], dilations: [1, 1], activation: 'relu', depthMultiplier: 1 });
    expect(depthwise!.conv).toEqual({ padding: 'valid', strides: [1, 1], dilations: [1, 1], activation: 'none', depthMultiplier: 2 });
    expect(graph.tensors[graph.inputs[0]!]!.shape).toEqual([2, 9, 9, 3]);
    expect(graph.tensors[graph.outputs[0]!]!.shape).toEqual([2, 45]);
    // TFLite keeps conv filters as [out, h, w, in]: 4 filters of 3×3×3.
    expect(graph.tensors[conv!.inputs[1]!]!.shape).toEqual([4, 3, 3, 3]);
    expect(graph.tensors[conv!.inputs[1]!]!.data).toHaveLength(4 * 27 * 4);
  });

  it('refuses a file that is not TFLite, a truncated one, and an operator it does not run, naming the file', () => {
    const notTflite = new TextEncoder().encode('{"modelTopology": {}}');
    expect(() => parseTflite(notTflite, 'model.json')).toThrow(ModelFormatError);
    expect(() => parseTflite(notTflite, 'model.json')).toThrow(/model\.json.*not a TFLite file/);
    expect(() => parseTflite(tiny.subarray(0, 1000), 'cut.tflite')).toThrow(/cut\.tflite.*truncated/);
    const tanh = new Uint8Array(readFileSync(new URL('tanh.tflite', dir)));
    expect(() => parseTflite(tanh, 'tanh.tflite')).toThrow(/tanh\.tflite.*builtin operator 28 .*does not run/);
  });

  it('never fails with anything but ModelFormatError on truncated or corrupted bytes', async () => {
    let refused = 0;
    const tryBytes = async (bytes: Uint8Array) => {
      try {
        (await loadTfliteNet(bytes, 'bad.tflite', signature)).dispose();
      } catch (error) {
        expect(error).toBeInstanceOf(ModelFormatError);
        refused++;
      }
    };
    for (let end = 0; end < tiny.length; end += 97) await tryBytes(tiny.subarray(0, end));
    // Corrupt 4 bytes at a time across the file (offsets, lengths, shapes and weights alike).
    for (let at = 8; at < tiny.length - 4; at += 61) {
      const bytes = tiny.slice();
      bytes.set([0xff, 0x7f, 0x00, 0x80], at);
      await tryBytes(bytes);
    }
    expect(refused).toBeGreaterThan(40);
  });
});

describe('TfliteNet', () => {
  it("gives TensorFlow Lite's outputs for the tiny model, with the written-out PReLU run as one op", async () => {
    const before = tf.memory().numTensors;
    const net = await loadTfliteNet(tiny, 'tiny.tflite', signature);
    try {
      // 9 operators, the five of the PReLU fused into one: 5 steps.
      expect(net.stepCount).toBe(5);
      // Each weight is held once: 3 filters in tfjs's layout, 3 biases, the PReLU's slope (the file's filters, its c
      // and the reshape target are freed).
      expect(tf.memory().numTensors - before).toBe(7);
      expect(net.weights()).toHaveLength(7);
      const x = tf.tensor4d(reference.input, reference.inputShape as [number, number, number, number]);
      const y = net.embed(x);
      expect(y.shape).toEqual(reference.outputShape);
      const values = await y.data();
      const worst = Math.max(...reference.output.map((r, i) => Math.abs(r - values[i]!)));
      expect(worst).toBeLessThan(1e-5);
      // The batch size stored in the file does not bind: one image gives the first row.
      const one = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);
      const first = net.embed(one);
      expect(Array.from(await first.data())).toEqual(Array.from(values.slice(0, 45)));
      tf.dispose([x, y, one, first]);
    } finally {
      net.dispose();
    }
  });

  it('refuses a network whose input does not fit the signature, naming the file', async () => {
    await expect(loadTfliteNet(tiny, 'tiny.tflite', { ...signature, input: [112, 112, 3] })).rejects.toThrow(/tiny\.tflite.*takes input \[2, 9, 9, 3\]/);
    await expect(loadTfliteNet(tiny, 'tiny.tflite', { ...signature, outputSize: 192 })).rejects.toThrow(/tiny\.tflite.*gives 45 values/);
  });

  it('refuses weights that hold NaN', async () => {
    const graph = parseTflite(tiny, 'nan.tflite');
    const filter = graph.tensors[graph.operators[0]!.inputs[1]!]!;
    const bytes = tiny.slice();
    const at = Buffer.from(tiny).indexOf(Buffer.from(filter.data!.subarray(0, 8)));
    bytes.set(new Uint8Array(new Float32Array([Number.NaN, Number.NaN]).buffer), at);
    await expect(loadTfliteNet(bytes, 'nan.tflite', signature)).rejects.toThrow(/nan\.tflite.*NaN or infinite/);
  });
});
