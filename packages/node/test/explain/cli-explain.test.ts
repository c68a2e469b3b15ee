// facerec verify/identify --explain: the picture is a PNG of two faces with maps, the JSON carries the maps, bad flags exit 2.
import path from 'node:path';
import { readFile, readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { explanationPicture, heatColour, readImage, type Explanation } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { runCapture } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

describe('facerec verify --explain', () => {
  it('writes the picture and prints the maps with --json', async () => {
    const dir = await makeTempDir();
    const out = path.join(dir, 'why.png');
    const r = await runCapture('verify', lfwImage('Abel_Pacheco', 1), lfwImage('Abel_Pacheco', 2), '--explain', out, '--json', '--backend', 'wasm', '--preset', 'fast');
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as { score: number; same: boolean; explanation: { score: number; method: string; faces: Array<{ map: number[][] }> } };
    expect(result.explanation.method).toBe('integrated-gradients');
    expect(result.explanation.score).toBeCloseTo(result.score, 4);
    expect(result.explanation.faces).toHaveLength(2);
    expect(result.explanation.faces[0]!.map).toHaveLength(16); // integrated gradients' 16×16 grid
    const picture = await readImage(out);
    expect(picture.width).toBeGreaterThan(2 * 150);
    expect(r.err).toContain('wrote');
  });

  it('refuses a bad method or picture name before loading models (exit 2)', async () => {
    const a = lfwImage('Abel_Pacheco', 1);
    expect((await runCapture('verify', a, a, '--explain-method', 'lime')).code).toBe(2);
    expect((await runCapture('verify', a, a, '--explain', 'why.txt')).code).toBe(2);
  });
});

describe('facerec identify --explain', () => {
  it('writes one picture per named face into the folder', async () => {
    const dir = await makeTempDir();
    const gallery = path.join(dir, 'gallery');
    const pictures = path.join(dir, 'why');
    let r = await runCapture('enroll', gallery, 'abel', lfwImage('Abel_Pacheco', 2), '--backend', 'wasm');
    expect(r.code, r.err).toBe(0);
    r = await runCapture('identify', gallery, lfwImage('Abel_Pacheco', 1), '--explain', pictures, '--explain-method', 'gradcam', '--json', '--backend', 'wasm');
    expect(r.code, r.err).toBe(0);
    const files = await readdir(pictures);
    expect(files).toEqual(['Abel_Pacheco_0001-1-abel.png']);
    // A second run writes beside the first picture, never over it (nor over a user's file of that name).
    const first = await readFile(path.join(pictures, files[0]!));
    const again = await runCapture('identify', gallery, lfwImage('Abel_Pacheco', 1), '--explain', pictures, '--backend', 'wasm');
    expect(again.code, again.err).toBe(0);
    expect((await readdir(pictures)).sort()).toEqual(['Abel_Pacheco_0001-1-abel-2.png', 'Abel_Pacheco_0001-1-abel.png']);
    expect(await readFile(path.join(pictures, files[0]!))).toEqual(first);
    const face = (JSON.parse(r.out) as { faces: Array<{ label: string; explanation?: { person: string; faces: unknown[] } }> }).faces[0]!;
    expect(face.label).toBe('abel');
    expect(face.explanation?.person).toBe('abel');
    expect(face.explanation?.faces).toHaveLength(1);
  });
});

describe('explanationPicture', () => {
  const face = { data: new Uint8ClampedArray(20 * 20 * 3).fill(100), width: 20, height: 20, channels: 3 as const };
  const map = { rows: 2, cols: 2, values: Float32Array.of(1, 0, 0, 0), raw: Float32Array.of(1, 0, 0, 0), exact: false };
  const explanation: Explanation = { method: 'occlusion', embedder: 'dlib', score: 0.95, threshold: 0.91, same: true, faces: [{ face, map }, { face, map }] };

  it('draws both faces with the map: the hot corner is red, the cold one blue', () => {
    const picture = explanationPicture(explanation, { panel: 64 });
    const pixel = (x: number, y: number) => Array.from(picture.data.slice((y * picture.width + x) * 3, (y * picture.width + x) * 3 + 3));
    // Panels start at the margin (12) below the two header lines: find the first face pixel row by its grey.
    const top = 12 + 2 * 20 + 12;
    const hot = pixel(12 + 4, top + 4), cold = pixel(12 + 60, top + 60);
    expect(hot[0]!).toBeGreaterThan(hot[2]!);
    expect(cold[2]!).toBeGreaterThan(cold[0]!);
    expect(heatColour(1)[0]).toBeGreaterThan(heatColour(1)[2]);
  });

  it('names an enrolled person in place of a second face', () => {
    const picture = explanationPicture({ ...explanation, faces: [{ face, map }], person: 'abel' }, { panel: 64 });
    expect(picture.channels).toBe(3);
    expect(picture.width).toBeGreaterThanOrEqual(3 * 12 + 2 * 64);
  });
});
