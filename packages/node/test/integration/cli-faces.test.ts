// The pretrained-model commands end to end on the committed LFW photos: enroll, identify --out, verify, lfw --json.
import { readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, runCli } from '@facerec/node';
import { LFW_DIR, lfwImage as img } from '../../../core/test/helpers/datasets.js';
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

  it('explains usage errors', async () => {
    expect((await run('enroll', 'g')).code).toBe(2);
    expect((await run('verify', '--preset', 'huge', 'a', 'b')).err).toMatch(/--preset must be one of default, fast, mobileface, faceres/);
    expect((await run('help')).out).toMatch(/identify <gallery> <photo\.\.\.>/);
  });
});
