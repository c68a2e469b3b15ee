// An explanation as a picture people can read: the two aligned faces side by side with their maps, the score and the threshold.
import { heatColour, overlayHeatMap, type Explanation, type RawImage } from '@facerec/core';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, forEachTextPixel } from '../gallery/font.js';

/** Options of {@link explanationPicture}. */
export interface ExplanationPictureOptions {
  /** Side of each face panel in pixels (default 256). */
  readonly panel?: number;
  /** Opacity of the map over the face, 0..1 (default 0.6). */
  readonly opacity?: number;
  /** Captions under the panels (default "A" and "B", or the person's name). */
  readonly captions?: readonly string[];
}

const MARGIN = 12;
const TEXT_SCALE = 2;
const LINE = (GLYPH_HEIGHT + 3) * TEXT_SCALE;
const WHITE = [255, 255, 255] as const;
const INK = [20, 20, 20] as const;
const GREEN = [30, 150, 60] as const;
const RED = [200, 40, 40] as const;

/**
 * Draws `explanation` as one RGB image: a header with the verdict, the similarity and the threshold, the method
 * and embedder; the aligned faces with their maps (red = counted most, blue = least); a colour bar. When the
 * second side is an enrolled person (no face to show), its panel names the person.
 */
export function explanationPicture(explanation: Explanation, options: ExplanationPictureOptions = {}): RawImage {
  const panel = options.panel ?? 256;
  const { score, threshold, same, method, embedder, person } = explanation;
  const verdict = same ? 'SAME' : 'DIFFERENT';
  const header = `SIMILARITY ${score.toFixed(3)}  THRESHOLD ${threshold.toFixed(3)}`;
  // Wide enough for the header line whatever the panel size.
  const width = Math.max(3 * MARGIN + 2 * panel, 2 * MARGIN + (verdict.length + 2 + header.length) * GLYPH_ADVANCE * TEXT_SCALE);
  const top = MARGIN + 2 * LINE + MARGIN;
  const height = top + panel + MARGIN + LINE + MARGIN + 12 + LINE + MARGIN;
  const canvas = new Canvas(width, height);
  canvas.fill(MARGIN - 4, MARGIN - 4, (verdict.length * GLYPH_ADVANCE + 1) * TEXT_SCALE + 8, LINE + 2, same ? GREEN : RED);
  canvas.text(verdict, MARGIN, MARGIN, WHITE);
  canvas.text(header, MARGIN + (verdict.length + 2) * GLYPH_ADVANCE * TEXT_SCALE, MARGIN, INK);
  const exact = explanation.faces[0]?.map.exact ? '  EXACT SPLIT' : '';
  canvas.text(`${method.toUpperCase()}  ${embedder.toUpperCase()}${exact}`, MARGIN, MARGIN + LINE, INK);
  const captions = options.captions ?? (person !== undefined ? ['FACE', person] : ['A', 'B']);
  for (let side = 0; side < 2; side++) {
    const x = MARGIN + side * (panel + MARGIN);
    const face = explanation.faces[side];
    if (face) canvas.paste(resize(overlayHeatMap(face.face, face.map, options.opacity ?? 0.6), panel, panel), x, top);
    else {
      canvas.fill(x, top, panel, panel, [60, 60, 60]);
      canvas.text('ENROLLED', x + MARGIN, top + panel / 2 - LINE, WHITE);
      canvas.text(String(person ?? ''), x + MARGIN, top + panel / 2, WHITE);
    }
    canvas.text(captions[side] ?? '', x, top + panel + MARGIN, INK);
  }
  // Colour bar: what the colours mean.
  const barY = top + panel + MARGIN + LINE + MARGIN;
  const barX = MARGIN + 4 * GLYPH_ADVANCE * TEXT_SCALE;
  const barW = width - 2 * barX;
  canvas.text('LOW', MARGIN, barY - 2, INK);
  for (let i = 0; i < barW; i++) canvas.fill(barX + i, barY, 1, 12, heatColour(i / (barW - 1)));
  canvas.text('HIGH', barX + barW + 8, barY - 2, INK);
  canvas.text('WHAT MADE THE SIMILARITY', barX, barY + 12 + 6, INK);
  return canvas.image();
}

/** An RGB drawing surface (white), with filled rectangles, pasted images and the bitmap font. */
class Canvas {
  private readonly data: Uint8ClampedArray;

  constructor(private readonly width: number, private readonly height: number) {
    this.data = new Uint8ClampedArray(width * height * 3).fill(255);
  }

  fill(x: number, y: number, w: number, h: number, rgb: readonly number[]): void {
    for (let j = Math.max(0, Math.round(y)); j < Math.min(this.height, Math.round(y + h)); j++) {
      for (let i = Math.max(0, Math.round(x)); i < Math.min(this.width, Math.round(x + w)); i++) this.set(i, j, rgb);
    }
  }

  paste(image: RawImage, x: number, y: number): void {
    for (let j = 0; j < image.height; j++) {
      for (let i = 0; i < image.width; i++) {
        const o = (j * image.width + i) * 3;
        this.set(x + i, y + j, [image.data[o]!, image.data[o + 1]!, image.data[o + 2]!]);
      }
    }
  }

  text(text: string, x: number, y: number, rgb: readonly number[]): void {
    forEachTextPixel(text, (gx, gy) => this.fill(x + gx * TEXT_SCALE, y + 2 + gy * TEXT_SCALE, TEXT_SCALE, TEXT_SCALE, rgb));
  }

  image(): RawImage {
    return { data: this.data, width: this.width, height: this.height, channels: 3 };
  }

  private set(x: number, y: number, rgb: readonly number[]): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 3;
    this.data[o] = rgb[0]!; this.data[o + 1] = rgb[1]!; this.data[o + 2] = rgb[2]!;
  }
}

/** Bilinear resize of an 8-bit RGB image. */
function resize(image: RawImage, width: number, height: number): RawImage {
  const { data, width: w, height: h } = image;
  const out = new Uint8ClampedArray(width * height * 3);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / height - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / width - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), tx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => data[(yy * w + xx) * 3 + c]!;
        out[(y * width + x) * 3 + c] = (at(x0, y0) * (1 - tx) + at(x1, y0) * tx) * (1 - ty) + (at(x0, y1) * (1 - tx) + at(x1, y1) * tx) * ty;
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}
