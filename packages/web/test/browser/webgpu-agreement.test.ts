// The pretrained pipeline (BlazeFace, face mesh, dlib embedder) gives the same faces, boxes, embeddings and gallery answers on WebGPU (SwiftShader) as on WASM.
import * as tf from '@tensorflow/tfjs-core';
import { Gallery, initBackend, type Box, type FacePipeline, type RawImage } from '@facerec/web';
import { beforeAll, describe, expect, test } from 'vitest';
import { lfwPhoto, servedPipeline } from '../camera/helpers.js';

/**
 * Tolerances, from what headless Chromium measured on these photos (SwiftShader vs WASM, 2026-12-02): box edges
 * within 0.0001 px, lowest embedding cosine 1.000000 (printed to 6 places). The limits leave room for float32
 * reordering on real GPUs, yet catch a real fault: the same photos with red and blue swapped on one side (checked by a
 * temporary break) moved a box by 6.3 px, gave a lowest cosine of 0.9939 and changed a gallery score by 0.0034.
 */
const TOLERANCE = { boxPixels: 0.5, cosine: 0.9999 };

/**
 * Who is enrolled (one photo each), and the photos asked about: each enrolled person's other photo, then strangers.
 * Three photos in all: each costs ~17 s through SwiftShader, and CI runs this test.
 */
const ENROL: Record<string, string> = {
  Abel_Pacheco: 'Abel_Pacheco_0002.jpg',
};
const PROBES = ['Abel_Pacheco_0001.jpg', 'Akhmed_Zakayev_0001.jpg'];

/**
 * The fixture photos are gray JPEGs; a warm colour cast (red full, green ×0.75, blue ×0.45) makes the channel order
 * matter, so a backend that read the channels in another order would see different pixels.
 */
function warm(photo: RawImage): RawImage {
  const { width, height, channels } = photo;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const v = photo.data[p * channels]!;
    data[p * 3] = v;
    data[p * 3 + 1] = Math.round(v * 0.75);
    data[p * 3 + 2] = Math.round(v * 0.45);
  }
  return { width, height, channels: 3, data };
}

interface Face {
  readonly box: Box;
  readonly embedding: Float32Array;
}
interface Run {
  /** Every face of every probe photo (embedFaces, best detector score first), per photo. */
  readonly faces: Face[][];
  /** The gallery's answer (match) for every face of every probe photo, per photo. */
  readonly answers: { label: string; score: number }[][];
  /** The backend tfjs ran on. */
  readonly backend: string;
}

/** Why WebGPU cannot be used here (checked once, before the tests are named), or undefined when it can. */
const noWebGpu = await initBackend('webgpu').then(
  () => undefined,
  (error: unknown) => (error instanceof Error ? error.message : String(error)),
);

async function runOn(backend: 'webgpu' | 'wasm', enrol: Record<string, RawImage>, probes: readonly RawImage[]): Promise<Run> {
  await initBackend(backend);
  const pipeline: FacePipeline = await servedPipeline('default');
  const gallery = new Gallery(pipeline);
  try {
    // Each photo goes through the pipeline once (SwiftShader is slow): enrolment and answers use those embeddings.
    const embed = async (photo: RawImage): Promise<Face[]> => (await pipeline.embedFaces(photo)).map((f) => ({ box: f.box, embedding: f.embedding }));
    for (const [label, photo] of Object.entries(enrol)) {
      const [main] = await embed(photo);
      if (main === undefined) throw new Error(`${backend}: no face found in ${label}'s enrolment photo`);
      await gallery.enroll(label, [main.embedding]);
    }
    const faces: Face[][] = [];
    const answers: Run['answers'] = [];
    for (const photo of probes) {
      const found = await embed(photo);
      faces.push(found);
      answers.push((await gallery.match(found.map((f) => f.embedding))).map((r) => ({ label: r.label, score: r.score })));
    }
    return { faces, answers, backend: tf.getBackend() };
  } finally {
    gallery.dispose();
    pipeline.dispose();
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function boxDistance(a: Box, b: Box): number {
  return Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y), Math.abs(a.x + a.width - b.x - b.width), Math.abs(a.y + a.height - b.y - b.height));
}

describe.skipIf(noWebGpu !== undefined)(
  noWebGpu === undefined ? 'the pretrained pipeline on WebGPU (SwiftShader) agrees with WASM' : `skipped: WebGPU is unavailable in this browser (${noWebGpu})`,
  () => {
    let wasm: Run;
    let webgpu: Run;

    // WebGPU on SwiftShader compiles a shader per op and shape on first use: minutes on a busy 2-core machine.
    beforeAll(async () => {
      const enrol = Object.fromEntries(await Promise.all(Object.entries(ENROL).map(async ([label, file]) => [label, warm(await lfwPhoto(file))] as const)));
      const probes = (await Promise.all(PROBES.map(lfwPhoto))).map(warm);
      wasm = await runOn('wasm', enrol, probes);
      webgpu = await runOn('webgpu', enrol, probes);
    }, 560_000);

    test('the same faces in every photo, boxes within half a pixel', () => {
      expect([wasm.backend, webgpu.backend]).toEqual(['wasm', 'webgpu']);
      expect(wasm.faces.map((f) => f.length)).toEqual(webgpu.faces.map((f) => f.length));
      expect(wasm.faces.every((f) => f.length >= 1)).toBe(true);
      let worst = 0;
      wasm.faces.forEach((faces, p) =>
        faces.forEach((face, i) => {
          worst = Math.max(worst, boxDistance(face.box, webgpu.faces[p]![i]!.box));
        }),
      );
      console.info(`webgpu vs wasm: largest box edge difference ${worst.toFixed(4)} px`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE.boxPixels);
    });

    test(`the same embeddings (cosine >= ${TOLERANCE.cosine})`, () => {
      let lowest = 1;
      wasm.faces.forEach((faces, p) =>
        faces.forEach((face, i) => {
          lowest = Math.min(lowest, cosine(face.embedding, webgpu.faces[p]![i]!.embedding));
        }),
      );
      console.info(`webgpu vs wasm: lowest embedding cosine ${lowest.toFixed(6)}`);
      expect(lowest).toBeGreaterThanOrEqual(TOLERANCE.cosine);
    });

    test('the same gallery answer for every face, and the right one', () => {
      const labels = (run: Run) => run.answers.map((faces) => faces.map((f) => f.label));
      expect(labels(webgpu)).toEqual(labels(wasm));
      // The enrolled people are named on their other photo (the best-scored face, the first answer); the stranger is not.
      const named = wasm.answers.map((faces) => faces[0]!.label);
      expect(named.slice(0, Object.keys(ENROL).length)).toEqual(Object.keys(ENROL));
      expect(named.slice(Object.keys(ENROL).length).some((l) => Object.keys(ENROL).includes(l))).toBe(false);
      wasm.answers.forEach((faces, p) => faces.forEach((f, i) => expect(Math.abs(f.score - webgpu.answers[p]![i]!.score)).toBeLessThan(1 - TOLERANCE.cosine)));
    });
  },
);
