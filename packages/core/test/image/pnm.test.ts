// Tests for the platform-free Netpbm decoder and decode limits that node and web both use.
import { describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../src/errors/index.js';
import { checkDimensions, decodePnm, DEFAULT_MAX_RESOLUTION_MP, isPnm } from '../../src/image/index.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const withRaster = (header: string, raster: number[]): Uint8Array => new Uint8Array([...ascii(header), ...raster]);

function errorOf(fn: () => unknown): InvalidImageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidImageError);
    return error as InvalidImageError;
  }
  throw new Error('expected an InvalidImageError');
}

describe('decodePnm', () => {
  it('decodes binary and ASCII gray and colour files, scaling maxval to 0..255', () => {
    expect(decodePnm(withRaster('P5\n3 1\n255\n', [0, 128, 255]), 'a.pgm')).toEqual({
      data: new Uint8Array([0, 128, 255]),
      width: 3,
      height: 1,
      channels: 1,
    });
    const rgb = decodePnm(ascii('P3\n# c\n1 1\n15\n15 0 7\n'), 'a.ppm');
    expect([rgb.channels, ...rgb.data]).toEqual([3, 255, 0, 119]);
  });

  it('rejects over-limit sizes before allocating, samples over maxval, a bad magic and a short raster', () => {
    // A header claiming 60000×60000 must fail on its size, not after allocating 3.6 GB.
    const huge = errorOf(() => decodePnm(ascii('P5\n60000 60000\n255\n'), 'huge.pgm'));
    expect(huge.message).toMatch(/huge\.pgm.*maxResolutionInMP/);
    expect(() => decodePnm(withRaster('P5\n2 2\n255\n', [1, 2, 3, 4]), 'small.pgm', { maxResolutionInMP: 1e-6 })).toThrow(/small\.pgm/);
    expect(errorOf(() => decodePnm(ascii('P2\n1 1\n15\n20\n'), 'over.pgm')).message).toMatch(/exceeds maxval/);
    expect(errorOf(() => decodePnm(ascii('GIF89a'), 'x.gif')).message).toMatch(/x\.gif.*Netpbm/);
    expect(errorOf(() => decodePnm(withRaster('P6\n2 2\n255\n', [1, 2, 3]), 'cut.ppm')).message).toMatch(/cut\.ppm.*truncated/);
  });

  it('recognises Netpbm magic only with a separator after the digit', () => {
    expect(isPnm(ascii('P5\n1 1'))).toBe(true);
    expect(isPnm(ascii('P7\n'))).toBe(false);
    expect(isPnm(ascii('Plain text'))).toBe(false);
  });
});

describe('checkDimensions', () => {
  it('rejects empty, fractional and over-limit sizes, naming the source', () => {
    expect(() => checkDimensions('a', 0, 5)).toThrow(/a.*bad size/);
    expect(() => checkDimensions('b', 1.5, 5)).toThrow(/b.*bad size/);
    const side = Math.ceil(Math.sqrt(DEFAULT_MAX_RESOLUTION_MP * 1e6)) + 1;
    expect(() => checkDimensions('c', side, side)).toThrow(/c.*maxResolutionInMP/);
    expect(() => checkDimensions('d', 640, 480)).not.toThrow();
  });
});
