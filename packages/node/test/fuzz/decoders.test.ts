// Property-based fuzzing of every image decoder (JS and sharp): random and mutated files end in InvalidImageError or a valid image, quickly and in bounded memory.
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, describe, it } from 'vitest';
import { InvalidImageError, isScalableImage, validateRawImage, type RawImage } from '@facerec/core';
import { decodeImage, decodeImageAsync, encodePng, openImageBytes } from '../../src/image/index.js';
import { bmpBytes, jpegBytes, pngBytes, pnmAscii, pnmBinary } from '../fixtures/images.js';
import { grayPngWithData, ihdr, pngChunk, pngFile } from '../image/png-chunks.js';
import { FUZZ_SEED, fuzzRuns, mutated, printTallies, runCase, tally, typedNaming, type Edit } from './harness.js';

const NAME = 'fuzz-input.img';
/** The limit every case decodes under, and what it may then allocate: 64 bytes per allowed pixel. */
const LIMITS = { maxResolutionInMP: 1 };
const MAX_BYTES = 64 * 2 ** 20;
/** A 1-megapixel decode takes well under a second; five is a hang even on a loaded 2-core machine. */
const MAX_MS = 5000;
const RUNS = fuzzRuns(150);
/** libvips is slower per case than the JS decoders: a fifth as many sharp cases. */
const SHARP_RUNS = fuzzRuns(40, 0.2);

const gradient = (n: number, k = 37) => Array.from({ length: n }, (_, i) => (i * k) & 255);
const lfwJpeg = new Uint8Array(readFileSync(new URL('../../../../fixtures/lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg', import.meta.url)));

const rawImage = (width: number, height: number, channels: 1 | 3 | 4, k = 37) =>
  sharp(Uint8Array.from(gradient(width * height * channels, k)), { raw: { width, height, channels } });
const gifSeeds = [
  new Uint8Array(await rawImage(16, 12, 1).gif().toBuffer()),
  new Uint8Array(await rawImage(9, 7, 3, 11).gif().toBuffer()),
  new Uint8Array(await rawImage(8, 8, 4, 5).gif().toBuffer()),
];
/** Files only sharp reads, for the sharp-path properties. */
const SHARP_SEEDS: Record<string, Uint8Array[]> = {
  webp: [new Uint8Array(await rawImage(16, 12, 3).webp({ lossless: true }).toBuffer()), new Uint8Array(await rawImage(16, 12, 1).webp({ quality: 80 }).toBuffer())],
  tiff: [new Uint8Array(await rawImage(16, 12, 3).tiff({ compression: 'lzw' }).toBuffer()), new Uint8Array(await rawImage(9, 5, 1).tiff().toBuffer())],
  avif: [new Uint8Array(await rawImage(16, 12, 3).avif({ quality: 60 }).toBuffer())],
};

const SEEDS: Record<string, Uint8Array[]> = {
  png: [
    pngBytes(3, 2, 0, gradient(6)),
    pngBytes(2, 2, 2, gradient(12)),
    pngBytes(2, 2, 0, [0, 65535, 257, 32768], 16),
    pngBytes(3, 1, 3, [1, 2, 0], 8, [[0, 0, 0], [255, 0, 0], [0, 255, 0]]),
    pngBytes(2, 1, 4, [10, 255, 20, 0]),
    pngBytes(2, 1, 6, [1, 2, 3, 255, 4, 5, 6, 0]),
    grayPngWithData(3, 3, Uint8Array.from([0, 10, 0, 20, 0, 30, 31, 0, 40, 0, 41, 0, 50, 51, 52]), 1),
    encodePng({ data: Uint8Array.from(gradient(16 * 12 * 3)), width: 16, height: 12, channels: 3 }),
  ],
  jpeg: [jpegBytes(16, 16, gradient(16 * 16 * 3), 90), jpegBytes(24, 8, gradient(24 * 8 * 3, 11), 50), lfwJpeg],
  pnm: [
    pnmBinary('P5', 3, 2, gradient(6)),
    pnmBinary('P6', 2, 2, gradient(12)),
    pnmBinary('P5', 2, 2, [0, 65535, 257, 32768], 65535),
    pnmAscii('P2', 2, 2, [0, 15, 7, 8], 15),
    pnmAscii('P3', 2, 1, gradient(6)),
    new TextEncoder().encode('P1\n3 2\n1 0 1\n0 1 0\n'),
    new Uint8Array([...new TextEncoder().encode('P4\n9 2\n'), 0b10100000, 0x80, 0xff, 0]),
  ],
  bmp: [bmpBytes(3, 2, gradient(18)), bmpBytes(2, 2, [0, 1, 2, 1], [[0, 0, 0], [77, 77, 77], [255, 255, 255]])],
  gif: gifSeeds,
};

/** Where the image data of a PNG ends: the start of its IEND chunk (the last 12 bytes). */
const pngDataEnd = (b: Uint8Array) => b.length - 12;

/** Binary seeds and the byte where their image data ends: any shorter prefix must be refused. */
const CUT_SEEDS: Array<{ bytes: Uint8Array; dataEnd: number }> = [
  ...SEEDS.png!.map((bytes) => ({ bytes, dataEnd: pngDataEnd(bytes) })),
  // JPEG data ends with the EOI marker's two bytes.
  ...SEEDS.jpeg!.map((bytes) => ({ bytes, dataEnd: bytes.length })),
  ...SEEDS.bmp!.map((bytes) => ({ bytes, dataEnd: bytes.length })),
  // A GIF's image data ends with its last sub-block terminator, just before the one-byte trailer.
  ...SEEDS.gif!.map((bytes) => ({ bytes, dataEnd: bytes.length - 1 })),
  ...[SEEDS.pnm![0]!, SEEDS.pnm![1]!, SEEDS.pnm![2]!, SEEDS.pnm![6]!].map((bytes) => ({ bytes, dataEnd: bytes.length })),
];

/** Recomputes every chunk's CRC, so a mutated PNG reaches the decoder's checks instead of failing its CRC. */
const fixPngCrcs: Edit = (b) => {
  const out = b.slice();
  const view = new DataView(out.buffer);
  for (let pos = 8; pos + 12 <= out.length; ) {
    const length = view.getUint32(pos);
    if (pos + 12 + length > out.length) break;
    view.setUint32(pos + 8 + length, crc32(out.subarray(pos + 4, pos + 8 + length)));
    pos += 12 + length;
  }
  return out;
};

/** PNG: a lying IHDR (size, depth, colour type, interlace) with valid CRCs. */
const pngHeader = fc
  .tuple(fc.nat({ max: 3000 }), fc.nat({ max: 3000 }), fc.constantFrom(1, 2, 4, 8, 16, 3), fc.constantFrom(0, 2, 3, 4, 6, 5), fc.constantFrom(0, 1, 2))
  .map(([w, h, depth, colour, interlace]): Edit => (b) => {
    if (b.length < 33) return b;
    const out = b.slice();
    const view = new DataView(out.buffer);
    view.setUint32(16, w);
    view.setUint32(20, h);
    out.set([depth, colour, 0, 0, interlace], 24);
    return fixPngCrcs(out);
  });

/** JPEG: the first SOF's height and width rewritten. */
const jpegSize = fc.tuple(fc.nat({ max: 65535 }), fc.nat({ max: 65535 })).map(([w, h]): Edit => (b) => {
  const out = b.slice();
  for (let i = 2; i + 9 < out.length; i++) {
    if (out[i] === 0xff && out[i + 1]! >= 0xc0 && out[i + 1]! <= 0xc2) {
      out.set([h >> 8, h & 255, w >> 8, w & 255], i + 5);
      break;
    }
  }
  return out;
});

/** PNM: a header with arbitrary numbers over a raster of arbitrary length. */
const pnmFromScratch = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.nat({ max: 5000 }), fc.nat({ max: 5000 }), fc.oneof(fc.nat({ max: 70000 }), fc.constant(255)), fc.uint8Array({ maxLength: 512 }))
  .map(([kind, w, h, maxval, raster]) => new Uint8Array([...new TextEncoder().encode(`P${kind}\n${w} ${h}\n${kind === 1 || kind === 4 ? '' : `${maxval}\n`}`), ...raster]));

/** BMP: lying width, height, bits per pixel, compression and data offset. */
const bmpHeader = fc
  .tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), fc.constantFrom(0, 1, 4, 8, 16, 24, 32, 64), fc.constantFrom(0, 1, 3, 6), fc.nat({ max: 200 }))
  .map(([w, h, bpp, compression, offset]): Edit => (b) => {
    if (b.length < 54) return b;
    const out = b.slice();
    const view = new DataView(out.buffer);
    view.setInt32(18, w, true);
    view.setInt32(22, h, true);
    view.setUint16(28, bpp, true);
    view.setUint32(30, compression, true);
    view.setUint32(10, offset, true);
    return out;
  });

/** GIF: lying screen size and first image descriptor size. */
const gifSize = fc.tuple(fc.nat({ max: 65535 }), fc.nat({ max: 65535 }), fc.boolean()).map(([w, h, frame]): Edit => (b) => {
  if (b.length < 10) return b;
  const out = b.slice();
  let at = frame ? out.indexOf(0x2c, 13) + 5 : 6;
  if (at < 6 || at + 4 > out.length) at = 6;
  out.set([w & 255, w >> 8, h & 255, h >> 8], at);
  return out;
});

const MAGIC: Record<string, number[]> = {
  gif: [...new TextEncoder().encode('GIF89a')],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff],
  pnm: [0x50, 0x35, 0x0a],
  bmp: [0x42, 0x4d],
};
const EXTRA: Record<string, fc.Arbitrary<Edit>[]> = { png: [pngHeader, fc.constant(fixPngCrcs)], jpeg: [jpegSize], pnm: [], bmp: [bmpHeader], gif: [gifSize] };

function checkImage(image: RawImage): void {
  validateRawImage(image, NAME);
  if (image.width * image.height > LIMITS.maxResolutionInMP * 1e6) throw new Error(`${image.width}x${image.height} is over the limit`);
}

describe(`decoders under fuzzing (${RUNS} runs per property, seed ${FUZZ_SEED})`, () => {
  afterAll(printTallies);

  for (const format of Object.keys(SEEDS)) {
    it(`${format}: mutated valid files and random bytes after its magic end in InvalidImageError or a valid image`, async () => {
      const t = tally(`decode ${format}`);
      const rules = { isTyped: typedNaming(InvalidImageError, NAME), check: checkImage, maxMs: MAX_MS, maxBytes: MAX_BYTES };
      const random = fc.uint8Array({ maxLength: 4096 }).map((tail) => new Uint8Array([...MAGIC[format]!, ...tail]));
      const files = fc.oneof(
        { weight: 3, arbitrary: mutated(fc.constantFrom(...SEEDS[format]!), EXTRA[format]) },
        { weight: 1, arbitrary: random },
        ...(format === 'pnm' ? [{ weight: 2, arbitrary: pnmFromScratch }] : []),
      );
      await fc.assert(
        fc.asyncProperty(files, (bytes) => runCase(t, rules, () => decodeImage(bytes, NAME, LIMITS))),
        { numRuns: RUNS, seed: FUZZ_SEED },
      );
    }, 600_000);
  }

  it('a binary file cut anywhere before the end of its image data is an InvalidImageError (no zero-filled image)', async () => {
    const t = tally('decode cut files');
    const rules = { isTyped: typedNaming(InvalidImageError, NAME), check: () => { throw new Error('a cut file decoded'); }, maxMs: MAX_MS, maxBytes: MAX_BYTES };
    const cuts = fc.constantFrom(...CUT_SEEDS).chain(({ bytes, dataEnd }) => fc.nat({ max: dataEnd - 1 }).map((at) => bytes.subarray(0, at)));
    await fc.assert(
      fc.asyncProperty(cuts, (bytes) => runCase(t, rules, () => decodeImage(bytes, NAME, LIMITS))),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
  }, 600_000);

  it('a PNG whose IDAT (valid CRC) inflates to less than its IHDR needs is an InvalidImageError (pngjs zero-fills it)', async () => {
    const t = tally('decode short PNG data');
    const rules = { isTyped: typedNaming(InvalidImageError, NAME), check: () => { throw new Error('short image data decoded'); }, maxMs: MAX_MS, maxBytes: MAX_BYTES };
    const combos = [[0, [1, 2, 4, 8, 16]], [2, [8, 16]], [3, [1, 2, 4, 8]], [4, [8, 16]], [6, [8, 16]]] as const;
    const channels: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
    const short = fc
      .tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom(...combos), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }))
      .map(([w, h, [colour, depths], pick, fraction]) => {
        const depth = depths[pick % depths.length]!;
        const needed = h * (1 + Math.ceil((w * channels[colour]! * depth) / 8));
        const raw = new Uint8Array(Math.floor(needed * fraction)); // filter 0 rows of zeros, cut short
        const palette = colour === 3 ? [pngChunk('PLTE', new Uint8Array(3 * 16))] : [];
        return pngFile(pngChunk('IHDR', ihdr(w, h, depth, colour)), ...palette, pngChunk('IDAT', deflateSync(raw)));
      });
    await fc.assert(
      fc.asyncProperty(short, (bytes) => runCase(t, rules, () => decodeImage(bytes, NAME, LIMITS))),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
  }, 600_000);

  it('any bytes at all end in InvalidImageError or a valid image', async () => {
    const t = tally('decode any bytes');
    const rules = { isTyped: typedNaming(InvalidImageError, NAME), check: checkImage, maxMs: MAX_MS, maxBytes: MAX_BYTES };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), (bytes) => runCase(t, rules, () => decodeImage(bytes, NAME, LIMITS))),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
  }, 600_000);

  const sharpRules = { isTyped: typedNaming(InvalidImageError, NAME), check: checkImage, maxMs: MAX_MS, maxBytes: MAX_BYTES };
  const viaSharp = (bytes: Uint8Array) => decodeImageAsync(bytes, NAME, { ...LIMITS, decoder: 'sharp' });

  for (const format of ['jpeg', 'png', 'gif', 'webp', 'tiff', 'avif']) {
    it(`sharp, ${format}: mutated valid files end in InvalidImageError or a valid image (${SHARP_RUNS} runs)`, async () => {
      const t = tally(`sharp ${format}`);
      const seeds = SEEDS[format] ?? SHARP_SEEDS[format]!;
      await fc.assert(
        fc.asyncProperty(mutated(fc.constantFrom(...seeds), EXTRA[format]), (bytes) => runCase(t, sharpRules, () => viaSharp(bytes))),
        { numRuns: SHARP_RUNS, seed: FUZZ_SEED },
      );
    }, 600_000);
  }

  it(`openImageBytes (read lazily through sharp): mutated JPEG, PNG, WebP, TIFF and AVIF files end in InvalidImageError or a valid copy and region (${SHARP_RUNS} runs)`, async () => {
    const t = tally('sharp lazy (openImageBytes)');
    const seeds = ['jpeg', 'png', 'webp', 'tiff', 'avif'].flatMap((f) => SEEDS[f] ?? SHARP_SEEDS[f]!);
    const lazy = async (bytes: Uint8Array): Promise<RawImage> => {
      // wholeUpTo 1: every image over one pixel is read lazily, as a big photo is.
      const image = await openImageBytes(bytes, NAME, { ...LIMITS, decoder: 'sharp', wholeUpTo: 1 });
      if (!isScalableImage(image)) return image;
      if (image.width * image.height > LIMITS.maxResolutionInMP * 1e6) throw new Error(`${image.width}x${image.height} is over the limit`);
      checkImage(await image.region({ x: 0, y: 0, width: image.width, height: image.height }, Math.min(4, image.width), Math.min(4, image.height)));
      return image.resized(Math.min(8, image.width), Math.min(8, image.height));
    };
    await fc.assert(
      fc.asyncProperty(mutated(fc.constantFrom(...seeds), [jpegSize]), (bytes) => runCase(t, sharpRules, () => lazy(bytes))),
      { numRuns: SHARP_RUNS, seed: FUZZ_SEED },
    );
  }, 600_000);

  it(`sharp: a JPEG, PNG or GIF cut before the end of its image data is an InvalidImageError (${SHARP_RUNS} runs)`, async () => {
    const t = tally('sharp cut files');
    const rules = { ...sharpRules, check: () => { throw new Error('a cut file decoded'); } };
    const binary = CUT_SEEDS.filter(({ bytes }) => bytes[0] === 0xff || bytes[0] === 0x89 || bytes[0] === 0x47);
    const cuts = fc.constantFrom(...binary).chain(({ bytes, dataEnd }) => fc.nat({ max: dataEnd - 1 }).map((at) => bytes.subarray(0, at)));
    await fc.assert(
      fc.asyncProperty(cuts, (bytes) => runCase(t, rules, () => viaSharp(bytes))),
      { numRuns: SHARP_RUNS, seed: FUZZ_SEED },
    );
  }, 600_000);
});
