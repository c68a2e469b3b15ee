import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURES, InvalidArgumentError, createModel } from '@facerec/core';
import { forwardLogits } from '@facerec/core/internal';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createModel', () => {
  it('builds the seed CNN exactly (layers, shapes and parameter count)', () => {
    const model = createModel('seed-cnn', { inputShape: [64, 64, 1], numClasses: 40 });
    const summary = model.layers.map((l) => `${l.getClassName()}:${JSON.stringify(l.outputShape)}`);
    expect(summary).toEqual([
      'Conv2D:[null,62,62,32]',
      'MaxPooling2D:[null,31,31,32]',
      'Conv2D:[null,29,29,64]',
      'MaxPooling2D:[null,14,14,64]',
      'Flatten:[null,12544]',
      'Dense:[null,128]',
      'Dense:[null,40]',
      'Activation:[null,40]',
    ]);
    // conv 3·3·1·32+32, conv 3·3·32·64+64, dense 12544·128+128, dense 128·40+40
    expect(model.countParams()).toBe(320 + 18496 + 1605760 + 5160);
    const activations = model.layers.map((l) => (l.getConfig() as { activation?: string }).activation ?? '-');
    expect(activations).toEqual(['relu', '-', 'relu', '-', '-', 'relu', 'linear', 'softmax']);
    model.dispose();
  });

  it('honours input size, channels and class count', () => {
    const model = createModel('seed-cnn', { inputShape: [32, 48, 3], numClasses: 7 });
    expect(model.inputs[0]!.shape).toEqual([null, 32, 48, 3]);
    expect(model.outputs[0]!.shape).toEqual([null, 7]);
    model.dispose();
  });

  it('gives identical weights for the same seed and different ones for another', () => {
    const weights = (seed: number) => {
      const m = createModel('seed-cnn', { inputShape: [16, 16, 1], numClasses: 3, seed });
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w;
    };
    expect(weights(5)).toEqual(weights(5));
    expect(weights(5)[0]).not.toEqual(weights(6)[0]);
  });

  it('builds every named architecture and their logits agree with the softmax output', () => {
    for (const name of ARCHITECTURES) {
      const model = createModel(name, { inputShape: [32, 32, 1], numClasses: 5, seed: 1 });
      const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 3);
      const probs = model.predict(x) as tf.Tensor;
      const logits = forwardLogits(model, x, false);
      const fromLogits = tf.softmax(logits);
      const a = fromLogits.dataSync();
      probs.dataSync().forEach((v, i) => expect(a[i]).toBeCloseTo(v, 5));
      tf.dispose([x, probs, logits, fromLogits]);
      model.dispose();
    }
  });

  it('rejects unknown names and bad specs', () => {
    expect(() => createModel('resnet' as never, { inputShape: [64, 64, 1], numClasses: 2 })).toThrow(/unknown "resnet"/);
    expect(() => createModel('seed-cnn', { inputShape: [64, 64, 2 as 1], numClasses: 2 })).toThrow(InvalidArgumentError);
    expect(() => createModel('seed-cnn', { inputShape: [64, 64, 1], numClasses: 1 })).toThrow(/numClasses/);
  });
});
