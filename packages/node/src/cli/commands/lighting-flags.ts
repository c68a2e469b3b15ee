// `facerec train`'s switches for the two lighting defaults of the API: --texture (FaceRecognizerOptions.texture) and --retry-illumination (.retryIllumination).
import { DEFAULT_CNN_TEXTURE_MATCHING, DEFAULT_TEXTURE_MATCHING } from '@facerec/core';
import type { IlluminationStep, TextureMatching } from '@facerec/core';
import { UsageError } from '../args.js';

/** Usage lines of the two flags, their text starting at column 26 like train's other options. */
export const lightingFlagsUsage = `  --texture <w|none>      the lighting-invariant texture match fused with the scores: its weight in [0, 10]
                          (default ${DEFAULT_CNN_TEXTURE_MATCHING.weight} for a CNN, ${DEFAULT_TEXTURE_MATCHING.weight} for a class-mean head; the weight of a face in
                          shadow, ${DEFAULT_CNN_TEXTURE_MATCHING.shadowWeight} and ${DEFAULT_TEXTURE_MATCHING.shadowWeight}, keeps its ratio to it), or none: the scores
                          alone, as before; not with --head softmax
  --retry-illumination <method>
                          with --backbone: how the head looks again at a photo in which no face is found:
                          clahe (default) | equalize | none (no second look)
`;

/** The parse() options of the two flags. */
export const lightingFlagOptions = { texture: { type: 'string' }, 'retry-illumination': { type: 'string' } } as const;

/**
 * `--texture` as the recognizer's `texture` option: undefined for the default, null for none, else the default match
 * of a CNN (`backbone` false) or a class-mean head with the given weight.
 * @throws UsageError for a value that is neither a weight in [0, 10] nor none, or the flag with a softmax head.
 */
export function textureFlag(values: Record<string, unknown>, backbone: { head: string } | undefined): TextureMatching | null | undefined {
  const raw = values.texture;
  if (raw === undefined) return undefined;
  if (backbone?.head === 'softmax') throw new UsageError('--texture is the texture match of a CNN or the class-mean head; --head softmax has none');
  if (raw === 'none') return null;
  const weight = Number(raw);
  if (raw === '' || !(weight >= 0 && weight <= 10)) throw new UsageError(`--texture must be a weight in [0, 10] or none, got "${String(raw)}"`);
  const matching = backbone ? DEFAULT_TEXTURE_MATCHING : DEFAULT_CNN_TEXTURE_MATCHING;
  // A weight for faces in shadow keeps its ratio to the weight given.
  const shadowWeight = matching.shadowWeight === undefined ? {} : { shadowWeight: Math.min(10, (matching.shadowWeight * weight) / matching.weight) };
  return { ...matching, grid: [...matching.grid] as [number, number], weight, ...shadowWeight };
}

/**
 * `--retry-illumination` as the recognizer's `retryIllumination` option: undefined for the default (CLAHE), null for none.
 * @throws UsageError for another method, or the flag without `--backbone` (a CNN does not look for faces).
 */
export function retryIlluminationFlag(values: Record<string, unknown>): IlluminationStep | null | undefined {
  const raw = values['retry-illumination'];
  if (raw === undefined) return undefined;
  if (values.backbone === undefined) throw new UsageError('--retry-illumination needs --backbone (a trained CNN reads each photo whole; it does not look for a face)');
  if (raw === 'none') return null;
  if (raw !== 'clahe' && raw !== 'equalize') throw new UsageError(`--retry-illumination must be clahe, equalize or none, got "${String(raw)}"`);
  return raw;
}
