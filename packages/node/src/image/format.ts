// Recognises an image format from its first bytes, so a mislabelled extension never picks the wrong decoder.
import { isPnm } from '@facerec/core';

/** Image formats `decodeImage` can read. */
export type ImageFormat = 'jpeg' | 'png' | 'pnm' | 'bmp';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format whose magic bytes start `bytes`, or undefined when none matches. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (isPnm(bytes)) return 'pnm';
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return undefined;
}
