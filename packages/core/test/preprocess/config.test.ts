// Tests for validatePreprocessingConfig: accepted configs and errors that name the bad field's path.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { validatePreprocessingConfig, type PreprocessingConfig } from '../../src/preprocess/index.js';
import { thrown } from './setup.js';

const good: PreprocessingConfig = { inputSize: [64, 48], channels: 1, normalization: 'standardize', crop: { type: 'center', fraction: 0.8 } };
const src = 'model.json metadata.preprocessing';

function fieldOf(value: unknown): string | undefined {
  const e = thrown(() => validatePreprocessingConfig(value, src));
  expect(e).toBeInstanceOf(InvalidArgumentError);
  expect(e.message).toContain(e.argument);
  return e.argument;
}

describe('validatePreprocessingConfig', () => {
  it('returns a fresh copy of a valid config, surviving a JSON round trip', () => {
    const parsed: unknown = JSON.parse(JSON.stringify(good));
    const out = validatePreprocessingConfig(parsed, src);
    expect(out).toEqual(good);
    expect(out).not.toBe(parsed);
    expect(out.inputSize).not.toBe((parsed as PreprocessingConfig).inputSize);
  });

  it('accepts a config without crop, and a null crop as none', () => {
    const { crop: _, ...noCrop } = good;
    expect(validatePreprocessingConfig(noCrop, src)).toEqual(noCrop);
    expect(validatePreprocessingConfig({ ...noCrop, crop: null }, src)).toEqual(noCrop);
  });

  it('names the path of each bad field', () => {
    expect(fieldOf(null)).toBe(src);
    expect(fieldOf([1, 2])).toBe(src);
    expect(fieldOf({ ...good, inputSize: undefined })).toBe(`${src}.inputSize`);
    expect(fieldOf({ ...good, inputSize: [64, 0] })).toBe(`${src}.inputSize`);
    expect(fieldOf({ ...good, inputSize: [64, 48, 3] })).toBe(`${src}.inputSize`);
    expect(fieldOf({ ...good, inputSize: [64, 47.5] })).toBe(`${src}.inputSize`);
    expect(fieldOf({ ...good, channels: 4 })).toBe(`${src}.channels`);
    expect(fieldOf({ ...good, channels: '1' })).toBe(`${src}.channels`);
    expect(fieldOf({ ...good, normalization: 'zscore' })).toBe(`${src}.normalization`);
    expect(fieldOf({ ...good, crop: 0.8 })).toBe(`${src}.crop`);
    expect(fieldOf({ ...good, crop: { type: 'box', fraction: 0.8 } })).toBe(`${src}.crop.type`);
    expect(fieldOf({ ...good, crop: { type: 'center', fraction: 1.5 } })).toBe(`${src}.crop.fraction`);
    expect(fieldOf({ ...good, crop: { type: 'center' } })).toBe(`${src}.crop.fraction`);
    expect(fieldOf({ ...good, crop: { type: 'center', fraction: 0.5, x: 1 } })).toBe(`${src}.crop.x`);
  });

  it('keeps an illumination step, treats a null one as none, and names a bad one', () => {
    for (const illumination of ['tan-triggs', 'equalize', 'clahe'] as const) {
      expect(validatePreprocessingConfig({ ...good, illumination }, src).illumination).toBe(illumination);
    }
    expect(validatePreprocessingConfig({ ...good, illumination: null }, src)).toEqual(good);
    expect(fieldOf({ ...good, illumination: 'retinex' })).toBe(`${src}.illumination`);
    expect(fieldOf({ ...good, illumination: 1 })).toBe(`${src}.illumination`);
  });

  it('keeps an illumination step with its parameters through a JSON round trip, and names a bad parameter', () => {
    const illumination = { method: 'tan-triggs', gamma: 0.2, sigma0: 1, sigma1: 4, alpha: 0.1, tau: 10 } as const;
    const config = validatePreprocessingConfig(JSON.parse(JSON.stringify({ ...good, illumination })), src);
    expect(config.illumination).toEqual(illumination);
    expect(fieldOf({ ...good, illumination: { method: 'tan-triggs', sigma1: -1 } })).toBe(`${src}.illumination.sigma1`);
    expect(fieldOf({ ...good, illumination: { method: 'tan-triggs', radius: 3 } })).toBe(`${src}.illumination.radius`);
  });

  it('rejects unknown fields rather than silently skipping a step', () => {
    expect(fieldOf({ ...good, mean: [0.5, 0.5, 0.5] })).toBe(`${src}.mean`);
  });
});
