// Image file helpers: extension checks, reading, atomic PNG writing, and the real ORL / LFW images.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidImageError } from '@facerec/core';
import { decodeImage, encodePng, isImageFile, readImage, writeImageFile } from '../../src/image/index.js';
import { readJpegFrame } from '../../src/image/jpeg.js';
import { LFW_DIR, ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

describe('isImageFile', () => {
  it('accepts image extensions in any case and rejects others and hidden files', () => {
    for (const name of ['a.jpg', 'b.JPEG', 'c.png', 'd.pgm', 'e.ppm', 'f.pnm', 'g.bmp', '/x/y/1.PGM']) {
      expect(isImageFile(name), name).toBe(true);
    }
    for (const name of ['notes.txt', 'README', 'a.jpg.bak', '.hidden.jpg', 'archive.tar.gz', 'jpg']) {
      expect(isImageFile(name), name).toBe(false);
    }
  });
});

describe('encodePng / writeImageFile / readImage', () => {
  it('round-trips gray, RGB and RGBA images exactly (RGBA reads back without alpha)', () => {
    const gray = { data: new Uint8Array([0, 64, 128, 255]), width: 2, height: 2, channels: 1 as const };
    expect(decodeImage(encodePng(gray), 'g.png')).toEqual(gray);
    const rgb = { data: new Uint8Array([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 as const };
    expect(decodeImage(encodePng(rgb), 'c.png')).toEqual(rgb);
    const rgba = { data: new Uint8Array([1, 2, 3, 0, 4, 5, 6, 255]), width: 2, height: 1, channels: 4 as const };
    expect(Array.from(decodeImage(encodePng(rgba), 'a.png').data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rounds and clamps float samples', () => {
    const image = { data: new Float32Array([-5, 0.4, 127.6, 300, Number.NaN, 254.5]), width: 3, height: 2, channels: 1 as const };
    expect(Array.from(decodeImage(encodePng(image), 'f.png').data)).toEqual([0, 0, 128, 255, 0, 255]);
  });

  it('rejects data whose length does not match the shape', () => {
    expect(() => encodePng({ data: new Uint8Array(3), width: 2, height: 2, channels: 1 })).toThrow(InvalidImageError);
  });

  it('writes a PNG file atomically and reads it back', async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'sub', 'preview.png');
    const image = { data: new Uint8Array([9, 8, 7, 6, 5, 4]), width: 3, height: 2, channels: 1 as const };
    await writeImageFile(file, image);
    await writeImageFile(file, image); // replacing an existing file works too
    expect(await readImage(file)).toEqual(image);
    expect(await readdir(path.dirname(file))).toEqual(['preview.png']); // no temp files left
  });

  it('names a missing or corrupt file in the error', async () => {
    const dir = await makeTempDir();
    const missing = path.join(dir, 'nope.jpg');
    await expect(readImage(missing)).rejects.toThrow(InvalidImageError);
    await expect(readImage(missing)).rejects.toThrow(/nope\.jpg.*ENOENT/);
    const corrupt = path.join(dir, 'bad.png');
    await writeFile(corrupt, 'not a png at all');
    await expect(readImage(corrupt)).rejects.toMatchObject({ source: corrupt });
  });
});

describe('real datasets', () => {
  it('decodes an ORL PGM to 92x112x1', async () => {
    const file = path.join(ORL_DIR, 's1', '1.pgm');
    const image = await readImage(file);
    expect([image.width, image.height, image.channels]).toEqual([92, 112, 1]);
    // maxval is 255, so the pixels are the file's last 92*112 bytes unchanged.
    const bytes = await readFile(file);
    expect(Buffer.from(image.data).equals(bytes.subarray(bytes.length - 92 * 112))).toBe(true);
  });

  it('decodes LFW grayscale JPEGs to 250x250x1', async () => {
    const root = path.join(LFW_DIR, 'images');
    const people = (await readdir(root)).sort().slice(0, 20);
    const files = await Promise.all(
      people.map(async (p) => path.join(root, p, (await readdir(path.join(root, p))).sort()[0]!)),
    );
    const bytes = await Promise.all(files.map((f) => readFile(f)));
    expect(readJpegFrame(bytes[0]!)?.components).toBe(1); // single-component JPEG
    decodeImage(bytes[0]!, files[0]!); // warm up the JIT before timing
    const start = performance.now();
    for (let i = 0; i < files.length; i++) {
      const image = decodeImage(bytes[i]!, files[i]!);
      expect([image.width, image.height, image.channels]).toEqual([250, 250, 1]);
    }
    const msPerImage = (performance.now() - start) / files.length;
    console.log(`LFW JPEG decode: ${msPerImage.toFixed(1)} ms per 250x250 image (${files.length} images)`);
  });
});
