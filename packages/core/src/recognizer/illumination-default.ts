// The illumination step FaceRecognizer trains with: the default, and what a bare method name stands for.
import { validateIlluminationStep, type IlluminationStep } from '../preprocess/index.js';

/**
 * Tan–Triggs as facerec trains with it by default: the published chain with a wider outer Gaussian (σ 1 and 4
 * instead of 1 and 2 on 64×64 faces), which keeps the mid frequencies that tell people apart; measured in
 * BENCHMARKS.md (lighting).
 */
export const DEFAULT_ILLUMINATION: Readonly<{ method: 'tan-triggs'; gamma: number; sigma0: number; sigma1: number; alpha: number; tau: number }> =
  Object.freeze({ method: 'tan-triggs', gamma: 0.2, sigma0: 1, sigma1: 4, alpha: 0.1, tau: 10 });

/**
 * The step a recognizer records for its `illumination` option: the default when absent, none for null, the
 * default's parameters for a bare `'tan-triggs'` (so `--illumination tan-triggs` trains what the default does),
 * other steps as given (checked).
 *
 * @throws InvalidArgumentError naming `illumination` for an unknown method or a bad parameter.
 */
export function illuminationStep(option: IlluminationStep | null | undefined): IlluminationStep | null {
  if (option === null) return null;
  if (option === undefined || option === 'tan-triggs') return { ...DEFAULT_ILLUMINATION };
  return validateIlluminationStep(option, 'illumination');
}
