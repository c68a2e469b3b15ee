// sharp and JS decoders side by side on real files made here: same pixels, EXIF orientation, GIF/WebP/AVIF/TIFF, bad data refused.
import { readFileSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidImageError, type RawImage } from '@facerec/core';
import { decodeImage, decodeImageAsync } from '../../src/image/index.js';
import { grayPngWithData } from './png-chunks.js';

const fixture = (rel: string) => new Uint8Array(readFileSync(new URL(`../../../../fixtures/${rel}`, import.meta.url)));
const LFW = ['Abel_Pacheco/Abel_Pacheco_0001.jpg', 'Abel_Pacheco/Abel_Pacheco_0002.jpg', 'Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg'].map((f) => `lfw/images/${f}`);
const YALE = ['subject02/subject02.normal.png', 'subject03/subject03.leftlight.png'].map((f) => `yale/${f}`);

const meanAbsDiff = (a: RawImage, b: RawImage): number => {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
};

async function expectInvalid(run: Promise<unknown>, name: string, pattern?: RegExp): Promise<void> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidImageError);
  expect((error as Error).message).toContain(name);
  if (pattern) expect((error as Error).message).toMatch(pattern);
}

/** A 64×48 colour image whose four quadrants differ, so any wrong flip or rotation shows. */
function quadrants(): RawImage {
  const width = 64, height = 48;
  const colours = [[220, 30, 30], [30, 200, 40], [40, 50, 210], [240, 240, 240]];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]!, (y * width + x) * 3);
  }
  return { data, width, height, channels: 3 };
}

const rawSharp = (image: RawImage) => sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 3 } });

/** Pixels stored so that a viewer applying EXIF `orientation` shows `upright` (one sharp op per call: its op order is fixed). */
async function storedFor(upright: RawImage, orientation: number): Promise<Buffer> {
  const steps: Record<number, Array<(s: Sharp) => Sharp>> = {
    1: [], 2: [(s) => s.flop()], 3: [(s) => s.rotate(180)], 4: [(s) => s.flip()],
    5: [(s) => s.rotate(90), (s) => s.flop()], 6: [(s) => s.rotate(270)], 7: [(s) => s.rotate(270), (s) => s.flop()], 8: [(s) => s.rotate(90)],
  };
  let image = upright;
  for (const step of steps[orientation]!) {
    const { data, info } = await step(rawSharp(image)).raw().toBuffer({ resolveWithObject: true });
    image = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  }
  return rawSharp(image).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).withMetadata({ orientation }).toBuffer();
}

describe('sharp and the JS decoders give the same images', () => {
  it('JPEG fixtures: mean absolute difference under 1 grey level, same size and channels', async () => {
    for (const rel of LFW) {
      const bytes = fixture(rel);
      const viaSharp = await decodeImageAsync(bytes, rel, { decoder: 'sharp' });
      expect(meanAbsDiff(viaSharp, decodeImage(bytes, rel))).toBeLessThan(1);
    }
  });

  it('PNG fixtures and a colour PNG: identical', async () => {
    for (const rel of YALE) {
      const bytes = fixture(rel);
      expect(await decodeImageAsync(bytes, rel, { decoder: 'sharp' })).toEqual(decodeImage(bytes, rel));
    }
    const png = new Uint8Array(await rawSharp(quadrants()).png().toBuffer());
    const viaSharp = await decodeImageAsync(png, 'q.png', { decoder: 'sharp' });
    expect(viaSharp.channels).toBe(3);
    expect(viaSharp).toEqual(decodeImage(png, 'q.png'));
  });

  it("'auto' uses sharp, FACEREC_DECODER=js and decoder 'js' do not; the sync decodeImage refuses 'sharp'", async () => {
    const png = new Uint8Array(await rawSharp(quadrants()).webp({ lossless: true }).toBuffer());
    expect((await decodeImageAsync(png, 'a.webp')).width).toBe(64);
    await expectInvalid(decodeImageAsync(png, 'b.webp', { decoder: 'js' }), 'b.webp', /install sharp/);
    process.env.FACEREC_DECODER = 'js';
    try {
      await expectInvalid(decodeImageAsync(png, 'c.webp'), 'c.webp', /install sharp/);
    } finally {
      delete process.env.FACEREC_DECODER;
    }
    expect(() => decodeImage(png, 'd.webp', { decoder: 'sharp' })).toThrow(InvalidArgumentError);
    await expect(decodeImageAsync(png, 'e.webp', { decoder: 'bogus' as 'js' })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('EXIF orientation', () => {
  it('orientations 1–8 come out upright on both paths', async () => {
    const upright = quadrants();
    for (let orientation = 1; orientation <= 8; orientation++) {
      const bytes = new Uint8Array(await storedFor(upright, orientation));
      const name = `o${orientation}.jpg`;
      expect(meanAbsDiff(decodeImage(bytes, name), upright), `js, orientation ${orientation}`).toBeLessThan(4);
      expect(meanAbsDiff(await decodeImageAsync(bytes, name, { decoder: 'sharp' }), upright), `sharp, orientation ${orientation}`).toBeLessThan(4);
    }
  });
});

describe('GIF, WebP, AVIF, TIFF made by sharp from a fixture face', async () => {
  const face = decodeImage(fixture(LFW[0]!), 'face.jpg');
  const source = () => sharp(face.data, { raw: { width: face.width, height: face.height, channels: 1 } });
  const files = {
    gif: new Uint8Array(await source().gif().toBuffer()),
    webp: new Uint8Array(await source().webp({ lossless: true }).toBuffer()),
    avif: new Uint8Array(await source().avif({ quality: 90 }).toBuffer()),
    tiff: new Uint8Array(await source().tiff({ compression: 'lzw' }).toBuffer()),
  };

  it('each decodes through sharp to the face (lossless formats exactly, AVIF closely)', async () => {
    for (const [format, bytes] of Object.entries(files)) {
      const image = await decodeImageAsync(bytes, `face.${format}`, { decoder: 'sharp' });
      expect(meanAbsDiff(image, face), format).toBeLessThan(format === 'avif' ? 4 : format === 'gif' ? 1 : 0.001);
    }
  });

  it('GIF decodes without sharp too, to the same pixels; WebP/AVIF/TIFF without sharp say to install it', async () => {
    const viaSharp = await decodeImageAsync(files.gif, 'face.gif', { decoder: 'sharp' });
    expect(decodeImage(files.gif, 'face.gif')).toEqual(viaSharp);
    for (const format of ['webp', 'avif', 'tiff'] as const) {
      await expectInvalid(decodeImageAsync(files[format], `face.${format}`, { decoder: 'js' }), `face.${format}`, /install sharp/);
    }
  });

  it('every format cut short is an InvalidImageError naming the file, on both paths', async () => {
    for (const [format, bytes] of Object.entries({ ...files, jpeg: fixture(LFW[0]!) })) {
      for (const fraction of [0.3, 0.7, 0.95]) {
        const cut = bytes.subarray(0, Math.floor(bytes.length * fraction));
        await expectInvalid(decodeImageAsync(cut, `cut${fraction}.${format}`, { decoder: 'sharp' }), `cut${fraction}.${format}`);
        if (format === 'gif' || format === 'jpeg') expect(() => decodeImage(cut, `cut.${format}`)).toThrow(InvalidImageError);
      }
    }
  });
});

describe('sharp path keeps the decode limits', () => {
  it('a 7000×7000 PNG with a tiny IDAT and over-limit headers are refused before decoding', async () => {
    await expectInvalid(decodeImageAsync(grayPngWithData(7000, 7000, new Uint8Array(10)), 'huge.png', { decoder: 'sharp' }), 'huge.png', /truncated/);
    const jpeg = new Uint8Array(await rawSharp(quadrants()).jpeg().toBuffer());
    await expectInvalid(decodeImageAsync(jpeg, 'limit.jpg', { decoder: 'sharp', maxResolutionInMP: 0.001 }), 'limit.jpg', /maxResolutionInMP/);
    const tiff = new Uint8Array(await rawSharp(quadrants()).tiff().toBuffer());
    await expectInvalid(decodeImageAsync(tiff, 'limit.tiff', { decoder: 'sharp', maxResolutionInMP: 0.001 }), 'limit.tiff', /maxResolutionInMP|pixel limit/);
    const gif = new Uint8Array(await rawSharp(quadrants()).gif().toBuffer());
    gif[6] = 0x50; gif[7] = 0xc3; gif[8] = 0x50; gif[9] = 0xc3; // screen 50000×50000
    await expectInvalid(decodeImageAsync(gif, 'big.gif', { decoder: 'sharp' }), 'big.gif', /maxResolutionInMP/);
    expect(() => decodeImage(gif, 'big.gif')).toThrow(/maxResolutionInMP/);
  });
});
