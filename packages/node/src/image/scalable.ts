// Big photos read lazily through sharp: the detector's copy decoded shrunk (JPEG shrink-on-load), faces cut from the full photo.
import { checkDimensions, InvalidArgumentError, InvalidImageError, type DecodeLimits, type PixelRect, type RawImage, type ScalableImage } from '@facerec/core';
import { downscalePixels } from '@facerec/core/internal';
import type { ImageFormat } from './format.js';
import { selectChannels } from './pixels.js';
import { checkHeaderForSharp, sharpInputOptions, type SharpFactory } from './sharp.js';

type SharpInstance = ReturnType<SharpFactory>;

/** A copy of the whole photo kept from `resized`, and how many of its pixels there are per photo pixel. */
interface Kept {
  readonly image: RawImage;
  readonly scaleX: number;
  readonly scaleY: number;
}

/**
 * A {@link ScalableImage} over encoded bytes that sharp decodes on demand, EXIF orientation applied: a whole
 * copy shrunk while decoding (a JPEG decodes at 1/2, 1/4 or 1/8 of its size in libjpeg's DCT, then is
 * resampled), a region cut at the resolution asked for. The last whole copy is kept (a few MB): a region that
 * needs no more resolution than it has is cut from it without decoding again. Headers are checked against
 * `limits` before libvips allocates anything, as in `decodeImageAsync`.
 * @throws InvalidImageError naming `source` for a bad header or data libvips cannot read.
 */
export async function scalableWithSharp(sharp: SharpFactory, bytes: Uint8Array, source: string, format: ImageFormat, limits: DecodeLimits): Promise<ScalableImage> {
  const jpegComponents = checkHeaderForSharp(bytes, source, format, limits);
  const open = (): SharpInstance => sharp(bytes, { ...sharpInputOptions(limits), autoOrient: true });
  const meta = await sharpStep(source, format, () => open().metadata());
  const swap = (meta.orientation ?? 1) >= 5;
  const width = meta.autoOrient?.width ?? (swap ? meta.height : meta.width) ?? 0;
  const height = meta.autoOrient?.height ?? (swap ? meta.width : meta.height) ?? 0;
  checkDimensions(source, width, height, limits);
  const channels: 1 | 3 = jpegComponents === 1 || (meta.channels ?? 3) <= 2 ? 1 : 3;
  let kept: Kept | undefined;

  /** The pipeline's output as `w × h` pixels with the image's channel count. */
  const raw = async (pipeline: SharpInstance, w: number, h: number): Promise<RawImage> => {
    const { data, info } = await sharpStep(source, format, () => pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
    const bytesOut = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (info.width !== w || info.height !== h || bytesOut.length !== w * h * info.channels || info.channels < 1 || info.channels > 4) {
      throw new InvalidImageError(source, `sharp returned ${bytesOut.length} bytes for ${info.width}x${info.height}x${info.channels}, expected ${w}x${h}`);
    }
    // Gray (+ alpha) keeps its first channel; colour drops alpha; a gray JPEG read as colour keeps one.
    return { data: selectChannels(bytesOut, w * h, info.channels, info.channels >= 3 ? channels : 1), width: w, height: h, channels };
  };

  return {
    kind: 'scalable',
    width,
    height,
    channels,
    async resized(w, h) {
      checkSize('size', w, h, width, height);
      const pipeline = w === width && h === height ? open() : open().resize(w, h, { fit: 'fill' });
      const image = await raw(pipeline, w, h);
      kept = { image, scaleX: w / width, scaleY: h / height };
      return image;
    },
    async region(rect, w, h) {
      checkRect(rect, width, height);
      checkSize('size', w, h, rect.width, rect.height);
      const sx = w / rect.width, sy = h / rect.height;
      const fromKept = kept && kept.scaleX >= sx && kept.scaleY >= sy ? cutKept(kept, rect, w, h) : undefined;
      if (fromKept) return fromKept;
      if (sx <= 0.5 && sy <= 0.5) {
        // Shrinking at least 2×: decode the whole photo at this scale (shrink-on-load), then cut the region.
        const W = Math.max(w, Math.round(width * sx)), H = Math.max(h, Math.round(height * sy));
        const left = Math.min(W - w, Math.round(rect.x * sx)), top = Math.min(H - h, Math.round(rect.y * sy));
        return raw(open().resize(W, H, { fit: 'fill' }).extract({ left, top, width: w, height: h }), w, h);
      }
      // Near full resolution: decode only as far as the region reaches, and cut it out.
      const cut = open().extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height });
      return raw(w === rect.width && h === rect.height ? cut : cut.resize(w, h, { fit: 'fill' }), w, h);
    },
  };
}

/** `rect` of the photo from the kept copy, area-averaged to `w × h`, or undefined when the copy is too coarse for it. */
function cutKept(kept: Kept, rect: PixelRect, w: number, h: number): RawImage | undefined {
  const { image, scaleX, scaleY } = kept;
  // Rounding to the copy's pixels moves the region by at most half a copy pixel: at most half an output pixel.
  const x0 = Math.round(rect.x * scaleX), y0 = Math.round(rect.y * scaleY);
  const x1 = Math.min(image.width, Math.round((rect.x + rect.width) * scaleX)), y1 = Math.min(image.height, Math.round((rect.y + rect.height) * scaleY));
  if (x1 - x0 < w || y1 - y0 < h) return undefined;
  const data = downscalePixels(image, w, h, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  return { data, width: w, height: h, channels: image.channels };
}

function checkSize(name: string, w: number, h: number, maxW: number, maxH: number): void {
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 1 && h >= 1 && w <= maxW && h <= maxH)) {
    throw new InvalidArgumentError(name, `must be 1..${maxW} × 1..${maxH}, got ${w} × ${h}`);
  }
}

function checkRect(rect: PixelRect, width: number, height: number): void {
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  if (!(whole(rect.x) && whole(rect.y) && whole(rect.width) && whole(rect.height) && rect.width >= 1 && rect.height >= 1 && rect.x + rect.width <= width && rect.y + rect.height <= height)) {
    throw new InvalidArgumentError('rect', `must be whole pixels inside the ${width}×${height} image, got ${rect.width}×${rect.height} at (${rect.x}, ${rect.y})`);
  }
}

/** Runs one sharp step; libvips' errors (corrupt, truncated data) become an InvalidImageError naming `source`. */
async function sharpStep<T>(source: string, format: ImageFormat, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof InvalidImageError) throw error;
    const reason = error instanceof Error ? error.message.trim() : String(error);
    throw new InvalidImageError(source, `corrupt, truncated or unsupported ${format.toUpperCase()}: ${reason}`, { cause: error });
  }
}
