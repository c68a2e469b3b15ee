// Draws match explanations on a canvas: a heat map over a face, or both aligned faces with their maps, score and threshold.
import { heatMapRgba, type Explanation, type HeatMap } from '@facerec/core';

/** A 2-D canvas context of a page or an offscreen canvas. */
export type Canvas2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Where and how {@link drawHeatMap} draws. */
export interface DrawHeatMapOptions {
  /** Area the map covers, in canvas pixels; default the whole canvas. */
  readonly x?: number;
  readonly y?: number;
  readonly width?: number;
  readonly height?: number;
  /** Opacity of the map, 0..1 (default 0.6; low values are drawn fainter still, so the face shows through). */
  readonly opacity?: number;
}

/**
 * Draws `map` over what is already on the canvas (blended, not replaced): red where a region counted most,
 * blue where least. Put the aligned face (`FaceExplanation.face`, e.g. through `toImageData`) under it first.
 */
export function drawHeatMap(ctx: Canvas2D, map: Pick<HeatMap, 'rows' | 'cols' | 'values'>, options: DrawHeatMapOptions = {}): void {
  const x = options.x ?? 0, y = options.y ?? 0;
  const width = Math.round(options.width ?? ctx.canvas.width), height = Math.round(options.height ?? ctx.canvas.height);
  const layer = new OffscreenCanvas(width, height);
  // A copy typed for ImageData (which takes no shared buffers).
  layer.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(heatMapRgba(map, width, height, options.opacity ?? 0.6)), width, height), 0, 0);
  // putImageData would overwrite the face: drawImage blends the map's alpha over it.
  ctx.drawImage(layer, x, y);
}

/** How {@link drawExplanation} lays out its picture. */
export interface DrawExplanationOptions {
  /** Side of each face panel in canvas pixels (default 256). */
  readonly panel?: number;
  readonly opacity?: number;
  /** Default '14px system-ui, sans-serif'. */
  readonly font?: string;
}

/**
 * Draws an explanation on `ctx` from its top-left corner: the verdict, similarity and threshold, then the aligned
 * faces side by side with their maps (an enrolled person's panel names them). The canvas should be at least
 * `2 × panel + 36` wide and `panel + 70` high; returns the size used.
 */
export function drawExplanation(ctx: Canvas2D, explanation: Explanation, options: DrawExplanationOptions = {}): { width: number; height: number } {
  const panel = options.panel ?? 256;
  const margin = 12, header = 44;
  const width = 3 * margin + 2 * panel, height = header + panel + margin;
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.font = options.font ?? '14px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillStyle = explanation.same ? '#1e963c' : '#c82828';
  ctx.fillText(explanation.same ? 'same' : 'different', margin, margin);
  ctx.fillStyle = '#141414';
  const exact = explanation.faces[0]?.map.exact ? ', exact split' : '';
  ctx.fillText(`similarity ${explanation.score.toFixed(3)} (threshold ${explanation.threshold.toFixed(3)}) · ${explanation.method}, ${explanation.embedder}${exact}`, margin + 80, margin);
  for (let side = 0; side < 2; side++) {
    const x = margin + side * (panel + margin), y = header;
    const face = explanation.faces[side];
    if (face) {
      const { data, width: w, height: h, channels } = face.face;
      const rgba = new Uint8ClampedArray(w * h * 4);
      for (let p = 0; p < w * h; p++) {
        for (let c = 0; c < 3; c++) rgba[p * 4 + c] = data[p * channels + (channels === 1 ? 0 : c)]!;
        rgba[p * 4 + 3] = 255;
      }
      const faceLayer = new OffscreenCanvas(w, h);
      faceLayer.getContext('2d')!.putImageData(new ImageData(rgba, w, h), 0, 0);
      ctx.drawImage(faceLayer, x, y, panel, panel);
      drawHeatMap(ctx, face.map, { x, y, width: panel, height: panel, ...(options.opacity !== undefined ? { opacity: options.opacity } : {}) });
    } else {
      ctx.fillStyle = '#3c3c3c';
      ctx.fillRect(x, y, panel, panel);
      ctx.fillStyle = '#fff';
      ctx.fillText(`enrolled: ${explanation.person ?? ''}`, x + margin, y + panel / 2);
    }
  }
  ctx.restore();
  return { width, height };
}
