// Decodes image files the user picked (File/Blob) into RawImages: the browser's decoders, plus Netpbm.
import { decodePnm, InvalidImageError, isPnm } from '@facerec/core';
import type { RawImage } from '@facerec/core';
import { readPixels } from './pixels.js';

/** File name endings {@link decodeImageFile} understands (the browser's formats plus Netpbm). */
export const IMAGE_FILE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'avif', 'pgm', 'ppm', 'pbm', 'pnm'];

/** True when `name` ends in one of {@link IMAGE_FILE_EXTENSIONS}. */
export function isImageFileName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_FILE_EXTENSIONS.includes(name.slice(dot + 1).toLowerCase());
}

/**
 * Decodes an image file or blob: JPEG, PNG, GIF, WebP, BMP, AVIF through the browser (`createImageBitmap`),
 * Netpbm (PGM/PPM/PBM) in JavaScript. Browser-decoded images come back as RGBA, Netpbm as gray or RGB.
 *
 * @param file - The file or blob.
 * @param source - Names it in errors; default the file's `webkitRelativePath` or name.
 * @throws InvalidImageError naming the file when it cannot be decoded.
 */
export async function decodeImageFile(file: Blob, source?: string): Promise<RawImage> {
  const named = file as Partial<File>;
  const name = source ?? (named.webkitRelativePath || named.name || 'image');
  if (isPnm(new Uint8Array(await file.slice(0, 3).arrayBuffer()))) return decodePnm(new Uint8Array(await file.arrayBuffer()), name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (error) {
    throw new InvalidImageError(name, `the browser could not decode it (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  try {
    return readPixels(bitmap, { source: name });
  } finally {
    bitmap.close();
  }
}
