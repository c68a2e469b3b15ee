// Flags shared by the pretrained-model commands (enroll, identify, verify, lfw): backend, threads, preset, model folder.
import { FACE_PRESETS, type BackendRequest, type FacePreset } from '@facerec/core';
import { initBackend } from '../../backends/index.js';
import { UsageError, asUsage, intFlag } from '../args.js';

/** The parse() options of the shared flags. */
export const pretrainedFlagOptions = {
  models: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Starts the backend that `--backend` / `--threads` ask for (default auto). */
export async function initBackendFromFlags(values: Record<string, unknown>): Promise<void> {
  await initBackend(asUsage(() => (values.backend as BackendRequest | undefined) ?? 'auto'), {
    ...(values.threads ? { threads: intFlag(values, 'threads')! } : {}),
  });
}

/** `{ modelDir }` when `--models` was given, else nothing (the installed packages are used). */
export function modelDirFlag(values: Record<string, unknown>): { modelDir?: string } {
  return typeof values.models === 'string' ? { modelDir: values.models } : {};
}

/** The --preset flag as a preset name. @throws UsageError for other values. */
export function presetFlag(values: Record<string, unknown>): FacePreset {
  const preset = (values.preset as string | undefined) ?? 'default';
  if (!Object.hasOwn(FACE_PRESETS, preset)) throw new UsageError(`--preset must be one of ${Object.keys(FACE_PRESETS).join(', ')}, got "${preset}"`);
  return preset as FacePreset;
}
