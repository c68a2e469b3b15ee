// The JSON form of an explanation (maps as nested arrays, no pixels) and an enrolled person read from a Gallery.
import { InvalidArgumentError } from '../errors/index.js';
import type { Gallery } from '../gallery/gallery.js';
import type { EnrolledPerson, Explanation } from './explain.js';

/** {@link Explanation} as plain JSON: each map as `rows` arrays of `cols` numbers (rounded to 6 digits). */
export interface ExplanationJson extends Omit<Explanation, 'faces'> {
  readonly faces: ReadonlyArray<{
    /** Side of the aligned face in pixels; the grid's cells cover it evenly. */
    readonly size: number;
    readonly exact: boolean;
    /** 0..1, most important 1. */
    readonly map: number[][];
    /** In the method's unit (see `HeatMap.raw`). */
    readonly raw: number[][];
  }>;
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

function grid(values: Float32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols), round));
}

/** The explanation without pixels, its maps as arrays (what `facerec verify --explain --json` prints). */
export function explanationToJson(explanation: Explanation): ExplanationJson {
  const { method, embedder, stage, score, threshold, same, person } = explanation;
  return {
    method, embedder, ...(stage !== undefined ? { stage } : {}), score, threshold, same, ...(person !== undefined ? { person } : {}),
    faces: explanation.faces.map(({ face, map }) => ({
      size: face.width, exact: map.exact, map: grid(map.values, map.rows, map.cols), raw: grid(map.raw, map.rows, map.cols),
    })),
  };
}

/**
 * The enrolled embeddings of `label` in `gallery`, for `explainMatch`.
 * @throws InvalidArgumentError when nobody of that name is enrolled.
 */
export async function personOf(gallery: Gallery, label: string): Promise<EnrolledPerson> {
  const rows: Float32Array[] = [];
  for await (const entry of gallery.store.entries()) if (entry.label === label) rows.push(entry.embedding);
  if (rows.length === 0) throw new InvalidArgumentError('label', `"${label}" is not enrolled in the gallery`);
  return { label, embeddings: rows };
}
