// CLI encryption flags: an encrypted gallery without its key, with a wrong one, and bad flag use, all before any model loads.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Gallery, saveGallery } from '@facerec/node';
import { runCapture } from '../fixtures/cli.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);
afterEach(() => {
  delete process.env.FACEREC_TEST_PASS;
});

async function encryptedGallery(): Promise<string> {
  const dir = path.join(await makeTempDir(), 'gallery');
  const g = new Gallery(undefined, { embedder: 'dlib', dimensions: 128, threshold: 0.6, landmarks: 'mesh' });
  await g.enroll('ann', [Float32Array.from({ length: 128 }, (_, k) => Math.cos(k))]);
  await saveGallery(g, dir, { encryption: { passphrase: 'right one', iterations: 10_000 } });
  return dir;
}

describe('facerec --passphrase-env / --key-file', () => {
  it('identify on an encrypted gallery without a key says so (exit 1), and with a wrong passphrase too', async () => {
    const dir = await encryptedGallery();
    let r = await runCapture('identify', dir, 'photo.jpg', '--backend', 'cpu');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is an encrypted gallery: give its passphrase or key.*--passphrase-env/);
    process.env.FACEREC_TEST_PASS = 'wrong one';
    r = await runCapture('identify', dir, 'photo.jpg', '--backend', 'cpu', '--passphrase-env', 'FACEREC_TEST_PASS');
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot be opened with this passphrase or key');
    expect(r.err).not.toContain('wrong one');
  });

  it('usage errors (exit 2): an unset variable, both flags, a key file of the wrong size', async () => {
    const dir = await encryptedGallery();
    let r = await runCapture('enroll', dir, 'bob', 'photo.jpg', '--passphrase-env', 'FACEREC_TEST_PASS');
    expect(r.code).toBe(2);
    expect(r.err).toContain('FACEREC_TEST_PASS is not set');
    const keyFile = path.join(path.dirname(dir), 'key.bin');
    await writeFile(keyFile, 'abc');
    process.env.FACEREC_TEST_PASS = 'x';
    r = await runCapture('enroll', dir, 'bob', 'photo.jpg', '--passphrase-env', 'FACEREC_TEST_PASS', '--key-file', keyFile);
    expect(r.code).toBe(2);
    r = await runCapture('identify', dir, 'photo.jpg', '--key-file', keyFile);
    expect(r.code).toBe(2);
    expect(r.err).toContain('key.bin');
  });
});
