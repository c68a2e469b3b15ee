// Tests for createHistory: an empty, independent, JSON-ready record.
import { describe, expect, it } from 'vitest';
import { createHistory } from '../../src/metrics/index.js';

describe('createHistory', () => {
  it('starts with every array empty, and each call is independent', () => {
    const a = createHistory();
    expect(a).toEqual({ epoch: [], loss: [], accuracy: [], valLoss: [], valAccuracy: [], learningRate: [], seconds: [] });
    a.loss.push(1);
    expect(createHistory().loss).toEqual([]);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});
