// The CLI under hostile use: flags checked before any work (usage errors exit 2), negative thresholds, --out formats,
// one bad file among many, corrupt training images listed at once, and broken models that must not answer with a name.
import { copyFile, cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLIB, DETECTOR_FILE, FaceRecognizer, fileSystemHandler, initBackend, locateModelDir } from '@facerec/node';
import { ORL_DIR, lfwImage, lfwPeople } from '../../../core/test/helpers/datasets.js';
import { runCapture as run } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

let work = '';
/** Three ORL people × 3 images: trains in about a second at 16×16. */
let orl = '';
let model = '';
const notAnImage = () => path.join(work, 'broken.jpg');

beforeAll(async () => {
  work = await makeTempDir('facerec-cli-hardening-');
  orl = path.join(work, 'orl');
  for (const person of ['s1', 's2', 's3']) {
    await mkdir(path.join(orl, person), { recursive: true });
    for (const n of [1, 2, 3]) await copyFile(path.join(ORL_DIR, person, `${n}.pgm`), path.join(orl, person, `${n}.pgm`));
  }
  await writeFile(notAnImage(), 'this is not a JPEG');
  model = path.join(work, 'model');
  const train = await run('train', orl, '--out', model, '--epochs', '2', '--input-size', '16', '--no-augment', '--backend', 'wasm', '--quiet');
  expect(train.code, train.err).toBe(0);
});
afterAll(removeTempDirs);

describe('flags are checked before any work', () => {
  it('--backend bogus is a usage error (exit 2) in every command', async () => {
    for (const argv of [
      ['train', orl, '--out', path.join(work, 'm2')], ['eval', model, orl], ['predict', model, notAnImage()],
      ['identify', work, notAnImage()], ['verify', notAnImage(), notAnImage()], ['lfw', '--pairs', 'p', '--images', 'i'],
    ]) {
      const r = await run(...argv, '--backend', 'bogus');
      expect([argv[0], r.code]).toEqual([argv[0], 2]);
      expect(r.err).toMatch(/--backend must be one of auto, gpu, webgpu, wasm, cpu, got "bogus"/);
      expect(r.err).toMatch(/Usage: facerec/);
    }
  });

  it('a bad number is rejected before the backend starts or the dataset loads', async () => {
    const missing = path.join(work, 'no-such-dataset');
    for (const flag of ['--epochs', '--batch-size', '--lr', '--validation-split', '--threads']) {
      const r = await run('train', missing, '--out', path.join(work, 'm3'), flag, 'abc');
      expect([flag, r.code]).toEqual([flag, 2]);
      expect(r.err).toContain(`${flag} must be`);
      expect(r.err).not.toMatch(/backend:|no-such-dataset/);
    }
    const evaluation = await run('eval', model, missing, '--threshold', 'abc');
    expect(evaluation.code).toBe(2);
    expect(evaluation.err).not.toMatch(/backend:/);
    expect((await run('predict', path.join(work, 'no-model'), notAnImage(), '--top', '0')).code).toBe(2);
  });

  it('reads a negative value after a flag as a number, not as a flag', async () => {
    for (const argv of [['--threshold', '-0.5'], ['--threshold=-0.5']]) {
      const r = await run('predict', model, notAnImage(), ...argv);
      expect(r.code).toBe(2);
      // A cosine threshold may be negative; this model's scores are probabilities.
      expect(r.err).toMatch(/--threshold must be in \[0, 1\] for this model, whose scores are probabilities; got -0\.5/);
      expect(r.err).not.toMatch(/ambiguous/);
    }
  });

  it('identify --out takes .png, .jpg or .jpeg only, before loading anything', async () => {
    const r = await run('identify', path.join(work, 'no-gallery'), notAnImage(), '--out', path.join(work, 'x.gif'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out must name a \.png, \.jpg or \.jpeg file, got ".*x\.gif"/);
  });
});

describe('one bad file among several', () => {
  it('predict reports the bad image (stderr and JSON), answers for the others, exits 1', async () => {
    const good = [path.join(orl, 's1', '1.pgm'), path.join(orl, 's2', '1.pgm')];
    const r = await run('predict', model, good[0]!, notAnImage(), good[1]!, '--json');
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { file: string; label?: string; error?: string });
    expect(lines.map((l) => l.file)).toEqual([good[0], notAnImage(), good[1]]);
    expect(lines[0]!.label).toMatch(/^(s\d|unknown)$/);
    expect(lines[1]!.error).toMatch(/broken\.jpg/);
    expect(lines[2]!.label).toMatch(/^(s\d|unknown)$/);
    expect(r.err).toContain(`facerec predict: Invalid image ${notAnImage()}`);
    expect(r.err).toMatch(/1 of 3 file\(s\) failed/);
    const text = await run('predict', model, notAnImage(), good[0]!);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/1\.pgm\t(s\d|unknown)\t/);
  });
});

describe('training data with corrupt images', () => {
  let data = '';
  beforeAll(async () => {
    data = path.join(work, 'with-corrupt');
    await cp(orl, data, { recursive: true });
    await writeFile(path.join(data, 's1', 'bad.jpg'), 'not a jpeg');
    await writeFile(path.join(data, 's3', 'bad.png'), 'not a png');
  });

  it('lists every corrupt image at once and says how to go on', async () => {
    const r = await run('train', data, '--out', path.join(work, 'm4'), '--epochs', '1', '--input-size', '16', '--backend', 'wasm', '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain(path.join(data, 's1', 'bad.jpg'));
    expect(r.err).toContain(path.join(data, 's3', 'bad.png'));
    expect(r.err).toMatch(/--skip-corrupt/);
  });

  it('--skip-corrupt trains without them and names each one', async () => {
    const out = path.join(work, 'm5');
    const r = await run('train', data, '--out', out, '--epochs', '1', '--input-size', '16', '--backend', 'wasm', '--quiet', '--skip-corrupt');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/skipped corrupt image .*s1[/\\]bad\.jpg/);
    expect(r.err).toMatch(/skipped corrupt image .*s3[/\\]bad\.png/);
    expect((await readdir(out)).sort()).toContain('model.json');
  });

  it('refuses a person folder called "unknown"', async () => {
    const reserved = path.join(work, 'with-unknown');
    await cp(orl, reserved, { recursive: true });
    await cp(path.join(orl, 's3'), path.join(reserved, 'unknown'), { recursive: true });
    const r = await run('train', reserved, '--out', path.join(work, 'm6'), '--epochs', '1', '--input-size', '16', '--backend', 'wasm', '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/may not be called "unknown"/);
  });
});

describe('broken models never answer with a name', () => {
  it('predict with NaN weights fails naming the model (it printed "s1 NaN%")', async () => {
    const broken = path.join(work, 'nan-model');
    await cp(model, broken, { recursive: true });
    const weights = path.join(broken, 'weights.bin');
    const bytes = await readFile(weights);
    bytes.writeFloatLE(Number.NaN, 8);
    await writeFile(weights, bytes);
    const r = await run('predict', broken, path.join(orl, 's1', '1.pgm'), '--backend', 'wasm');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nan-model.*NaN or infinite values/);
    expect(r.out).toBe('');
    // The API too: the recognizer refuses such weights when loading.
    await initBackend('wasm');
    await expect(FaceRecognizer.load(fileSystemHandler(broken), { source: broken })).rejects.toThrow(/NaN/);
  });

  it('verify with NaN embedder weights fails naming the file (it printed "different, similarity NaN")', async () => {
    const models = path.join(work, 'nan-dlib');
    await mkdir(models);
    const human = locateModelDir();
    const faceapi = locateModelDir(undefined, '@vladmandic/face-api');
    for (const f of [`${DETECTOR_FILE}.json`, `${DETECTOR_FILE}.bin`]) await copyFile(path.join(human, f), path.join(models, f));
    const manifest = `${DLIB.file}-weights_manifest.json`;
    await copyFile(path.join(faceapi, manifest), path.join(models, manifest));
    const bin = await readFile(path.join(faceapi, `${DLIB.file}.bin`));
    // The first weight stored as plain float32 (the others are uint8-quantized) gets one NaN.
    type Entry = { shape: number[]; dtype: string; quantization?: { dtype: string } };
    const entries = (JSON.parse(await readFile(path.join(faceapi, manifest), 'utf8')) as Array<{ weights: Entry[] }>).flatMap((g) => g.weights);
    let offset = 0;
    for (const w of entries) {
      if (!w.quantization) break;
      offset += w.shape.reduce((x, y) => x * y, 1);
    }
    bin.writeFloatLE(Number.NaN, offset);
    await writeFile(path.join(models, `${DLIB.file}.bin`), bin);
    const person = lfwPeople()[0]!;
    const [a, b] = [lfwImage(person.name, person.images[0]!), lfwImage(person.name, person.images[1]!)];
    const r = await run('verify', a, b, '--preset', 'fast', '--models', models, '--backend', 'wasm');
    expect(r.code).toBe(1);
    expect(r.err).toContain(path.join(models, manifest));
    expect(r.out).not.toMatch(/different|same/);
  });
});

describe('identify', () => {
  let gallery = '';
  const person = () => lfwPeople()[0]!;
  beforeAll(async () => {
    gallery = path.join(work, 'gallery');
    const p = person();
    const r = await run('enroll', gallery, p.name, lfwImage(p.name, p.images[0]!), '--preset', 'fast', '--backend', 'wasm');
    expect(r.code, r.err).toBe(0);
  });

  it('writes JPEG bytes for .jpg and PNG bytes for .png', async () => {
    const photo = lfwImage(person().name, person().images[1]!);
    for (const [name, magic] of [['a.JPG', 'ffd8ff'], ['c.png', '89504e47']] as const) {
      const out = path.join(work, name);
      const r = await run('identify', gallery, photo, '--out', out, '--backend', 'wasm');
      expect(r.code, r.err).toBe(0);
      expect((await readFile(out)).subarray(0, magic.length / 2).toString('hex')).toBe(magic);
    }
  });

  it('takes a negative threshold, and goes on past a bad photo (JSON error line, exit 1)', async () => {
    const photo = lfwImage(person().name, person().images[1]!);
    const r = await run('identify', gallery, notAnImage(), photo, '--threshold', '-0.5', '--json', '--backend', 'wasm');
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { file: string; error?: string; faces?: Array<{ label: string }> });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: notAnImage(), error: expect.stringMatching(/broken\.jpg/) });
    expect(lines[1]!.faces!.map((f) => f.label)).toEqual([person().name]);
  });
});
