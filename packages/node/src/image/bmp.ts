// Uncompressed BMP decoding (1/4/8-bit palette, 24-bit, 32-bit incl. BI_BITFIELDS): enough for exported face crops.
import { checkDimensions, InvalidImageError, type DecodeLimits, type RawImage } from '@facerec/core';
import { isGrayRgb, selectChannels } from './pixels.js';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/**
 * Decodes a Windows BMP with a BITMAPINFOHEADER or later. Palette images with an all-gray palette give
 * 1 channel, the rest 3 (alpha dropped). RLE-compressed and 16-bit files are rejected as unsupported.
 */
export function decodeBmp(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): RawImage {
  if (bytes.length < 54) throw new InvalidImageError(source, 'truncated BMP header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new InvalidImageError(source, `unsupported BMP header of ${headerSize} bytes (OS/2?)`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  checkDimensions(source, width, height, limits);

  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (!(compression === BI_RGB || (bitfields && bpp === 32)) || ![1, 4, 8, 24, 32].includes(bpp)) {
    throw new InvalidImageError(source, `unsupported BMP: ${bpp} bits per pixel, compression ${compression}`);
  }
  if (bitfields && bytes.length < 66) throw new InvalidImageError(source, 'truncated BMP colour masks');
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    throw new InvalidImageError(
      source,
      `truncated: found ${Math.max(0, bytes.length - dataOffset)} of ${stride * height} bytes of pixel data`,
    );
  }

  const pixels = width * height;
  const rgb = new Uint8Array(pixels * 3);
  const palette = bpp <= 8 ? readPalette(view, headerSize, bpp, dataOffset, source) : undefined;
  const masks = bpp === 32 ? readMasks(view, bitfields) : undefined;
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const index = (bytes[row + ((x * bpp) >> 3)]! >> (8 - bpp - ((x * bpp) & 7))) & ((1 << bpp) - 1);
        if (index * 3 + 2 >= palette.length) {
          throw new InvalidImageError(source, `palette index ${index} out of range`);
        }
        rgb[o] = palette[index * 3]!;
        rgb[o + 1] = palette[index * 3 + 1]!;
        rgb[o + 2] = palette[index * 3 + 2]!;
      } else if (masks) {
        const v = view.getUint32(row + x * 4, true);
        rgb[o] = masks[0]!(v);
        rgb[o + 1] = masks[1]!(v);
        rgb[o + 2] = masks[2]!(v);
      } else {
        const i = row + x * 3; // stored B, G, R
        rgb[o] = bytes[i + 2]!;
        rgb[o + 1] = bytes[i + 1]!;
        rgb[o + 2] = bytes[i]!;
      }
    }
  }
  return palette && isGrayRgb(rgb, pixels, 3)
    ? { data: selectChannels(rgb, pixels, 3, 1), width, height, channels: 1 }
    : { data: rgb, width, height, channels: 3 };
}

/** Palette as packed RGB; entries are stored B, G, R, reserved. */
function readPalette(view: DataView, headerSize: number, bpp: number, dataOffset: number, source: string): Uint8Array {
  const declared = view.getUint32(46, true);
  const count = declared > 0 ? Math.min(declared, 1 << bpp) : 1 << bpp;
  const start = 14 + headerSize;
  if (start + count * 4 > Math.min(dataOffset, view.byteLength)) {
    throw new InvalidImageError(source, 'truncated BMP palette');
  }
  const out = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    out[i * 3] = view.getUint8(start + i * 4 + 2);
    out[i * 3 + 1] = view.getUint8(start + i * 4 + 1);
    out[i * 3 + 2] = view.getUint8(start + i * 4);
  }
  return out;
}

/** Extractors for R, G, B from a 32-bit pixel; the default layout is BGRX. */
function readMasks(view: DataView, bitfields: boolean): Array<(v: number) => number> {
  // With a 40-byte header the masks follow it; V4/V5 headers hold them at the same offset.
  const masks = bitfields
    ? [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)]
    : [0x00ff0000, 0x0000ff00, 0x000000ff];
  return masks.map((mask) => {
    if (mask === 0) return () => 0;
    let shift = 0;
    while (((mask >>> shift) & 1) === 0) shift++;
    const max = mask >>> shift;
    return (v: number) => Math.round((((v & mask) >>> shift) * 255) / max);
  });
}
