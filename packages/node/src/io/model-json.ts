// Validates a parsed model.json so a broken file fails with a ModelFormatError instead of deep in tfjs.
import type { io } from '@tensorflow/tfjs-core';
import { ModelFormatError } from '@facerec/core';
import { entryByteLength } from './weights-manifest.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the fields tfjs needs: an object `modelTopology` and a `weightsManifest` of groups with string
 * `paths` (relative, inside the model folder) and well-formed `weights`.
 * @param file model.json path, named in errors.
 * @throws ModelFormatError naming `file`.
 */
export function validateModelJson(value: unknown, file: string): io.ModelJSON {
  if (!isObject(value)) throw new ModelFormatError(file, 'expected a JSON object');
  if (!isObject(value.modelTopology)) {
    throw new ModelFormatError(file, 'missing or invalid "modelTopology" (not a TensorFlow.js layers model?)');
  }
  const manifest = value.weightsManifest;
  if (!Array.isArray(manifest)) throw new ModelFormatError(file, 'missing or invalid "weightsManifest"');
  manifest.forEach((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFormatError(file, `weightsManifest[${g}] needs "paths" and "weights" arrays`);
    }
    for (const p of group.paths as unknown[]) {
      if (typeof p !== 'string' || p === '' || p.split('/').includes('..') || p.startsWith('/') || p.includes('\\')) {
        throw new ModelFormatError(file, `weightsManifest[${g}] has a bad path ${JSON.stringify(p)}`);
      }
    }
    for (const entry of group.weights as unknown[]) {
      if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.dtype !== 'string') {
        throw new ModelFormatError(file, `weightsManifest[${g}] has an entry without "name" or "dtype"`);
      }
      try {
        entryByteLength(entry as unknown as io.WeightsManifestEntry);
      } catch (error) {
        throw new ModelFormatError(file, (error as Error).message, { cause: error });
      }
    }
  });
  for (const key of ['format', 'generatedBy'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') {
      throw new ModelFormatError(file, `"${key}" must be a string`);
    }
  }
  if (value.userDefinedMetadata !== undefined && !isObject(value.userDefinedMetadata)) {
    throw new ModelFormatError(file, '"userDefinedMetadata" must be an object');
  }
  return value as unknown as io.ModelJSON;
}
