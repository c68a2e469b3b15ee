// PNG decoding with pngjs: every colour type and bit depth in, 8-bit gray or RGB out.
import { constants, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { checkDimensions, InvalidImageError, type DecodeLimits, type RawImage } from '@facerec/core';
import { isGrayRgb, selectChannels } from './pixels.js';

const COLOR_TYPE_PALETTE = 3;

/** Channels per PNG colour type: gray, -, RGB, palette index, gray + alpha, -, RGBA. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;
/** Deflate never compresses better than about 1032:1, so fewer IDAT bytes than this fraction cannot be whole. */
const MAX_DEFLATE_RATIO = 1032;

/** Bytes of filtered scanlines the header asks for: per row a filter byte and the packed samples, per Adam7 pass when interlaced. */
function expectedDataBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!interlaced) return rows(width, height);
  return ADAM7.reduce((n, [x0, y0, dx, dy]) => n + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
}

/**
 * Checks that the IDAT chunks inflate to exactly what the IHDR's size needs (more is tolerated unless
 * interlaced, where pngjs would inflate it all), before pngjs allocates the bitmap.
 * @throws InvalidImageError for a chunk cut short, a bad IHDR, missing, truncated or corrupt image data.
 */
function checkImageData(bytes: Uint8Array, view: DataView, source: string): void {
  const parts: Uint8Array[] = [];
  let header: { width: number; height: number; bits: number; interlaced: boolean } | undefined;
  let idat = 0;
  for (let pos = 8; pos + 8 <= bytes.length; ) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    if (pos + 12 + length > bytes.length) {
      if (type === 'IDAT' || !header) throw new InvalidImageError(source, `truncated: the ${type} chunk needs ${length} bytes, the file has ${Math.max(0, bytes.length - pos - 12)}`);
      break; // a cut after the image data: pngjs decides whether that matters
    }
    if (type === 'IHDR') {
      if (length < 13) throw new InvalidImageError(source, `IHDR chunk of ${length} bytes (expected 13)`);
      const depth = bytes[pos + 16]!, colorType = bytes[pos + 17]!;
      const channels = CHANNELS[colorType];
      if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) throw new InvalidImageError(source, `unsupported PNG colour type ${colorType} with bit depth ${depth}`);
      header = { width: view.getUint32(pos + 8), height: view.getUint32(pos + 12), bits: channels * depth, interlaced: bytes[pos + 20] === 1 };
    } else if (type === 'IDAT') {
      parts.push(bytes.subarray(pos + 8, pos + 8 + length));
      idat += length;
    } else if (type === 'IEND') {
      break;
    }
    pos += 12 + length;
  }
  if (!header) throw new InvalidImageError(source, 'no IHDR chunk');
  const expected = expectedDataBytes(header.width, header.height, header.bits, header.interlaced);
  const need = `${header.width}x${header.height} needs ${expected} bytes of image data`;
  if (idat === 0) throw new InvalidImageError(source, `truncated: no image data (IDAT); ${need}`);
  if (idat * MAX_DEFLATE_RATIO < expected) throw new InvalidImageError(source, `truncated: ${idat} compressed bytes cannot hold the image; ${need}`);
  let inflated: Buffer;
  try {
    // Sync flush: a cut stream gives what it holds instead of an error, so the length says how much is missing.
    inflated = inflateSync(Buffer.concat(parts), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: expected });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      if (header.interlaced) throw new InvalidImageError(source, `more image data than its size; ${need}`, { cause: error });
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidImageError(source, `corrupt image data (${reason})`, { cause: error });
  }
  if (inflated.length < expected) throw new InvalidImageError(source, `truncated: image data ends after ${inflated.length} bytes; ${need}`);
}

/**
 * Checks the IHDR size against `limits` and that the image data is all there, before any decoder allocates
 * the bitmap (pngjs allocates it first and fills missing rows with zeros: a 69-byte file claiming 9999×9999
 * would decode as a black image).
 */
export function checkPngHeader(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): void {
  if (bytes.length < 24) throw new InvalidImageError(source, 'truncated PNG header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkDimensions(source, view.getUint32(16), view.getUint32(20), limits);
  checkImageData(bytes, view, source);
}

/**
 * Decodes a PNG. Gray and gray+alpha give 1 channel; RGB and RGBA give 3; palette images give 1 when the
 * palette is all gray. Alpha is dropped and 16-bit samples are scaled to 8 bits (pngjs rounds).
 */
export function decodePng(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): RawImage {
  checkPngHeader(bytes, source, limits);

  let png: { width: number; height: number; data: Uint8Array; colorType: number };
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // The types miss palette (3) in ColorType; pngjs reports it at run time.
    png = PNG.sync.read(buffer) as unknown as typeof png;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidImageError(source, `corrupt PNG: ${reason}`, { cause: error });
  }
  const { width, height, data, colorType } = png;
  const pixels = width * height;
  if (data.length !== pixels * 4) {
    throw new InvalidImageError(source, `PNG decoder returned ${data.length} bytes for ${width}x${height}`);
  }
  // pngjs always expands to RGBA; bit 1 of the colour type says whether the file held colour.
  const colour = (colorType & 2) !== 0;
  const gray = !colour || (colorType === COLOR_TYPE_PALETTE && isGrayRgb(data, pixels, 4));
  return gray
    ? { data: selectChannels(data, pixels, 4, 1), width, height, channels: 1 }
    : { data: selectChannels(data, pixels, 4, 3), width, height, channels: 3 };
}
