// Checks face-detection options up front: a NaN, negative or fractional value is an error naming it, not a wrong answer.
import { InvalidArgumentError } from '../errors/index.js';
import type { DetectOptions } from './detector.js';

/** Detection options with every default filled in. */
export type ResolvedDetectOptions = Required<Pick<DetectOptions, 'minFaceSize' | 'scoreThreshold' | 'iouThreshold' | 'maxFaces' | 'faceChecks'>>;

/** Defaults of {@link DetectOptions}. */
export const DETECT_DEFAULTS: ResolvedDetectOptions = { minFaceSize: 40, scoreThreshold: 0.5, iouThreshold: 0.3, maxFaces: 100, faceChecks: true };

function fraction(name: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0 && value <= 1)) throw new InvalidArgumentError(name, `must be a number in [0, 1], got ${String(value)}`);
  return value;
}

/**
 * The options with defaults, after checking each: `minFaceSize` a finite number > 0, `scoreThreshold` and
 * `iouThreshold` in [0, 1] (NaN would keep every overlapping box: one face reported dozens of times),
 * `maxFaces` a positive integer or Infinity, `faceChecks` a boolean.
 * @throws InvalidArgumentError naming the option.
 */
export function resolveDetectOptions(options: DetectOptions | undefined): ResolvedDetectOptions {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new InvalidArgumentError('options', `must be an object, got ${String(options)}`);
  const { minFaceSize, scoreThreshold, iouThreshold, maxFaces, faceChecks } = { ...DETECT_DEFAULTS, ...definedOnly(options ?? {}) };
  if (!(typeof minFaceSize === 'number' && Number.isFinite(minFaceSize) && minFaceSize > 0)) {
    throw new InvalidArgumentError('minFaceSize', `must be a positive number of pixels, got ${String(minFaceSize)}`);
  }
  if (!(maxFaces === Number.POSITIVE_INFINITY || (Number.isInteger(maxFaces) && maxFaces >= 1))) {
    throw new InvalidArgumentError('maxFaces', `must be a positive integer, got ${String(maxFaces)}`);
  }
  if (typeof faceChecks !== 'boolean') throw new InvalidArgumentError('faceChecks', `must be true or false, got ${String(faceChecks)}`);
  return { minFaceSize, scoreThreshold: fraction('scoreThreshold', scoreThreshold), iouThreshold: fraction('iouThreshold', iouThreshold), maxFaces, faceChecks };
}

/** `options` without its undefined fields, so they take the defaults. */
function definedOnly(options: DetectOptions): Partial<ResolvedDetectOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<ResolvedDetectOptions>;
}
