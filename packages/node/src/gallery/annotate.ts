// Draws identification results on a photo: a box per face and its name (or "unknown") above it.
import type { Box, RawImage } from '@facerec/core';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, forEachTextPixel } from './font.js';

/** One face to draw. */
export interface Annotation {
  readonly box: Box;
  readonly text: string;
  /** Known faces are drawn green, unknown ones red. */
  readonly known: boolean;
}

/**
 * Returns an RGB copy of `image` with a rectangle around each face and its text above (inside the box
 * when there is no room above). Line width and text size grow with the image.
 */
export function annotateImage(image: RawImage, annotations: readonly Annotation[]): RawImage {
  const { width, height, channels } = image;
  const out = new Uint8ClampedArray(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = image.data[p * channels + (channels === 1 ? 0 : c)]!;
  }
  const set = (x: number, y: number, rgb: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const o = (Math.floor(y) * width + Math.floor(x)) * 3;
    out[o] = rgb[0]!; out[o + 1] = rgb[1]!; out[o + 2] = rgb[2]!;
  };
  const line = Math.max(2, Math.round(Math.max(width, height) / 400));
  const scale = Math.max(2, Math.round(Math.max(width, height) / 500));
  for (const a of annotations) {
    const colour = a.known ? [40, 220, 60] : [230, 40, 40];
    const x0 = Math.round(a.box.x), y0 = Math.round(a.box.y);
    const x1 = Math.round(a.box.x + a.box.width), y1 = Math.round(a.box.y + a.box.height);
    for (let t = 0; t < line; t++) {
      for (let x = x0; x <= x1; x++) { set(x, y0 + t, colour); set(x, y1 - t, colour); }
      for (let y = y0; y <= y1; y++) { set(x0 + t, y, colour); set(x1 - t, y, colour); }
    }
    const textH = (GLYPH_HEIGHT + 2) * scale;
    const textW = (a.text.length * GLYPH_ADVANCE + 1) * scale;
    const ty = y0 - textH >= 0 ? y0 - textH : y0 + line;
    for (let y = ty; y < ty + textH; y++) for (let x = x0; x < x0 + textW; x++) set(x, y, colour);
    forEachTextPixel(a.text, (gx, gy) => {
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) set(x0 + (gx + 1) * scale + dx, ty + (gy + 1) * scale + dy, [0, 0, 0]);
    });
  }
  return { data: out, width, height, channels: 3 };
}
