// GIF decoding with omggif (pure JS): the first frame, 8-bit gray or RGB out.
import { GifReader, type GifFrameInfo } from 'omggif';
import { checkDimensions, InvalidImageError, type DecodeLimits, type RawImage } from '@facerec/core';
import { isGrayRgb, selectChannels } from './pixels.js';

/** Most pixels `bytes` bytes of LZW data can expand to: n codes of ≥ (minimum code size + 1) bits, each at most one longer than the last, up to 4096. */
function maxLzwPixels(bytes: number, minCodeSize: number): number {
  const codes = Math.floor((bytes * 8) / (minCodeSize + 1));
  const ramp = Math.min(codes, 4096);
  return (ramp * (ramp + 3)) / 2 + Math.max(0, codes - 4096) * 4097;
}

/** Width and height from the logical screen descriptor, read before omggif parses anything. */
export function readGifSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 10) return undefined;
  return { width: bytes[6]! | (bytes[7]! << 8), height: bytes[8]! | (bytes[9]! << 8) };
}

/**
 * Decodes the first frame of a GIF. 1 channel when the frame's colours are all gray, else 3; transparent
 * pixels are black. Throws InvalidImageError naming `source` for corrupt, truncated or over-limit files.
 */
export function decodeGif(bytes: Uint8Array, source: string, limits: DecodeLimits = {}): RawImage {
  const size = readGifSize(bytes);
  if (!size) throw new InvalidImageError(source, 'truncated GIF header');
  checkDimensions(source, size.width, size.height, limits);
  let reader: GifReader;
  let frame: GifFrameInfo;
  try {
    reader = new GifReader(bytes);
    if (reader.numFrames() === 0) throw new InvalidImageError(source, 'truncated: no image data in the GIF');
    frame = reader.frameInfo(0);
  } catch (error) {
    if (error instanceof InvalidImageError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidImageError(source, `corrupt or truncated GIF: ${reason}`, { cause: error });
  }
  const { width, height } = size;
  if (frame.x + frame.width > width || frame.y + frame.height > height || frame.width === 0 || frame.height === 0) {
    throw new InvalidImageError(source, `frame ${frame.width}x${frame.height} at ${frame.x},${frame.y} is outside the ${width}x${height} screen`);
  }
  if (frame.palette_offset === null) throw new InvalidImageError(source, 'GIF frame has no palette');
  const minCodeSize = bytes[frame.data_offset] ?? 0;
  if (minCodeSize < 2 || minCodeSize > 8) throw new InvalidImageError(source, `bad LZW code size ${minCodeSize}`);
  // omggif allocates the frame's index buffer before decoding: refuse data that cannot fill it first.
  if (maxLzwPixels(frame.data_length, minCodeSize) < frame.width * frame.height) {
    throw new InvalidImageError(source, `truncated: ${frame.data_length} bytes of LZW data cannot hold a ${frame.width}x${frame.height} frame`);
  }
  const rgba = new Uint8Array(width * height * 4);
  // omggif only logs (console.log) when the LZW stream ends early and leaves the rest black; catch that.
  let short = false;
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Warning, gif stream')) short ||= args[0].includes('shorter');
    else log(...args);
  };
  try {
    reader.decodeAndBlitFrameRGBA(0, rgba);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidImageError(source, `corrupt GIF image data: ${reason}`, { cause: error });
  } finally {
    console.log = log;
  }
  if (short) throw new InvalidImageError(source, `truncated: the LZW data ends before the ${frame.width}x${frame.height} frame is complete`);
  const pixels = width * height;
  return isGrayRgb(rgba, pixels, 4)
    ? { data: selectChannels(rgba, pixels, 4, 1), width, height, channels: 1 }
    : { data: selectChannels(rgba, pixels, 4, 3), width, height, channels: 3 };
}
