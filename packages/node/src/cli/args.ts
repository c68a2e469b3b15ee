// Command-line argument parsing shared by the facerec commands (node:util parseArgs plus typed converters).
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { BACKEND_REQUESTS, InvalidArgumentError, type BackendRequest } from '@facerec/core';
import type { ImageFolderOptions } from '../dataset/index.js';

/** An error in how the command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** A negative number ("-0.5", "-2", "-.5e-3"): a value, not a flag. */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * `--flag -0.5` as `--flag=-0.5` for flags that take a value: node's parseArgs reads "-0.5" as a flag,
 * yet a cosine threshold can legitimately be negative.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
    if (arg === '--') {
      out.push(...argv.slice(i + 1));
      break;
    }
  }
  return out;
}

/** Parses `argv` with `options`; unknown flags and missing values become UsageErrors. */
export function parse(argv: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A positive integer flag value, or the default. */
export function intFlag(values: Record<string, unknown>, name: string, fallback?: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${String(raw)}"`);
  return n;
}

/** A number flag value within [min, max], or the default. */
export function numberFlag(values: Record<string, unknown>, name: string, min: number, max: number, fallback?: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${String(raw)}"`);
  return n;
}

/** `--backend` as a backend request (default auto). @throws UsageError for an unknown name, before any backend starts. */
export function backendFlag(values: Record<string, unknown>): BackendRequest {
  const raw = values.backend ?? 'auto';
  if (!BACKEND_REQUESTS.includes(raw as BackendRequest)) throw new UsageError(`--backend must be one of ${BACKEND_REQUESTS.join(', ')}, got "${String(raw)}"`);
  return raw as BackendRequest;
}

/** `--backend` and `--threads`, checked before any work starts. */
export function backendFlags(values: Record<string, unknown>): { request: BackendRequest; options: { threads?: number } } {
  const threads = intFlag(values, 'threads');
  return { request: backendFlag(values), options: threads === undefined ? {} : { threads } };
}

/** `--split first:N`, `--split fraction:0.2[:seed]` or `--split none`. */
export function parseSplit(raw: string | undefined): ImageFolderOptions['split'] {
  if (raw === undefined || raw === 'none') return { type: 'none' };
  const [kind, value, seed] = raw.split(':');
  if (kind === 'first') {
    const count = Number(value);
    if (!Number.isInteger(count) || count < 1) throw new UsageError(`--split first:N needs a positive integer N, got "${raw}"`);
    return { type: 'first', count };
  }
  if (kind === 'fraction') {
    const test = Number(value);
    if (!(test > 0 && test < 1)) throw new UsageError(`--split fraction:F needs 0 < F < 1, got "${raw}"`);
    return { type: 'fraction', test, ...(seed !== undefined ? { seed: Number(seed) } : {}) };
  }
  throw new UsageError(`--split must be "first:N", "fraction:F" or "none", got "${raw}"`);
}

/** Re-raises core argument errors as usage errors (they come from flags). */
export function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}
