// Netpbm (PGM/PPM/PBM) decoding, which browsers lack: datasets such as ORL ship as PGM.
import { InvalidImageError } from '@facerec/core';
import type { RawImage } from '@facerec/core';

/** True when `bytes` start like a Netpbm file (P1 to P6). */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x50 && bytes[1]! >= 0x31 && bytes[1]! <= 0x36;
}

/**
 * Decodes a PBM, PGM or PPM file (ASCII or binary, maxval up to 65535) into a gray or RGB {@link RawImage}
 * with samples scaled to 0..255.
 *
 * @throws InvalidImageError naming `source` for a truncated or malformed file.
 */
export function decodePnm(bytes: Uint8Array, source = 'image'): RawImage {
  if (!isPnm(bytes)) throw new InvalidImageError(source, 'not a Netpbm file (expected P1..P6)');
  const kind = bytes[1]! - 0x30;
  let pos = 2;
  const skip = (): void => {
    while (pos < bytes.length) {
      const c = bytes[pos]!;
      if (c === 0x23) while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
      else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) pos++;
      else return;
    }
  };
  const uint = (what: string): number => {
    skip();
    const start = pos;
    let v = 0;
    while (pos < bytes.length && bytes[pos]! >= 0x30 && bytes[pos]! <= 0x39) v = v * 10 + bytes[pos++]! - 0x30;
    if (pos === start) throw new InvalidImageError(source, `truncated or malformed Netpbm header (${what})`);
    return v;
  };
  const width = uint('width');
  const height = uint('height');
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : uint('maxval');
  if (width < 1 || height < 1 || maxval < 1 || maxval > 65535) {
    throw new InvalidImageError(source, `unusable Netpbm header ${width}×${height}, maxval ${maxval}`);
  }
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const count = width * height * channels;
  const data = new Uint8Array(count);
  const scale = 255 / maxval;
  if (kind <= 3) {
    for (let i = 0; i < count; i++) {
      if (kind === 1) {
        skip();
        const c = bytes[pos++];
        if (c !== 0x30 && c !== 0x31) throw new InvalidImageError(source, `truncated PBM data at sample ${i}`);
        data[i] = c === 0x31 ? 0 : 255;
      } else {
        data[i] = Math.round(uint(`sample ${i}`) * scale);
      }
    }
  } else {
    pos++; // the single whitespace after the header
    if (kind === 4) {
      const rowBytes = Math.ceil(width / 8);
      if (pos + rowBytes * height > bytes.length) throw new InvalidImageError(source, 'truncated PBM data');
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) data[y * width + x] = (bytes[pos + y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255;
      }
    } else {
      const wide = maxval > 255;
      if (pos + count * (wide ? 2 : 1) > bytes.length) throw new InvalidImageError(source, `truncated data: expected ${count} samples`);
      for (let i = 0; i < count; i++) {
        const v = wide ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!;
        data[i] = Math.round(v * scale);
      }
    }
  }
  return { data, width, height, channels };
}
