// Draws recognised faces (box and name) onto a canvas, e.g. an overlay above a video.
import type { RecognizedFace } from './recognize.js';

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
}

/** The label drawn for a face: the name (or 'unknown (best guess?)') and the confidence in percent. */
export function faceLabel(face: RecognizedFace): string {
  const p = face.prediction;
  const percent = `${Math.round(p.confidence * 100)}%`;
  return p.unknown ? `unknown (${p.bestMatch}? ${percent})` : `${p.label} ${percent}`;
}

/**
 * Draws each face's box, and its name on a filled tag above the box (inside when there is no room).
 */
export function drawRecognizedFaces(
  context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  faces: readonly RecognizedFace[],
  options: DrawFacesOptions = {},
): void {
  const scale = options.scale ?? 1;
  const lineWidth = options.lineWidth ?? 3;
  if (options.clear) context.clearRect(0, 0, context.canvas.width, context.canvas.height);
  context.save();
  context.font = options.font ?? '16px system-ui, sans-serif';
  context.textBaseline = 'top';
  for (const face of faces) {
    const color = face.prediction.unknown ? (options.unknownColor ?? '#ff9100') : (options.knownColor ?? '#00e676');
    const x = face.box.x * scale;
    const y = face.box.y * scale;
    const w = face.box.width * scale;
    const h = face.box.height * scale;
    context.strokeStyle = color;
    context.lineWidth = lineWidth;
    context.strokeRect(x + lineWidth / 2, y + lineWidth / 2, w - lineWidth, h - lineWidth);
    const text = faceLabel(face);
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
