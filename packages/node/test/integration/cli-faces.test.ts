// The pretrained-model commands end to end on the committed photos: enroll, identify --out, verify, lfw --json, and a backbone head through train / eval / predict.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '@facerec/node';
import { runCli } from '../../src/cli/main.js';
import { LFW_DIR, ORL_DIR, lfwImage as img } from '../../../core/test/helpers/datasets.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);
const run = async (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
};

describe('facerec enroll / identify / verify / lfw', () => {
  it('enrolls two people, names a new photo of each, draws the boxes, verifies pairs', async () => {
    const work = await makeTempDir();
    const gallery = path.join(work, 'gallery');
    let r = await run('enroll', gallery, 'Abel_Pacheco', img('Abel_Pacheco', 1), img('Abel_Pacheco', 2));
    expect(r.err).toBe('');
    expect(r.out).toMatch(/enrolled 2 image\(s\) of Abel_Pacheco; .* holds 1 people, 2 embeddings \(dlib\)/);
    r = await run('enroll', gallery, 'Akhmed_Zakayev', img('Akhmed_Zakayev', 1));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/holds 2 people, 3 embeddings/);

    const out = path.join(work, 'annotated.png');
    r = await run('identify', gallery, img('Akhmed_Zakayev', 3), img('Abel_Pacheco', 4), '--out', out, '--top', '2');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/Akhmed_Zakayev_0003\.jpg: 1 face/);
    expect(lines[1]).toMatch(/^ {2}Akhmed_Zakayev\t/);
    expect(lines[3]).toMatch(/^ {2}Abel_Pacheco\t/);
    const png = decodeImage(new Uint8Array(await readFile(out)), out);
    expect([png.width, png.height, png.channels]).toEqual([250, 250, 3]);
    // Some pixels are the green "known" box colour.
    let green = 0;
    for (let p = 0; p < png.width * png.height; p++) if (png.data[p * 3] === 40 && png.data[p * 3 + 1] === 220) green++;
    expect(green).toBeGreaterThan(200);

    r = await run('verify', img('Abel_Pacheco', 1), img('Abel_Pacheco', 4), '--json');
    expect(JSON.parse(r.out)).toMatchObject({ same: true });
    r = await run('verify', img('Abel_Pacheco', 1), img('Akhmed_Zakayev', 1));
    expect(r.out).toMatch(/^different\tsimilarity/);
  }, 120_000);

  it('runs the LFW protocol on a small pairs file and writes the JSON keys', async () => {
    const work = await makeTempDir();
    const lines = readFileSync(path.join(LFW_DIR, 'pairs.txt'), 'utf8').trim().split('\n');
    // Folds 1 and 2 of the fixture's pairs file, 5 same + 5 different pairs each.
    expect(lines[0]).toBe('5\t5');
    const pairs = ['2\t5', ...lines.slice(1, 21)];
    const file = path.join(work, 'pairs.txt');
    await writeFile(file, `${pairs.join('\n')}\n`);
    const json = path.join(work, 'lfw.json');
    const r = await run('lfw', '--pairs', file, '--images', path.join(LFW_DIR, 'images'), '--json', json);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LFW protocol, 2 folds, 20 pairs/);
    const result = JSON.parse(await readFile(json, 'utf8'));
    for (const key of ['accuracy_mean', 'accuracy_std', 'auc', 'eer', 'tar_at_far_1e-3', 'pairs', 'ms_per_face', 'far_at_default_threshold']) expect(result).toHaveProperty(key);
    expect(result.pairs).toBe(20);
    expect(result.accuracy_mean).toBeGreaterThanOrEqual(0.85);
    const bad = await run('lfw', '--pairs', path.join(work, 'nope.txt'), '--images', work);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/nope\.txt: cannot read the pairs file/);
  }, 120_000);

  const bin = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  it.skipIf(!existsSync(bin))('the built bin finds the models from its own folder, whatever the working directory', async () => {
    const elsewhere = await makeTempDir();
    const out = execFileSync(process.execPath, [bin, 'verify', img('Abel_Pacheco', 1), img('Abel_Pacheco', 4), '--backend', 'wasm', '--json'], { cwd: elsewhere }).toString();
    expect(JSON.parse(out)).toMatchObject({ same: true });
  }, 60_000);

  it('train --backbone saves a class-mean head that eval and predict load with the pipeline it names', async () => {
    const work = await makeTempDir();
    const data = path.join(work, 'faces');
    for (const person of ['s1', 's2', 's3', 's4']) await cp(path.join(ORL_DIR, person), path.join(data, person), { recursive: true });
    const model = path.join(work, 'model');
    let r = await run('train', data, '--out', model, '--split', 'first:1', '--backbone', 'fast', '--backend', 'wasm', '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/trained a class-mean head on fast embeddings of 4 images .*model saved to/);
    expect(r.out).toMatch(/test accuracy: \d+\.\d+% on 36 images/);
    const saved = JSON.parse(await readFile(path.join(model, 'model.json'), 'utf8'));
    expect(saved.userDefinedMetadata.facerec).toMatchObject({ architecture: 'embedding-head', head: 'class-mean', backbone: { embedder: 'dlib', dimensions: 128, landmarks: 'detector' } });

    r = await run('eval', model, data, '--split', 'first:1', '--quiet', '--confusion', path.join(work, 'c.html'));
    expect(r.code, r.err).toBe(0);
    const accuracy = Number(/accuracy: ([\d.]+)%/.exec(r.out)![1]);
    expect(accuracy).toBeGreaterThanOrEqual(90);

    r = await run('predict', model, path.join(data, 's3', '7.pgm'), '--json', '--top', '2');
    expect(r.code, r.err).toBe(0);
    const answer = JSON.parse(r.out);
    expect(answer).toMatchObject({ label: 's3', unknown: false });
    // Cosine similarities, not probabilities: the text output prints them as such.
    expect(answer.score).toBeGreaterThan(0.9);
    expect((await run('predict', model, path.join(data, 's3', '7.pgm'))).out).toMatch(/7\.pgm\ts3\t0\.\d{3}\n/);
    // Flags that train a CNN make no sense with --backbone.
    r = await run('train', data, '--out', path.join(work, 'm2'), '--backbone', 'fast', '--epochs', '3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--epochs train a CNN; they do not apply with --backbone/);
  }, 120_000);

  it('explains usage errors', async () => {
    expect((await run('enroll', 'g')).code).toBe(2);
    expect((await run('verify', '--preset', 'huge', 'a', 'b')).err).toMatch(/--preset must be one of default, fast, mobileface, faceres/);
    expect((await run('help')).out).toMatch(/identify <gallery> <photo\.\.\.>/);
  });
});
