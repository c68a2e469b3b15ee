// JPEG decoding with jpeg-js, returning one channel for grayscale JPEGs (jpeg-js itself always gives RGB).
import { decode } from 'jpeg-js';
import {
  checkDimensions,
  DEFAULT_MAX_MEMORY_MB,
  DEFAULT_MAX_RESOLUTION_MP,
  InvalidImageError,
  type DecodeLimits,
  type RawImage,
} from '@facerec/core';
import { isGrayRgb, selectChannels } from './pixels.js';

/** Frame header info read straight from the SOF marker, before the expensive decode. */
interface JpegFrame {
  readonly width: number;
  readonly height: number;
  readonly components: number;
}

/**
 * Decodes a JPEG. Channels: 1 when the file has one component or all decoded pixels are gray, else 3.
 * Throws InvalidImageError naming `source` for corrupt or truncated data and for files over `limits`.
 */
export function decodeJpeg(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): RawImage {
  const frame = checkJpegHeader(bytes, source, limits);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: limits.maxResolutionInMP ?? DEFAULT_MAX_RESOLUTION_MP,
      maxMemoryUsageInMB: limits.maxMemoryUsageInMB ?? DEFAULT_MAX_MEMORY_MB,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = /limit exceeded/.test(reason) ? ' (raise maxMemoryUsageInMB / maxResolutionInMP to allow it)' : '';
    throw new InvalidImageError(source, `corrupt or unsupported JPEG: ${reason}${hint}`, { cause: error });
  }
  const { width, height, data } = decoded;
  checkDimensions(source, width, height, limits);
  const pixels = width * height;
  if (data.length !== pixels * 3) {
    throw new InvalidImageError(source, `JPEG decoder returned ${data.length} bytes for ${width}x${height}`);
  }
  // A one-component JPEG is gray by definition; a colour one whose pixels are all gray is kept as gray
  // too, so a gray dataset saved as RGB does not triple the model input.
  const gray = frame?.components === 1 || isGrayRgb(data, pixels, 3);
  return gray
    ? { data: selectChannels(data, pixels, 3, 1), width, height, channels: 1 }
    : { data, width, height, channels: 3 };
}

/**
 * Checks the frame header's size against `limits` and that the data can hold that many blocks, before any
 * decoder allocates the bitmap. Returns the frame header, or undefined when none is found.
 */
export function checkJpegHeader(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): JpegFrame | undefined {
  const frame = readJpegFrame(bytes);
  if (frame) {
    checkDimensions(source, frame.width, frame.height, limits);
    // Every 8×8 block codes its DC value in at least one bit. jpeg-js reads zeros past the end of the data, so a
    // tiny file claiming a huge size would otherwise cost the whole decode before failing.
    const blocks = Math.ceil(frame.width / 8) * Math.ceil(frame.height / 8);
    if (bytes.length * 8 < blocks) {
      throw new InvalidImageError(source, `truncated: ${bytes.length} bytes cannot hold a ${frame.width}x${frame.height} JPEG (${blocks} blocks need at least ${Math.ceil(blocks / 8)})`);
    }
  }
  return frame;
}

/** Reads width, height and component count from the first SOFn marker, or undefined if none is found. */
export function readJpegFrame(bytes: Uint8Array): JpegFrame | undefined {
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Markers without a length field: TEM, RSTn, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 >= bytes.length) return undefined;
      return {
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    if (marker === 0xda) return undefined; // scan data before any frame header: leave it to jpeg-js
    i += 2 + length;
  }
  return undefined;
}
