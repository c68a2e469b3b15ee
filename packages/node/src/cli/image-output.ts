// Writes an image file in the format its name asks for (.png, .jpg/.jpeg), so the bytes match the extension.
import path from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import type { RawImage } from '@facerec/core';
import { encodePng } from '../image/index.js';
import { writeFileAtomic } from '../io/index.js';
import { UsageError } from './args.js';

/** Formats facerec writes. */
export type ImageOutputFormat = 'png' | 'jpeg';

const BY_EXTENSION: Readonly<Record<string, ImageOutputFormat>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg' };

/** JPEG quality for annotated photos: boxes and text stay sharp, files stay small. */
const JPEG_QUALITY = 90;

/**
 * The format for `file` by its extension (case-insensitive). Checked before any work, so a typo does not
 * cost a model load.
 * @throws UsageError naming `flag` for any other extension.
 */
export function imageOutputFormat(file: string, flag: string): ImageOutputFormat {
  const format = BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!format) throw new UsageError(`${flag} must name a .png, .jpg or .jpeg file, got "${file}"`);
  return format;
}

/** Encodes `image` as `format` and writes it atomically. */
export async function writeImageAs(file: string, image: RawImage, format: ImageOutputFormat): Promise<void> {
  await writeFileAtomic(file, format === 'png' ? encodePng(image) : encodeJpegImage(image));
}

/** 8-bit JPEG of a gray, RGB or RGBA image (alpha dropped: JPEG has none). */
function encodeJpegImage(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.max(0, Math.min(255, Math.round(data[p * channels + (channels === 1 ? 0 : c)]!)));
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(encodeJpeg({ data: rgba, width, height }, JPEG_QUALITY).data);
}
