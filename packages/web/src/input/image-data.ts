// RawImage → ImageData, to show a decoded image (a PGM, a face crop) on a canvas or pass it where a browser source is expected.
import { validateRawImage } from '@facerec/core';
import type { RawImage } from '@facerec/core';

/**
 * Converts a gray, RGB or RGBA {@link RawImage} with samples in 0..255 to an opaque (or, for RGBA, as-is)
 * `ImageData`, which `putImageData` draws and every facerec browser function accepts.
 *
 * @throws InvalidImageError naming `source` when the image is unusable.
 */
export function toImageData(image: RawImage, source = 'image'): ImageData {
  validateRawImage(image, source);
  const { data, width, height, channels } = image;
  const out = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const i = p * channels;
    out.data[p * 4] = data[i]!;
    out.data[p * 4 + 1] = data[channels === 1 ? i : i + 1]!;
    out.data[p * 4 + 2] = data[channels === 1 ? i : i + 2]!;
    out.data[p * 4 + 3] = channels === 4 ? data[i + 3]! : 255;
  }
  return out;
}
