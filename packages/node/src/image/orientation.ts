// EXIF orientation: read the tag from a JPEG's APP1 segment and turn the pixels upright, as phones expect viewers to.
import type { RawImage } from '@facerec/core';

/** The EXIF orientation (1–8) of a JPEG, or 1 (upright) when it has none or it cannot be read. */
export function jpegOrientation(bytes: Uint8Array): number {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // scan data: the metadata segments come before it
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2) break;
    if (marker === 0xe1) {
      const found = exifOrientation(bytes.subarray(i + 4, Math.min(bytes.length, i + 2 + length)));
      if (found !== undefined) return found;
    }
    i += 2 + length;
  }
  return 1;
}

/** The orientation tag (0x0112) of IFD0 in an `Exif\0\0` APP1 payload, if present and in 1..8. */
function exifOrientation(app1: Uint8Array): number | undefined {
  if (app1.length < 14 || String.fromCharCode(...app1.subarray(0, 6)) !== 'Exif\0\0') return undefined;
  const tiff = new DataView(app1.buffer, app1.byteOffset + 6, app1.length - 6);
  const order = tiff.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff.getUint32(4, little);
  if (ifd + 2 > tiff.byteLength) return undefined;
  const count = tiff.getUint16(ifd, little);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > tiff.byteLength) return undefined;
    if (tiff.getUint16(entry, little) !== 0x0112) continue;
    const value = tiff.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}

/**
 * The image as it should be shown for EXIF `orientation`: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose,
 * 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise; 1 and unknown values leave it as is.
 */
export function applyOrientation(image: RawImage, orientation: number): RawImage {
  if (orientation < 2 || orientation > 8 || !Number.isInteger(orientation)) return image;
  const { width: w, height: h, channels: c, data } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // Source pixel shown at (x, y).
      let sx: number, sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        default: sx = w - 1 - y; sy = x; break; // 8
      }
      const from = (sy * w + sx) * c;
      const to = (y * outW + x) * c;
      for (let k = 0; k < c; k++) out[to + k] = data[from + k]!;
    }
  }
  return { data: out, width: outW, height: outH, channels: c };
}
