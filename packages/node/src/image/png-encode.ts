// PNG encoding for previews and confusion images: 8-bit gray, RGB or RGBA, as the image has.
import { PNG, type ColorType } from 'pngjs';
import { InvalidImageError, type RawImage } from '@facerec/core';

const COLOR_TYPES: Record<1 | 3 | 4, ColorType> = { 1: 0, 3: 2, 4: 6 };

/**
 * Encodes `image` as an 8-bit PNG (gray, RGB or RGBA after its channel count). Float samples are
 * rounded and clamped to 0..255. Throws InvalidImageError when data length and shape disagree.
 */
export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidImageError('encodePng', `bad size ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new InvalidImageError(
      'encodePng',
      `data has ${data.length} samples, ${width}x${height}x${channels} needs ${width * height * channels}`,
    );
  }
  const colorType = COLOR_TYPES[channels];
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: channels === 4 });
  png.data = toByteBuffer(data);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4 });
}

function toByteBuffer(data: RawImage['data']): Buffer {
  if (data instanceof Float32Array) {
    const out = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      // NaN fails both tests and becomes 0.
      out[i] = v >= 255 ? 255 : v > 0 ? Math.round(v) : 0;
    }
    return out;
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
