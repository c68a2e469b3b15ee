import { execFileSync } from 'node:child_process';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { runCapture } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

const run = runCapture;

let data = '';
let model = '';
let work = '';

beforeAll(async () => {
  work = await makeTempDir();
  data = path.join(work, 'faces');
  // Six ORL people keep the end-to-end run short.
  for (const person of ['s1', 's2', 's3', 's4', 's5', 's6']) await cp(path.join(ORL_DIR, person), path.join(data, person), { recursive: true });
  await writeFile(path.join(data, 's1', 'notes.txt'), 'not an image');
  model = path.join(work, 'model');
});
afterAll(removeTempDirs);

describe('facerec CLI end to end', () => {
  it('train → eval (--json, confusion matrix) → predict', async () => {
    const train = await run('train', data, '--out', model, '--split', 'first:5', '--epochs', '25', '--backend', 'wasm');
    expect(train.code, train.err).toBe(0);
    expect(train.err).toMatch(/backend: wasm/);
    expect(train.err).toMatch(/skipped .*notes\.txt/);
    expect(train.err).toMatch(/epoch 25\/25 .*loss .*acc/);
    expect(train.out).toMatch(/test accuracy: \d+\.\d+% on 30 images/);
    expect((await readdir(model)).sort()).toEqual(['facerec.json', 'model.json', 'weights.bin']);

    const json = path.join(work, 'eval.json');
    const confusion = path.join(work, 'confusion.html');
    const evaluation = await run('eval', model, data, '--split', 'first:5', '--json', json, '--confusion', confusion);
    expect(evaluation.code, evaluation.err).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as { accuracy: number; per_person: Record<string, { recall: number; support: number }>; images: number };
    expect(report.images).toBe(30);
    expect(Object.keys(report.per_person)).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
    expect(report.per_person.s1!.support).toBe(5);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(evaluation.out).toContain(`accuracy: ${(report.accuracy * 100).toFixed(2)}%`);
    expect(evaluation.out).toMatch(/^s1\s+\d\.\d{3}\s+\d\.\d{3}/m);
    const html = await readFile(confusion, 'utf8');
    expect(html).toContain('<table>');
    expect(html.match(/<tr><th class="row">/g)).toHaveLength(6);

    const png = path.join(work, 'confusion.png');
    expect((await run('eval', model, data, '--split', 'first:5', '--confusion', png, '--quiet')).code).toBe(0);
    expect((await readFile(png)).subarray(1, 4).toString()).toBe('PNG');

    const predict = await run('predict', model, path.join(data, 's3', '9.pgm'), path.join(data, 's5', '10.pgm'), '--top', '2');
    expect(predict.code, predict.err).toBe(0);
    const lines = predict.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/9\.pgm\t(s\d|unknown)\t\d+\.\d%/);

    // --json speaks the words of the API's Recognition: label, score, unknown, candidates [{ label, score }].
    const asJson = await run('predict', model, path.join(data, 's3', '9.pgm'), '--top', '2', '--json');
    expect(asJson.code, asJson.err).toBe(0);
    const answer = JSON.parse(asJson.out) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(['candidates', 'file', 'label', 'score', 'unknown']);
    expect(answer.candidates).toEqual([{ label: expect.any(String), score: answer.score }, { label: expect.any(String), score: expect.any(Number) }]);
    const evalJson = JSON.parse(await readFile(json, 'utf8')) as { predictions: Array<Record<string, unknown>> };
    expect(Object.keys(evalJson.predictions[0]!).sort()).toEqual(['label', 'predicted', 'score', 'source', 'unknown']);
  });

  it('reports bad usage and bad input with the file or flag named', async () => {
    const noOut = await run('train', data);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/--out <model-dir> is required/);
    expect(noOut.err).toMatch(/Usage: facerec train/);
    expect((await run('train', data, '--out', model, '--split', 'half')).err).toMatch(/--split must be/);
    const missing = await run('eval', model, path.join(work, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(path.join(work, 'nope'));
    const broken = path.join(work, 'broken-model');
    await cp(model, broken, { recursive: true });
    const weights = path.join(broken, 'weights.bin');
    await writeFile(weights, (await readFile(weights)).subarray(0, 100));
    const truncated = await run('predict', broken, path.join(data, 's1', '1.pgm'));
    expect(truncated.code).toBe(1);
    expect(truncated.err).toMatch(/weights\.bin/);
    expect((await run('frobnicate')).code).toBe(2);
  });
});

describe('facerec executable', () => {
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  it.skipIf(!existsSync(cli))('prints its help and version from the built bin', () => {
    const help = execFileSync(process.execPath, [cli, '--help']).toString();
    expect(help).toMatch(/Usage: facerec <command>/);
    expect(help).toMatch(/train <dataset-dir> --out <model-dir>/);
    expect(execFileSync(process.execPath, [cli, '--version']).toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
