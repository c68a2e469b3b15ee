// Byte sizes of tfjs weight-manifest entries, to catch truncated or mismatched weight files before decoding.
import type { io } from '@tensorflow/tfjs-core';

/** Bytes per value of each fixed-size dtype (tfjs-core's DTYPE_VALUE_SIZE_MAP plus quantized ones). */
const BYTES_PER_VALUE: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  float16: 2,
  uint16: 2,
  uint8: 1,
};

/**
 * Bytes one manifest entry takes in the weight file, or undefined for variable-length `string` weights.
 * Throws Error (with a message fit for the user) on a malformed entry.
 */
export function entryByteLength(entry: io.WeightsManifestEntry): number | undefined {
  const shape: unknown = entry.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new Error(`weight ${String(entry.name)} has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (entry.dtype === 'string' && !entry.quantization) return undefined;
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  const size = BYTES_PER_VALUE[dtype];
  if (size === undefined) throw new Error(`weight ${String(entry.name)} has an unknown dtype ${String(dtype)}`);
  return (shape as number[]).reduce((a, b) => a * b, 1) * size;
}

/** Total bytes of `entries`, or undefined when any is variable-length (its size cannot be checked). */
export function weightsByteLength(entries: readonly io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const entry of entries) {
    const bytes = entryByteLength(entry);
    if (bytes === undefined) return undefined;
    total += bytes;
  }
  return total;
}
