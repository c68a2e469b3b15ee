// Draws recognised faces (box and name) onto a canvas, e.g. an overlay above a video.
import type { Box, Recognition, ScoreKind } from '@facerec/core';

/** How {@link drawRecognizedFaces} draws. */
export interface DrawFacesOptions {
  /** Box colour for a recognised person. Default '#00e676' (green). */
  readonly knownColor?: string;
  /** Box colour for an unknown face. Default '#ff9100' (orange). */
  readonly unknownColor?: string;
  /** Default 3 canvas pixels. */
  readonly lineWidth?: number;
  /** Default '16px system-ui, sans-serif'. */
  readonly font?: string;
  /** Canvas pixels per image pixel, when the canvas is not the image's size. Default 1. */
  readonly scale?: number;
  /** Clear the canvas first (for an overlay). Default false. */
  readonly clear?: boolean;
  /** How scores are written: `'probability'` as a percentage (default), `'cosine'` as a similarity with two decimals (a `Gallery`'s). */
  readonly scoreKind?: ScoreKind;
}

/** A recognition and where its face is: `recognizeFaces`' answers and a `Gallery`'s `identify` both are. */
export type FaceToDraw = Recognition & { readonly box: Box };

/**
 * The label drawn for a face: the name (or `unknown (best guess?)`) and its score, in percent for a
 * probability, with two decimals for a cosine similarity.
 */
export function faceLabel(face: Recognition, scoreKind: ScoreKind = 'probability'): string {
  const score = scoreKind === 'cosine' ? face.score.toFixed(2) : `${Math.round(face.score * 100)}%`;
  const best = face.candidates[0];
  if (!face.unknown) return `${face.label} ${score}`;
  return best ? `${face.label} (${best.label}? ${score})` : face.label;
}

/**
 * Draws each face's box, and its name on a filled tag above the box (inside when there is no room).
 */
export function drawRecognizedFaces(
  context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  faces: readonly FaceToDraw[],
  options: DrawFacesOptions = {},
): void {
  const scale = options.scale ?? 1;
  const lineWidth = options.lineWidth ?? 3;
  if (options.clear) context.clearRect(0, 0, context.canvas.width, context.canvas.height);
  context.save();
  context.font = options.font ?? '16px system-ui, sans-serif';
  context.textBaseline = 'top';
  for (const face of faces) {
    const color = face.unknown ? (options.unknownColor ?? '#ff9100') : (options.knownColor ?? '#00e676');
    const x = face.box.x * scale;
    const y = face.box.y * scale;
    const w = face.box.width * scale;
    const h = face.box.height * scale;
    context.strokeStyle = color;
    context.lineWidth = lineWidth;
    context.strokeRect(x + lineWidth / 2, y + lineWidth / 2, w - lineWidth, h - lineWidth);
    const text = faceLabel(face, options.scoreKind);
    const textHeight = parseInt(context.font, 10) || 16;
    const tagWidth = Math.min(context.measureText(text).width + 8, Math.max(w, 1));
    const tagHeight = textHeight + 6;
    const tagY = y - tagHeight >= 0 ? y - tagHeight : y + lineWidth;
    context.fillStyle = color;
    context.fillRect(x, tagY, tagWidth, tagHeight);
    context.fillStyle = '#000';
    context.fillText(text, x + 4, tagY + 3, tagWidth - 8);
  }
  context.restore();
}
