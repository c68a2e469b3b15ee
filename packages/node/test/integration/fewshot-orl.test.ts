// Transfer learning on real faces: FaceRecognizer with the pretrained default pipeline as backbone, one ORL photo per person.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, initBackend, loadFacePipeline, loadImageFolder } from '@facerec/node';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';

describe('ORL few-shot on the pretrained backbone', () => {
  it('learns 12 people from one photo each and names ≥ 95% of their other 108 photos', async () => {
    await initBackend('wasm');
    const data = await loadImageFolder(ORL_DIR, { split: { type: 'first', count: 1 } });
    // 12 people keep the test quick; bench:fewshot runs all 40 with 1, 2 and 5 photos.
    const people = [...new Set(data.train.map((d) => d.label))].slice(0, 12);
    const train = data.train.filter((d) => people.includes(d.label));
    const test = data.test.filter((d) => people.includes(d.label));
    expect([train.length, test.length]).toEqual([12, 108]);
    const pipeline = await loadFacePipeline();
    const before = tf.memory().numTensors;
    const recognizer = new FaceRecognizer({ backbone: pipeline });
    await recognizer.fit(train);
    const report = await recognizer.evaluate(test);
    recognizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    pipeline.dispose();
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
  }, 180_000);
});
