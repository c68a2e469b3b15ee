// facerec train --texture / --retry-illumination: the saved model has the lighting defaults unless the flag turns them off, and bad uses are usage errors.
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CNN_TEXTURE_MATCHING, DEFAULT_RETRY_ILLUMINATION, DEFAULT_TEXTURE_MATCHING } from '@facerec/core';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { runCapture as run } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

let work = '';
let data = '';

beforeAll(async () => {
  work = await makeTempDir();
  data = path.join(work, 'faces');
  // Three ORL people, two photos each: the flags are what is tested, not accuracy.
  for (const person of ['s1', 's2', 's3']) {
    for (const file of ['1.pgm', '2.pgm']) await cp(path.join(ORL_DIR, person, file), path.join(data, person, file));
  }
});
afterAll(removeTempDirs);

/** Trains with `flags` into a fresh folder; the facerec metadata saved in its model.json. */
async function trainedMetadata(name: string, ...flags: string[]): Promise<Record<string, unknown>> {
  const out = path.join(work, name);
  const r = await run('train', data, '--out', out, '--backend', 'wasm', '--quiet', ...flags);
  expect(r.code, r.err).toBe(0);
  const model = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as { userDefinedMetadata: { facerec: Record<string, unknown> } };
  return model.userDefinedMetadata.facerec;
}

const matching = (texture: unknown): unknown => {
  const { method, size, grid, threshold, shadow, weight, shadowWeight, pixelRadius, pixelSize, subspaceSize } = texture as Record<string, unknown>;
  return { method, size, grid, threshold, shadow, weight, shadowWeight, pixelRadius, pixelSize, subspaceSize };
};

describe('facerec train --texture (a trained CNN)', () => {
  it('saves the texture match by default, without it with --texture none, with the weight given', async () => {
    const byDefault = await trainedMetadata('cnn-default', '--epochs', '1');
    // Too few photos to tell whether pixel codes hold on them: saved without.
    expect(matching(byDefault.texture)).toEqual({ ...DEFAULT_CNN_TEXTURE_MATCHING, pixelRadius: undefined, pixelSize: undefined, subspaceSize: undefined });
    expect((byDefault.texture as { people: number[] }).people).toHaveLength(6);

    const off = await trainedMetadata('cnn-off', '--epochs', '1', '--texture', 'none');
    expect(off.architecture).toBe('seed-cnn');
    expect(off).not.toHaveProperty('texture');

    const weighted = await trainedMetadata('cnn-half', '--epochs', '1', '--texture', '0.5');
    expect(matching(weighted.texture)).toEqual({ ...DEFAULT_CNN_TEXTURE_MATCHING, pixelRadius: undefined, pixelSize: undefined, subspaceSize: undefined, weight: 0.5, shadowWeight: 1.5 });
  }, 60_000);
});

describe('facerec train --backbone with --texture / --retry-illumination', () => {
  it('saves the texture match and the CLAHE second look by default, neither when both are none', async () => {
    const byDefault = await trainedMetadata('head-default', '--backbone', 'fast');
    expect(byDefault.head).toBe('class-mean');
    // The textures at the detector's landmarks carry no pixel codes: only crops of one geometry line up pixel for pixel.
    expect(matching(byDefault.texture)).toEqual({ ...DEFAULT_TEXTURE_MATCHING, pixelRadius: undefined, pixelSize: undefined, subspaceSize: undefined });
    expect(byDefault.retryIllumination).toEqual({ ...DEFAULT_RETRY_ILLUMINATION });
    // The crops' textures (the fixtures are crops of one geometry) carry the pixel codes, at 96 pixels, and the light subspaces.
    expect(matching(byDefault.cropTexture)).toEqual({ ...DEFAULT_TEXTURE_MATCHING });

    const off = await trainedMetadata('head-off', '--backbone', 'fast', '--texture', 'none', '--retry-illumination', 'none');
    expect(off.head).toBe('class-mean');
    expect(off).not.toHaveProperty('texture');
    expect(off).not.toHaveProperty('retryIllumination');

    const equalize = await trainedMetadata('head-equalize', '--backbone', 'fast', '--retry-illumination', 'equalize', '--texture', '1');
    expect(equalize.retryIllumination).toEqual({ method: 'equalize' });
    // The weight for faces in shadow keeps its ratio: 1 · 2 / 0.25.
    expect(matching(equalize.texture)).toEqual({ ...DEFAULT_TEXTURE_MATCHING, pixelRadius: undefined, pixelSize: undefined, subspaceSize: undefined, weight: 1, shadowWeight: 8 });
  }, 90_000);
});

describe('facerec train lighting flags: usage errors', () => {
  it.each([
    [['--texture', 'strong'], /--texture must be a weight in \[0, 10\] or none, got "strong"/],
    [['--texture', '11'], /--texture must be a weight in \[0, 10\] or none, got "11"/],
    [['--texture', '-1'], /--texture must be a weight in \[0, 10\] or none, got "-1"/],
    [['--backbone', 'fast', '--head', 'softmax', '--texture', 'none'], /--texture is the texture match of a CNN or the class-mean head; --head softmax has none/],
    [['--retry-illumination', 'none'], /--retry-illumination needs --backbone/],
    [['--backbone', 'fast', '--retry-illumination', 'tan-triggs'], /--retry-illumination must be clahe, equalize or none, got "tan-triggs"/],
  ])('%j exits 2 naming the flag', async (flags, message) => {
    const r = await run('train', data, '--out', path.join(work, 'never'), ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/Usage: facerec train/);
  });
});
