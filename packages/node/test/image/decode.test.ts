// Decoder tests on hand-made files with known pixels: PNM, PNG, JPEG, BMP, limits and corrupt data.
import { describe, expect, it } from 'vitest';
import { InvalidImageError, type RawImage } from '@facerec/core';
import { decodeImage, detectImageFormat, type DecodeImageOptions } from '../../src/image/index.js';
import { readJpegFrame } from '../../src/image/jpeg.js';
import { bmpBytes, jpegBytes, pngBytes, pnmAscii, pnmBinary } from '../fixtures/images.js';
import { grayPngWithData } from './png-chunks.js';

const pixels = (image: RawImage): number[] => Array.from(image.data);

/** Asserts that decoding fails with an InvalidImageError naming `name` (and matching `pattern`). */
function expectInvalid(bytes: Uint8Array, name: string, pattern?: RegExp, options: DecodeImageOptions = {}): InvalidImageError {
  let caught: unknown;
  try {
    decodeImage(bytes, name, options);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidImageError);
  const error = caught as InvalidImageError;
  expect(error.source).toBe(name);
  expect(error.message).toContain(name);
  if (pattern) expect(error.message).toMatch(pattern);
  return error;
}

describe('PNM', () => {
  it('decodes binary P5 exactly, with header comments', () => {
    const bytes = pnmBinary('P5', 3, 2, [0, 1, 2, 100, 200, 255], 255, 'P5 # gray\n# another comment\n3 2\n255\n');
    const image = decodeImage(bytes, 'a.pgm');
    expect([image.width, image.height, image.channels]).toEqual([3, 2, 1]);
    expect(pixels(image)).toEqual([0, 1, 2, 100, 200, 255]);
    expect(image.data).toBeInstanceOf(Uint8Array);
  });

  it('decodes ASCII P2 and scales maxval 15 to 0..255', () => {
    const image = decodeImage(pnmAscii('P2', 2, 2, [0, 15, 7, 8], 15), 'a.pgm');
    expect(pixels(image)).toEqual([0, 255, 119, 136]);
  });

  it('decodes 16-bit P5 (maxval 65535, big-endian)', () => {
    const image = decodeImage(pnmBinary('P5', 2, 2, [0, 65535, 257, 32768], 65535), 'a.pgm');
    expect(pixels(image)).toEqual([0, 255, 1, 128]);
  });

  it('decodes P6 and P3 colour to 3 channels', () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    for (const bytes of [pnmBinary('P6', 2, 2, rgb), pnmAscii('P3', 2, 2, rgb)]) {
      const image = decodeImage(bytes, 'a.ppm');
      expect([image.width, image.height, image.channels]).toEqual([2, 2, 3]);
      expect(pixels(image)).toEqual(rgb);
    }
  });

  it('decodes PBM P1 and P4 (1 = black)', () => {
    const p1 = new TextEncoder().encode('P1\n3 1\n1 0 1\n');
    expect(pixels(decodeImage(p1, 'a.pbm'))).toEqual([0, 255, 0]);
    const p4 = new Uint8Array([...new TextEncoder().encode('P4\n3 1\n'), 0b10100000]);
    expect(pixels(decodeImage(p4, 'a.pbm'))).toEqual([0, 255, 0]);
  });

  it('rejects truncated, malformed and out-of-range PNM files, naming them', () => {
    const full = pnmBinary('P5', 3, 2, [0, 1, 2, 3, 4, 5]);
    expectInvalid(full.subarray(0, full.length - 2), 'cut.pgm', /truncated/);
    expectInvalid(new TextEncoder().encode('P5\n3 x\n255\n'), 'head.pgm', /header/);
    expectInvalid(pnmAscii('P2', 2, 2, [1, 2, 3]), 'short.pgm', /truncated/);
    expectInvalid(pnmAscii('P2', 1, 1, [20], 15), 'big.pgm', /exceeds maxval/);
    expectInvalid(pnmBinary('P5', 1, 1, [0], 70000), 'maxval.pgm', /maxval/);
  });
});

describe('PNG', () => {
  it('decodes 8-bit gray exactly to 1 channel', () => {
    const image = decodeImage(pngBytes(2, 2, 0, [0, 50, 200, 255]), 'a.png');
    expect([image.width, image.height, image.channels]).toEqual([2, 2, 1]);
    expect(pixels(image)).toEqual([0, 50, 200, 255]);
  });

  it('drops alpha: gray+alpha gives 1 channel, RGBA gives 3', () => {
    expect(pixels(decodeImage(pngBytes(2, 1, 4, [10, 255, 20, 0]), 'ga.png'))).toEqual([10, 20]);
    const rgba = decodeImage(pngBytes(2, 1, 6, [1, 2, 3, 255, 4, 5, 6, 0]), 'rgba.png');
    expect(rgba.channels).toBe(3);
    expect(pixels(rgba)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('decodes RGB exactly', () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7];
    const image = decodeImage(pngBytes(2, 2, 2, rgb), 'a.png');
    expect(image.channels).toBe(3);
    expect(pixels(image)).toEqual(rgb);
  });

  it('scales 16-bit samples to 8 bits', () => {
    const image = decodeImage(pngBytes(2, 2, 0, [0, 65535, 257, 32768], 16), 'a.png');
    expect(image.channels).toBe(1);
    expect(pixels(image)).toEqual([0, 255, 1, 128]);
  });

  it('decodes palette images: colour to 3 channels, an all-gray palette to 1', () => {
    const colour = decodeImage(pngBytes(3, 1, 3, [1, 2, 0], 8, [[0, 0, 0], [255, 0, 0], [0, 255, 0]]), 'p.png');
    expect(colour.channels).toBe(3);
    expect(pixels(colour)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 0]);
    const gray = decodeImage(pngBytes(3, 1, 3, [2, 1, 0], 8, [[0, 0, 0], [128, 128, 128], [255, 255, 255]]), 'g.png');
    expect(gray.channels).toBe(1);
    expect(pixels(gray)).toEqual([255, 128, 0]);
  });

  it('rejects truncated and corrupt PNGs, naming them', () => {
    const full = pngBytes(8, 8, 0, new Array<number>(64).fill(7));
    expectInvalid(full.subarray(0, full.length - 20), 'cut.png');
    expectInvalid(full.subarray(0, 20), 'tiny.png', /truncated/);
    const flipped = full.slice();
    flipped[40] = flipped[40]! ^ 0xff; // inside IDAT: the CRC no longer matches
    expectInvalid(flipped, 'crc.png');
  });
});

describe('JPEG', () => {
  // 16×16 with four flat 8×8 blocks: block-aligned colours survive quality-100 JPEG almost exactly.
  const colours = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [128, 128, 128]];
  const rgb: number[] = [];
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) rgb.push(...colours[(y >> 3) * 2 + (x >> 3)]!);

  it('decodes colour JPEG approximately to 3 channels', () => {
    const image = decodeImage(jpegBytes(16, 16, rgb), 'c.jpg');
    expect([image.width, image.height, image.channels]).toEqual([16, 16, 3]);
    expect(image.data.length).toBe(16 * 16 * 3);
    let worst = 0;
    for (let i = 0; i < rgb.length; i++) worst = Math.max(worst, Math.abs(image.data[i]! - rgb[i]!));
    expect(worst).toBeLessThanOrEqual(6);
  });

  it('returns 1 channel for a 3-component JPEG whose pixels are all gray', () => {
    const grayRgb = rgb.map((_, i) => [10, 90, 170, 250][Math.floor(i / 3) % 4]!);
    const bytes = jpegBytes(16, 16, grayRgb);
    expect(readJpegFrame(bytes)?.components).toBe(3); // jpeg-js always writes YCbCr
    const image = decodeImage(bytes, 'g.jpg');
    expect(image.channels).toBe(1);
    expect(image.data.length).toBe(256);
    expect(Math.abs(image.data[0]! - 10)).toBeLessThanOrEqual(4);
  });

  it('reads the frame header (size, components)', () => {
    expect(readJpegFrame(jpegBytes(16, 16, rgb))).toEqual({ width: 16, height: 16, components: 3 });
  });

  it('rejects truncated and corrupt JPEGs, naming them', () => {
    const full = jpegBytes(16, 16, rgb, 90);
    expectInvalid(full.subarray(0, Math.floor(full.length / 2)), 'cut.jpg', /corrupt/);
    expectInvalid(full.subarray(0, 3), 'head.jpg');
    const garbage = full.slice();
    for (let i = 200; i < garbage.length - 2; i++) garbage[i] = (i * 7) & 255;
    expectInvalid(garbage, 'garbage.jpg');
  });

  it('honours maxResolutionInMP and maxMemoryUsageInMB with a clear error', () => {
    const bytes = jpegBytes(16, 16, rgb);
    expect(() => decodeImage(bytes, 'big.jpg', { maxResolutionInMP: 0.0001 })).toThrow(/big\.jpg.*maxResolutionInMP/);
    expect(() => decodeImage(bytes, 'mem.jpg', { maxMemoryUsageInMB: 0.0001 })).toThrow(/mem\.jpg.*maxMemoryUsageInMB/);
    // The limits are per call: a normal decode afterwards still works.
    expect(decodeImage(bytes, 'ok.jpg').width).toBe(16);
  });
});

describe('BMP', () => {
  it('decodes 24-bit bottom-up BMP with row padding exactly', () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const image = decodeImage(bmpBytes(3, 2, rgb), 'a.bmp');
    expect([image.width, image.height, image.channels]).toEqual([3, 2, 3]);
    expect(pixels(image)).toEqual(rgb);
  });

  it('decodes an 8-bit gray-palette BMP to 1 channel', () => {
    const palette: Array<[number, number, number]> = [[0, 0, 0], [77, 77, 77], [255, 255, 255]];
    const image = decodeImage(bmpBytes(2, 2, [0, 1, 2, 1], palette), 'g.bmp');
    expect(image.channels).toBe(1);
    expect(pixels(image)).toEqual([0, 77, 255, 77]);
  });

  it('rejects a truncated BMP, naming it', () => {
    const full = bmpBytes(3, 2, new Array<number>(18).fill(1));
    expectInvalid(full.subarray(0, full.length - 4), 'cut.bmp', /truncated/);
  });
});

describe('image data shorter than the header says', () => {
  /**
   * Decoding must fail fast (no decode of a huge all-zero image) with a truncation error naming the file, even
   * where the size limit allows the header's 100 megapixels.
   */
  function expectTruncated(bytes: Uint8Array, name: string): void {
    const start = performance.now();
    const buffers = process.memoryUsage().arrayBuffers;
    expectInvalid(bytes, name, /truncated/, { maxResolutionInMP: 100 });
    expect(performance.now() - start).toBeLessThan(500);
    // Nothing close to the claimed size (100 MB and up) was allocated.
    expect(process.memoryUsage().arrayBuffers - buffers).toBeLessThan(32 * 2 ** 20);
  }

  it('rejects a tiny PNG whose header claims 9999×9999 (pngjs would fill it with zeros)', () => {
    // One row of 9999 zero samples, deflated to a few bytes: 69 bytes in all, like the reported file.
    const bytes = grayPngWithData(9999, 9999, new Uint8Array(10000));
    expect(bytes.length).toBeLessThan(120);
    expectTruncated(bytes, 'huge.png');
  });

  it('rejects a PNG whose IDAT (valid CRC) holds fewer rows than its height', () => {
    const rows = (n: number) => new Uint8Array(n * 9).map((_, i) => (i % 9 === 0 ? 0 : i & 255));
    expect(decodeImage(grayPngWithData(8, 8, rows(8)), 'full.png').height).toBe(8);
    expectTruncated(grayPngWithData(8, 8, rows(7)), 'short.png');
    expectTruncated(grayPngWithData(8, 8, rows(8).subarray(0, 70)), 'cut-row.png');
  });

  it('checks interlaced (Adam7) PNGs against the passes\' sizes', () => {
    // 3×3 gray: passes 1, 4, 5, 6, 7 hold 1×1, 1×1, 2×1, 1×2 and 3×1 pixels: 15 bytes with the filter bytes.
    const raw = Uint8Array.from([0, 10, 0, 20, 0, 30, 31, 0, 40, 0, 41, 0, 50, 51, 52]);
    const image = decodeImage(grayPngWithData(3, 3, raw, 1), 'adam7.png');
    expect(pixels(image)).toEqual([10, 40, 20, 50, 51, 52, 30, 41, 31]);
    expectTruncated(grayPngWithData(3, 3, raw.subarray(0, 14), 1), 'adam7-cut.png');
  });

  it('rejects a JPEG too small for the size in its header, before decoding', () => {
    const rgb = new Array<number>(16 * 16 * 3).fill(100);
    const bytes = jpegBytes(16, 16, rgb).slice();
    // Rewrite the SOF0 size to 9999×9999: the scan holds 4 blocks of the 1.6 million needed.
    let i = 2;
    while (!(bytes[i] === 0xff && bytes[i + 1] === 0xc0)) i++;
    bytes.set([0x27, 0x0f, 0x27, 0x0f], i + 5);
    expectTruncated(bytes, 'huge.jpg');
  });

  it('rejects a JPEG cut anywhere in its scan (jpeg-js reads zeros past the end; the missing EOI gives it away)', () => {
    const rgb: number[] = [];
    for (let p = 0; p < 32 * 32; p++) rgb.push((p * 7) & 255, (p * 13) & 255, (p * 29) & 255);
    const full = jpegBytes(32, 32, rgb, 90);
    for (let cut = full.length - 1; cut > full.length - 600 && cut > 3; cut -= 11) expectInvalid(full.subarray(0, cut), 'cut.jpg');
  });

  it('rejects PNM and BMP rasters shorter than their size before allocating the image', () => {
    expectTruncated(pnmBinary('P5', 9999, 9999, [1, 2, 3]), 'huge.pgm');
    expectTruncated(new TextEncoder().encode('P2\n9999 9999\n255\n1 2 3\n'), 'huge-ascii.pgm');
    const bmp = bmpBytes(4, 4, new Array<number>(48).fill(9)).slice();
    new DataView(bmp.buffer).setInt32(18, 9999, true);
    new DataView(bmp.buffer).setInt32(22, 9999, true);
    expectTruncated(bmp, 'huge.bmp');
  });
});

describe('format detection', () => {
  it('uses magic bytes, not the file name', () => {
    const png = pngBytes(1, 1, 0, [42]);
    expect(detectImageFormat(png)).toBe('png');
    const image = decodeImage(png, 'really-a-png.jpg');
    expect(pixels(image)).toEqual([42]);
    expect(detectImageFormat(pnmBinary('P5', 1, 1, [1]))).toBe('pnm');
    expect(detectImageFormat(new TextEncoder().encode('Plain text'))).toBeUndefined();
  });

  it('rejects unknown and empty data, naming the file', () => {
    expectInvalid(new TextEncoder().encode('hello, not an image'), 'notes.jpg', /unknown image format/);
    expectInvalid(new Uint8Array(0), 'empty.png', /empty/);
  });

  it('refuses 100-megapixel headers by default (a limit the pipeline processes in bounded memory: 50 MP)', () => {
    expectInvalid(grayPngWithData(9999, 9999, new Uint8Array(10000)), 'default.png', /100\.0 MP, over the maxResolutionInMP limit of 50/);
    expectInvalid(pnmBinary('P5', 8000, 7000, []), 'default.pgm', /maxResolutionInMP limit of 50/);
  });

  it('applies maxResolutionInMP to every format before allocating', () => {
    expect(() => decodeImage(pnmBinary('P5', 2000, 2000, []), 'huge.pgm', { maxResolutionInMP: 1 })).toThrow(
      /huge\.pgm.*4\.0 MP/,
    );
    expect(() => decodeImage(pngBytes(4, 4, 0, new Array<number>(16).fill(0)), 'p.png', { maxResolutionInMP: 1e-6 })).toThrow(
      /maxResolutionInMP/,
    );
  });
});
