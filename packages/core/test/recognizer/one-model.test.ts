// One recognition model: every recognizer answers in the same words, one unknown constant, no second name for a
// type, plumbing out of the root export, and fit's documented defaults are the ones it uses.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../../src/index.js';
import * as internal from '../../src/internal.js';
import { trainerOptions } from '../../src/recognizer/fit-options.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

describe('the root export', () => {
  it('has one unknown constant and one name for each type', () => {
    expect(core.UNKNOWN).toBe('unknown');
    for (const gone of ['UNKNOWN_LABEL', 'EmbeddingClassifier']) expect(core, gone).not.toHaveProperty(gone);
  });

  it('leaves plumbing to @facerec/core/internal', () => {
    for (const name of ['weightedNms', 'manifestPaths', 'forwardLogits', 'FUSED_ADAM_KERNEL', 'firstNonFinite', 'requireFinite', 'EmbeddingStore', 'validateMetadata', 'readGraphModel', 'MAX_THREADS']) {
      expect(core, name).not.toHaveProperty(name);
      expect(internal, name).toHaveProperty(name);
    }
  });
});

describe('every recognizer answers with a Recognition', () => {
  const v = (...xs: number[]) => Float32Array.from(xs);
  /** A backbone that embeds a 1×1 RGB image as its (normalised) colour. */
  const backbone = {
    embedder: { spec: { name: 'colour', dimensions: 3, threshold: 0.5 } },
    embedMainFaceOrCentre: async (image: core.RawImage) => {
      const e = Float32Array.from(image.data);
      const n = Math.hypot(...e);
      return { embedding: e.map((x) => x / n), landmarks: core.centredLandmarks(1, 1), found: false };
    },
  } as unknown as core.FacePipeline;
  const pixel = (r: number, g: number, b: number): core.RawImage => ({ data: Uint8Array.of(r, g, b), width: 1, height: 1, channels: 3 });

  it('with the same keys, and the same unknown answer, from a Gallery and from FaceRecognizer heads', async () => {
    const gallery = new core.Gallery(undefined, { embedder: 'colour', dimensions: 3, threshold: 0.5 });
    await gallery.enroll('red', [v(1, 0, 0)]);
    await gallery.enroll('green', [v(0, 1, 0)]);
    const answers: core.Recognition[] = [...(await gallery.match([v(1, 0.1, 0), v(0, 0, 1)], { topK: 2 }))];
    for (const head of ['class-mean', 'softmax'] as const) {
      const recognizer = new core.FaceRecognizer({ backbone, head });
      await recognizer.fit([{ image: pixel(255, 0, 0), label: 'red' }, { image: pixel(0, 255, 0), label: 'green' }]);
      answers.push(await recognizer.predict(pixel(250, 20, 0), { topK: 2 }));
      answers.push(await recognizer.predict(pixel(0, 0, 255), { topK: 2, threshold: 0.99 }));
      recognizer.dispose();
    }
    gallery.dispose();
    for (const a of answers) {
      expect(Object.keys(a).sort()).toEqual(['candidates', 'label', 'score', 'unknown']);
      expect(a.candidates.map((c) => Object.keys(c).sort())).toEqual([['label', 'score'], ['label', 'score']]);
      expect(a.score).toBe(a.candidates[0]!.score);
    }
    // Red-ish is red everywhere; blue is nobody: UNKNOWN, unknown true, the best match still first.
    expect(answers.filter((_, i) => i % 2 === 0).map((a) => [a.label, a.unknown])).toEqual([['red', false], ['red', false], ['red', false]]);
    for (const a of answers.filter((_, i) => i % 2 === 1)) {
      expect([a.label, a.unknown]).toEqual([core.UNKNOWN, true]);
      expect(a.candidates).toHaveLength(2);
    }
  });
});

describe('FitOptions', () => {
  it("documents the defaults fit uses (not the Trainer's)", () => {
    const settings = trainerOptions({}, 3, 1);
    const source = readFileSync(new URL('../../src/recognizer/fit-options.ts', import.meta.url), 'utf8');
    /** The sentence "Default <x>." in the TSDoc just above `readonly <field>`. */
    const documented = (field: string) => new RegExp(`Default ([^.\\s]+(?:\\.\\d+)?)\\.[^/]*\\*/\\s*readonly ${field}\\?`).exec(source)?.[1];
    expect(settings).toMatchObject({ epochs: 60, batchSize: 32, learningRate: 2e-3, labelSmoothing: 0.1, weightAveraging: { decay: 0.999 } });
    expect(documented('epochs')).toBe(String(settings.epochs));
    expect(documented('batchSize')).toBe(String(settings.batchSize));
    expect(Number(documented('learningRate'))).toBe(settings.learningRate);
    expect(Number(documented('labelSmoothing'))).toBe(settings.labelSmoothing);
    // Validation asked for: the best epoch's weights instead of averaging; an option given as undefined keeps fit's default.
    expect(trainerOptions({ validationSplit: 0.2 }, 3, 1).weightAveraging).toBeNull();
    expect(trainerOptions({ epochs: undefined }, 3, 1).epochs).toBe(60);
  });
});
