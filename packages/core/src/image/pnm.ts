// Netpbm decoding (PBM P1/P4, PGM P2/P5, PPM P3/P6): header comments, maxval up to 65535, scaled to 0..255.
import { InvalidImageError } from '../errors/index.js';
import { checkDimensions, type DecodeLimits } from './limits.js';
import type { RawImage } from './types.js';

/** True when `bytes` start like a Netpbm file: 'P', a digit 1..6, then whitespace. */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x50 && bytes[1]! >= 0x31 && bytes[1]! <= 0x36 && isSpace(bytes[2]!);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Reads header tokens and ASCII samples, skipping whitespace and `#` comments. */
class TokenReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /** Moves past whitespace and comments; false at end of data. */
  skipSpace(): boolean {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c === 0x23) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else if (isSpace(c)) {
        this.pos++;
      } else {
        return true;
      }
    }
    return false;
  }

  /** The next unsigned decimal integer, or undefined when data ends or a non-digit follows. */
  uint(): number | undefined {
    if (!this.skipSpace()) return undefined;
    const b = this.bytes;
    const start = this.pos;
    let value = 0;
    while (this.pos < b.length && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x39) {
      value = value * 10 + (b[this.pos]! - 0x30);
      this.pos++;
    }
    return this.pos === start ? undefined : value;
  }

  /** The next single '0' or '1' of an ASCII bitmap (P1 allows them unseparated). */
  bit(): number | undefined {
    if (!this.skipSpace()) return undefined;
    const c = this.bytes[this.pos]!;
    if (c !== 0x30 && c !== 0x31) return undefined;
    this.pos++;
    return c - 0x30;
  }
}

/**
 * Decodes a PBM, PGM or PPM file (ASCII or binary, maxval up to 65535) into a gray or RGB {@link RawImage}
 * with samples scaled to 0..255; PBM bits become 0 (black, bit 1) or 255 (white, bit 0). The size is checked
 * against `limits` before anything is allocated.
 *
 * @param source - Names the file in errors.
 * @throws InvalidImageError naming `source` for a truncated, malformed or over-limit file.
 */
export function decodePnm(bytes: Uint8Array, source = 'image', limits: DecodeLimits = {}): RawImage {
  if (!isPnm(bytes)) throw new InvalidImageError(source, 'not a Netpbm file (expected P1..P6 and a space)');
  const kind = bytes[1]! - 0x30;
  const reader = new TokenReader(bytes, 2);
  const width = reader.uint();
  const height = reader.uint();
  const isBitmap = kind === 1 || kind === 4;
  const maxval = isBitmap ? 1 : reader.uint();
  if (width === undefined || height === undefined || maxval === undefined) {
    throw new InvalidImageError(source, `truncated or malformed P${kind} header`);
  }
  checkDimensions(source, width, height, limits);
  if (maxval < 1 || maxval > 65535) throw new InvalidImageError(source, `maxval ${maxval} is outside 1..65535`);

  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const count = width * height * channels;
  // Refuse data too short for the header's size before allocating the image: binary rasters have a fixed
  // length (after exactly one whitespace byte), ASCII samples take at least a separator and a digit each
  // (P1 bits may run together).
  const wide = maxval > 255;
  const start = reader.pos + 1;
  const rowBytes = Math.ceil(width / 8);
  if (kind >= 4) {
    const needed = kind === 4 ? rowBytes * height : count * (wide ? 2 : 1);
    if (bytes.length - start < needed) throw truncatedBytes(source, bytes.length - start, needed);
  } else {
    const needed = kind === 1 ? count : 2 * count;
    const rest = bytes.length - reader.pos;
    if (rest < needed) throw new InvalidImageError(source, `truncated: ${rest} bytes after the header cannot hold ${count} ASCII samples`);
  }
  const out = new Uint8Array(count);
  const scale = (v: number, at: number): number => {
    if (v > maxval) throw new InvalidImageError(source, `sample ${v} at index ${at} exceeds maxval ${maxval}`);
    return maxval === 255 ? v : Math.round((v * 255) / maxval);
  };

  if (kind === 1) {
    for (let i = 0; i < count; i++) {
      const bit = reader.bit();
      if (bit === undefined) throw truncated(source, i, count);
      out[i] = bit ? 0 : 255;
    }
  } else if (kind === 2 || kind === 3) {
    for (let i = 0; i < count; i++) {
      const v = reader.uint();
      if (v === undefined) throw truncated(source, i, count);
      out[i] = scale(v, i);
    }
  } else {
    if (kind === 4) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const bit = (bytes[start + y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
          out[y * width + x] = bit ? 0 : 255;
        }
      }
    } else {
      for (let i = 0; i < count; i++) {
        const v = wide ? (bytes[start + 2 * i]! << 8) | bytes[start + 2 * i + 1]! : bytes[start + i]!;
        out[i] = scale(v, i);
      }
    }
  }
  return { data: out, width, height, channels };
}

function truncated(source: string, got: number, needed: number): InvalidImageError {
  return new InvalidImageError(source, `truncated: found ${got} of ${needed} samples`);
}

function truncatedBytes(source: string, got: number, needed: number): InvalidImageError {
  return new InvalidImageError(source, `truncated: found ${Math.max(0, got)} of ${needed} bytes of pixel data`);
}
