// PNG decoding with pngjs: every colour type and bit depth in, 8-bit gray or RGB out.
import { PNG } from 'pngjs';
import { checkDimensions, InvalidImageError, type DecodeLimits, type RawImage } from '@facerec/core';
import { isGrayRgb, selectChannels } from './pixels.js';

const COLOR_TYPE_PALETTE = 3;

/**
 * Decodes a PNG. Gray and gray+alpha give 1 channel; RGB and RGBA give 3; palette images give 1 when the
 * palette is all gray. Alpha is dropped and 16-bit samples are scaled to 8 bits (pngjs rounds).
 */
export function decodePng(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): RawImage {
  // Check the IHDR size first: pngjs allocates the whole bitmap before we could refuse it.
  if (bytes.length < 24) throw new InvalidImageError(source, 'truncated PNG header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkDimensions(source, view.getUint32(16), view.getUint32(20), limits);

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
