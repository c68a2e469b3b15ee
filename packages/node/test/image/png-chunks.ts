// Builds PNG files chunk by chunk (valid CRCs), so tests can write headers that lie about the data that follows.
import { crc32, deflateSync } from 'node:zlib';
import { concat } from '../fixtures/images.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** IHDR data: size, bit depth, colour type, interlace (0 none, 1 Adam7). */
export function ihdr(width: number, height: number, bitDepth = 8, colorType = 0, interlace = 0): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([bitDepth, colorType, 0, 0, interlace], 8);
  return data;
}

/** A PNG of the given chunks between the signature and IEND. */
export function pngFile(...chunks: Uint8Array[]): Uint8Array {
  return concat([new Uint8Array(SIGNATURE), ...chunks, pngChunk('IEND', new Uint8Array(0))]);
}

/** A gray 8-bit PNG whose IDAT holds `raw` (filtered scanlines, each with its filter byte), deflated. */
export function grayPngWithData(width: number, height: number, raw: Uint8Array, interlace = 0): Uint8Array {
  return pngFile(pngChunk('IHDR', ihdr(width, height, 8, 0, interlace)), pngChunk('IDAT', deflateSync(raw)));
}
