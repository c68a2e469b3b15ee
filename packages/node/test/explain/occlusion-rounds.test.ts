// Greedy occlusion (rounds > 1) on constructed cases: the rounds grey the cells one round of occlusion ranks first, and the map is the order they grey them in.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainMatch, FaceEmbedder, initBackend, loadFacePipeline, readImage, type EnrolledPerson, type FacePipeline, type RawImage } from '@facerec/node';
import { templateInPixels } from '@facerec/core/internal';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

/** A 4×4 grid of 1-cell patches: 16 re-embeddings in the first round, 8 in the second (the tests' time on two shared cores). */
const GRID = 4;

/** A copy of an aligned face with the given cells of a GRID × GRID grid grey (the cell spans explainMatch uses). */
function greyCells(face: RawImage, cells: readonly number[]): RawImage {
  const data = Float32Array.from(face.data);
  const span = (c: number, size: number) => [Math.round((c * size) / GRID), Math.round(((c + 1) * size) / GRID)] as const;
  for (const cell of cells) {
    const [x0, x1] = span(cell % GRID, face.width), [y0, y1] = span(Math.floor(cell / GRID), face.height);
    for (let y = y0; y < y1; y++) data.fill(128, (y * face.width + x0) * 3, (y * face.width + x1) * 3);
  }
  return { ...face, data };
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe.each(['default', 'faceres'] as const)('greedy occlusion with the %s preset', (preset) => {
  let pipeline: FacePipeline;
  let embedder: FaceEmbedder;
  let aligned: { image: RawImage; landmarks: ReturnType<typeof templateInPixels> };
  let person: EnrolledPerson;

  /** Similarity of an aligned face to the person's one embedding, embedded directly. */
  async function similarity(face: RawImage): Promise<number> {
    const crop = tf.tensor4d(Float32Array.from(face.data), [1, face.height, face.width, 3]);
    const [e] = await embedder.embedCrops(crop);
    crop.dispose();
    return sum(e!.map((v, i) => v * person.embeddings[0]![i]!));
  }

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline({ preset });
    embedder = pipeline.embedder as FaceEmbedder;
    const photo = await readImage(lfwImage('Abel_Pacheco', 1));
    const first = await explainMatch(pipeline, photo, photo, { method: 'occlusion', grid: 2, patchCells: 1, rounds: 1 });
    aligned = { image: first.faces[0]!.face, landmarks: templateInPixels(embedder.spec.template, embedder.spec.inputSize) };
    // The same person in another photo: a target the face resembles, so greying its cells lowers the similarity.
    const norm = (e: Float32Array) => e.map((v) => v / Math.sqrt(sum(e.map((x) => x * x))));
    person = { label: 'abel', embeddings: [norm((await pipeline.embedMainFace(await readImage(lfwImage('Abel_Pacheco', 2))))!.embedding)] };
  });
  afterAll(() => pipeline?.dispose());
  expectNoLeakPerTest();

  it('two rounds: the first greys the half one round ranks first, the second ranks the rest on that half-grey face, and the map is that order', async () => {
    const layout = { method: 'occlusion', grid: GRID, patchCells: 1 } as const;
    const greedy = await explainMatch(pipeline, aligned, person, { ...layout, rounds: 2 });
    const single = await explainMatch(pipeline, aligned, person, { ...layout, rounds: 1 });
    const raw = greedy.faces[0]!.map.raw, drops = single.faces[0]!.map.raw;
    expect([greedy.faces[0]!.map.rows, greedy.faces[0]!.map.cols]).toEqual([GRID, GRID]);
    expect(greedy.score).toBeCloseTo(await similarity(aligned.image), 4);

    // Round 1: the 8 cells whose grey patch alone lowers the similarity most, best first.
    const byDrop = (d: Float32Array) => (p: number, q: number) => d[q]! - d[p]!;
    const firstRound = [...drops.keys()].sort(byDrop(drops)).slice(0, (GRID * GRID) / 2);
    // Round 2: the rest, scored one by one on the face with the first round's cells grey.
    const halfGrey = { ...aligned, image: greyCells(aligned.image, firstRound) };
    const second = (await explainMatch(pipeline, halfGrey, person, { ...layout, rounds: 1 })).faces[0]!.map.raw;
    const rest = [...drops.keys()].filter((c) => !firstRound.includes(c)).sort(byDrop(second));
    // Greying changes the ranking: otherwise this test could not tell the rounds from one round.
    expect(rest, 'the second round re-ranks').not.toEqual([...drops.keys()].sort(byDrop(drops)).slice((GRID * GRID) / 2));
    [...firstRound, ...rest].forEach((c, i) => expect(raw[c], `cell ${c}, greyed ${i + 1}th`).toBeCloseTo((GRID * GRID - i) / (GRID * GRID), 6));
  });

  // faceres: explain.test.ts has the half-grey case for plain occlusion (its embeddings cost three times dlib's here).
  it.runIf(preset === 'default')('a face against itself with its left half grey: the rounds light up the right half', async () => {
    const leftCells = [0, 1, 4, 5, 8, 9, 12, 13], rightCells = [2, 3, 6, 7, 10, 11, 14, 15];
    const blanked = { ...aligned, image: greyCells(aligned.image, leftCells) };
    const ex = await explainMatch(pipeline, aligned, blanked, { method: 'occlusion', grid: GRID, patchCells: 1, rounds: 2 });
    const map = ex.faces[1]!.map.raw;
    const mean = (cells: number[]) => sum(cells.map((c) => map[c]!)) / cells.length;
    expect(mean(rightCells), `right ${mean(rightCells)} vs left ${mean(leftCells)}`).toBeGreaterThan(2 * Math.max(0, mean(leftCells)));
    expect(rightCells, 'the cell greyed first').toContain([...map.keys()].sort((p, q) => map[q]! - map[p]!)[0]);
  });

  it('refuses a bad number of rounds with a typed error', async () => {
    await expect(explainMatch(pipeline, aligned, person, { method: 'occlusion', rounds: 0 })).rejects.toThrow(/Invalid rounds/);
    await expect(explainMatch(pipeline, aligned, person, { method: 'occlusion', rounds: 2.5 })).rejects.toThrow(/Invalid rounds/);
    await expect(explainMatch(pipeline, aligned, person, { method: 'occlusion', grid: 2, rounds: 5 })).rejects.toThrow(/Invalid rounds: must be an integer in 1\.\.4/);
  });
});
