// Tests for area downscaling: exact copies, exact averages, fractional factors, rects, clamping and bad arguments.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { downscalePixels } from '../../src/image/downscale.js';

const image = (width: number, height: number, channels: number, f: (i: number) => number) => ({
  data: Uint8Array.from({ length: width * height * channels }, (_, i) => f(i)),
  width,
  height,
  channels,
});

describe('downscalePixels', () => {
  it('copies exactly at the same size, and cuts a rect exactly', () => {
    const src = image(5, 4, 3, (i) => (i * 37) & 255);
    expect(Array.from(downscalePixels(src, 5, 4))).toEqual(Array.from(src.data));
    const rect = downscalePixels(src, 2, 2, { x: 1, y: 2, width: 2, height: 2 });
    const want = [2, 3].flatMap((y) => [1, 2].flatMap((x) => [0, 1, 2].map((c) => src.data[(y * 5 + x) * 3 + c]!)));
    expect(Array.from(rect)).toEqual(want);
  });

  it('averages whole blocks, and weighs the pixels a fractional output straddles by their coverage', () => {
    const src = image(4, 2, 1, (i) => [0, 100, 200, 255, 10, 20, 30, 40][i]!);
    expect(Array.from(downscalePixels(src, 2, 1))).toEqual([(0 + 100 + 10 + 20) / 4, (200 + 255 + 30 + 40) / 4]);
    // 3 → 2 columns: each output covers 1.5 source pixels.
    const row = image(3, 1, 1, (i) => [0, 90, 180][i]!);
    const out = downscalePixels(row, 2, 1);
    expect(out[0]).toBeCloseTo((0 + 0.5 * 90) / 1.5, 4);
    expect(out[1]).toBeCloseTo((0.5 * 90 + 180) / 1.5, 4);
  });

  it('never goes past 255 through rounding of the weights', () => {
    const white = image(1001, 999, 1, () => 255);
    const out = downscalePixels(white, 97, 89);
    expect(Math.max(...out)).toBeLessThanOrEqual(255);
    expect(Math.min(...out)).toBeGreaterThan(254.99);
  });

  it('rejects rects outside the image and sizes that would enlarge', () => {
    const src = image(4, 4, 1, () => 0);
    expect(() => downscalePixels(src, 2, 2, { x: 3, y: 0, width: 2, height: 2 })).toThrow(InvalidArgumentError);
    expect(() => downscalePixels(src, 2, 2, { x: 0.5, y: 0, width: 2, height: 2 })).toThrow(InvalidArgumentError);
    expect(() => downscalePixels(src, 5, 2)).toThrow(InvalidArgumentError);
    expect(() => downscalePixels(src, 0, 2)).toThrow(InvalidArgumentError);
  });
});
