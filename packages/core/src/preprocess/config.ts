// The preprocessing recipe of a model; it is saved in the model's metadata so inference repeats training exactly.
import { InvalidArgumentError } from '../errors/index.js';
import { validateIlluminationStep, type IlluminationStep } from './illumination.js';
import { NORMALIZATION_MODES, type NormalizationMode } from './normalize.js';

/**
 * How an image becomes a network input. Plain JSON, so it can be stored in a saved model's metadata.
 * Steps run in this order: crop → channels → resize (bilinear, antialiased) → illumination → normalize; see
 * {@link preprocessImage}.
 */
export interface PreprocessingConfig {
  /** Network input `[height, width]` in pixels. */
  inputSize: [number, number];
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
  /** See {@link NormalizationMode}. */
  normalization: NormalizationMode;
  /** Optional centred crop applied to the original image first; `fraction` of each side, in (0, 1]. */
  crop?: { type: 'center'; fraction: number };
  /**
   * Optional illumination normalisation of the resized image, before `normalization`, with its parameters (see
   * {@link IlluminationStep}). Absent in recipes saved before it existed: those models run without it.
   */
  illumination?: IlluminationStep;
}

const KNOWN_KEYS = new Set(['inputSize', 'channels', 'normalization', 'crop', 'illumination']);

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks a value read from JSON (a model's metadata, a CLI option...) and returns it as a fresh
 * {@link PreprocessingConfig} holding only the known fields. Unknown fields are rejected rather than ignored:
 * silently skipping a preprocessing step written by a newer version would feed the model wrong inputs.
 * A `crop` or `illumination` of `null` counts as none.
 *
 * @param value - The parsed value.
 * @param source - Prefix of the field path in error messages, e.g. `'model.json metadata.preprocessing'`.
 * @throws InvalidArgumentError whose `argument` is the path of the first bad field (e.g. `source.inputSize`).
 */
export function validatePreprocessingConfig(value: unknown, source: string): PreprocessingConfig {
  if (!isRecord(value)) throw new InvalidArgumentError(source, `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new InvalidArgumentError(`${source}.${key}`, `unknown field (known: ${[...KNOWN_KEYS].join(', ')})`);
    }
  }
  const { inputSize, channels, normalization, crop, illumination } = value;
  if (
    !Array.isArray(inputSize) ||
    inputSize.length !== 2 ||
    !inputSize.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)
  ) {
    throw new InvalidArgumentError(`${source}.inputSize`, `expected [height, width] of positive integers, got ${describe(inputSize)}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new InvalidArgumentError(`${source}.channels`, `expected 1 or 3, got ${describe(channels)}`);
  }
  if (typeof normalization !== 'string' || !(NORMALIZATION_MODES as readonly string[]).includes(normalization)) {
    throw new InvalidArgumentError(
      `${source}.normalization`,
      `expected one of ${NORMALIZATION_MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(normalization)}`,
    );
  }
  const config: PreprocessingConfig = {
    inputSize: [inputSize[0] as number, inputSize[1] as number],
    channels,
    normalization: normalization as NormalizationMode,
  };
  if (crop !== undefined && crop !== null) {
    if (!isRecord(crop)) throw new InvalidArgumentError(`${source}.crop`, `expected an object, got ${describe(crop)}`);
    for (const key of Object.keys(crop)) {
      if (key !== 'type' && key !== 'fraction') {
        throw new InvalidArgumentError(`${source}.crop.${key}`, 'unknown field (known: type, fraction)');
      }
    }
    if (crop.type !== 'center') {
      throw new InvalidArgumentError(`${source}.crop.type`, `expected 'center', got ${describe(crop.type)}`);
    }
    const { fraction } = crop;
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
      throw new InvalidArgumentError(`${source}.crop.fraction`, `expected a number in (0, 1], got ${describe(fraction)}`);
    }
    config.crop = { type: 'center', fraction };
  }
  if (illumination !== undefined && illumination !== null) {
    config.illumination = validateIlluminationStep(illumination, `${source}.illumination`);
  }
  return config;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  try {
    const json = JSON.stringify(v);
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
  } catch {
    return typeof v;
  }
}
