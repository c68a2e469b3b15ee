// Flags shared by the pretrained-model commands (enroll, identify, verify, lfw): backend, threads, preset, model folder.
import { FACE_PRESETS, type FacePreset } from '@facerec/core';
import { initBackend } from '../../backends/index.js';
import { UsageError, backendFlags } from '../args.js';

/** The parse() options of the shared flags. */
export const pretrainedFlagOptions = {
  models: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Starts the backend that `--backend` / `--threads` ask for (default auto); a bad value is a UsageError before anything starts. */
export async function initBackendFromFlags(values: Record<string, unknown>): Promise<void> {
  const { request, options } = backendFlags(values);
  await initBackend(request, options);
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
