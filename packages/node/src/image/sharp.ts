// Decoding through sharp (libvips) when it is installed: loaded lazily once, headers checked before it allocates.
import { checkDimensions, DEFAULT_MAX_RESOLUTION_MP, InvalidImageError, type DecodeLimits, type RawImage } from '@facerec/core';
import type { ImageFormat } from './format.js';
import { checkJpegHeader } from './jpeg.js';
import { isGrayRgb, selectChannels } from './pixels.js';
import { checkPngHeader } from './png.js';
import { readGifSize } from './gif.js';

export type SharpFactory = (typeof import('sharp'))['default'];

let loading: Promise<SharpFactory | undefined> | undefined;

/** sharp's factory, or undefined when it is not installed or its native part does not load (cached either way). */
export function loadSharp(): Promise<SharpFactory | undefined> {
  loading ??= import('sharp').then(
    (module) => module.default,
    () => undefined,
  );
  return loading;
}

/**
 * Checks what can be checked before libvips allocates: the JPEG, PNG or GIF header's size against `limits`,
 * and that the data can hold that many pixels. Returns a JPEG's component count (1 for gray).
 * @throws InvalidImageError naming `source`.
 */
export function checkHeaderForSharp(bytes: Uint8Array, source: string, format: ImageFormat, limits: DecodeLimits): number | undefined {
  if (format === 'jpeg') return checkJpegHeader(bytes, source, limits)?.components;
  if (format === 'png') checkPngHeader(bytes, source, limits);
  else if (format === 'gif') {
    const size = readGifSize(bytes);
    if (!size) throw new InvalidImageError(source, 'truncated GIF header');
    checkDimensions(source, size.width, size.height, limits);
  }
  return undefined;
}

/** sharp's input options: libvips refuses more pixels than `limits` allow, and fails on truncated data. */
export function sharpInputOptions(limits: DecodeLimits): { failOn: 'truncated'; limitInputPixels: number; page: number; pages: number } {
  const maxPixels = Math.floor((limits.maxResolutionInMP ?? DEFAULT_MAX_RESOLUTION_MP) * 1e6);
  // failOn 'truncated': libvips otherwise pads a cut file with grey; page 0 is the first GIF/TIFF frame.
  return { failOn: 'truncated', limitInputPixels: Math.max(1, maxPixels), page: 0, pages: 1 };
}

/**
 * Decodes with sharp, EXIF orientation applied, to the same RawImage the JS decoders give (alpha dropped,
 * gray as 1 channel). The header's size is checked against `limits` first, and for JPEG, PNG and GIF that
 * the data can hold it, so a hostile header is refused before libvips allocates anything.
 */
export async function decodeWithSharp(sharp: SharpFactory, bytes: Uint8Array, source: string, format: ImageFormat, limits: DecodeLimits): Promise<RawImage> {
  const jpegComponents = checkHeaderForSharp(bytes, source, format, limits);
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    const pipeline = sharp(bytes, sharpInputOptions(limits));
    const meta = await pipeline.metadata();
    checkDimensions(source, meta.width ?? 0, meta.pageHeight ?? meta.height ?? 0, limits);
    decoded = await pipeline.rotate().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof InvalidImageError) throw error;
    const reason = error instanceof Error ? error.message.trim() : String(error);
    throw new InvalidImageError(source, `corrupt, truncated or unsupported ${format.toUpperCase()}: ${reason}`, { cause: error });
  }
  const { width, height, channels } = decoded.info;
  checkDimensions(source, width, height, limits);
  const pixels = width * height;
  const data = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  if (data.length !== pixels * channels || channels < 1 || channels > 4) {
    throw new InvalidImageError(source, `sharp returned ${data.length} bytes for ${width}x${height}x${channels}`);
  }
  if (channels <= 2) return { data: selectChannels(data, pixels, channels, 1), width, height, channels: 1 };
  // As the JS decoders: a truecolour PNG stays colour; anything else whose pixels are all gray becomes gray.
  const truecolourPng = format === 'png' && (bytes[25]! & 2) !== 0 && bytes[25] !== 3;
  const gray = jpegComponents === 1 || (!truecolourPng && isGrayRgb(data, pixels, channels));
  return gray
    ? { data: selectChannels(data, pixels, channels, 1), width, height, channels: 1 }
    : { data: channels === 3 ? data.slice() : selectChannels(data, pixels, channels, 3), width, height, channels: 3 };
}
