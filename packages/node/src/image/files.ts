// Reading and writing image files: decode from disk, recognise image names, write PNG previews atomically.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidImageError, type RawImage, type ScalableImage } from '@facerec/core';
import { errorReason, writeFileAtomic } from '../io/atomic.js';
import { decodeImageAsync, openImageBytes, type DecodeImageOptions, type OpenImageOptions } from './decode.js';
import { encodePng } from './png-encode.js';

/** File extensions (lower case, with dot) that folder scans treat as images. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.gif', '.webp', '.avif', '.tif', '.tiff', '.pgm', '.ppm', '.pnm', '.pbm', '.bmp'];

/** True when `name` has an image extension (case-insensitive) and is not hidden (leading dot). */
export function isImageFile(name: string): boolean {
  const base = path.basename(name);
  return !base.startsWith('.') && IMAGE_EXTENSIONS.includes(path.extname(base).toLowerCase());
}

/**
 * Reads and decodes one image file, with sharp when it is installed (see `DecodeImageOptions.decoder`) and
 * the EXIF orientation applied.
 * @throws InvalidImageError naming `file` when it cannot be read or decoded.
 */
export async function readImage(file: string, options: DecodeImageOptions = {}): Promise<RawImage> {
  return decodeImageAsync(await readBytes(file), file, options);
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new InvalidImageError(file, `cannot read file (${errorReason(error)})`, { cause: error });
  }
}

/**
 * Reads one image file for the face pipeline (`FacePipeline`, `Gallery`): big photos as a `ScalableImage`
 * decoded only as far as each step needs, small ones as `readImage` does (see `openImageBytes`).
 * @throws InvalidImageError naming `file` when it cannot be read or decoded.
 */
export async function openImage(file: string, options: OpenImageOptions = {}): Promise<RawImage | ScalableImage> {
  return openImageBytes(await readBytes(file), file, options);
}

/** Writes `image` as a PNG file, atomically (temp file + rename), so readers never see half a file. */
export async function writeImageFile(file: string, image: RawImage): Promise<void> {
  await writeFileAtomic(file, encodePng(image));
}
