// Shared fuzz machinery: run counts (FUZZ_RUNS), byte mutations, and per-target tallies of typed errors, valid results, crashes and hangs.
import fc from 'fast-check';
import { FacerecError } from '@facerec/core';

/**
 * Cases per property: `FUZZ_RUNS` when set (`pnpm fuzz`), else `ciRuns`, a few seconds' worth in the normal
 * test suite. Slow targets (model loaders) pass `scale` < 1 to run a fraction of FUZZ_RUNS.
 */
export function fuzzRuns(ciRuns: number, scale = 1): number {
  const asked = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? Math.max(1, Math.round(asked * scale)) : ciRuns;
}

/** A fixed seed in CI (reproducible), a random one for `pnpm fuzz` unless FUZZ_SEED is set; printed either way. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED) || (process.env.FUZZ_RUNS ? Math.floor(Math.random() * 2 ** 31) : 20261201);

/** How one fuzz target's cases ended. */
export interface FuzzTally {
  readonly target: string;
  tried: number;
  /** Ended in a facerec error of the expected kind, naming the input. */
  typed: number;
  /** Ended in a valid result. */
  valid: number;
  /** Ended in any other error (a bug): the property fails on the first. */
  crashes: number;
  /** Took longer than the per-case bound (a bug): the property fails on the first. */
  hangs: number;
  /** Grew memory past the stated bound (a bug): the property fails on the first. */
  overAllocations: number;
  slowestMs: number;
}

const tallies: FuzzTally[] = [];

export function tally(target: string): FuzzTally {
  const t: FuzzTally = { target, tried: 0, typed: 0, valid: 0, crashes: 0, hangs: 0, overAllocations: 0, slowestMs: 0 };
  tallies.push(t);
  return t;
}

/** One line per target, for the test log and `pnpm fuzz`'s summary. */
export function printTallies(): void {
  for (const t of tallies.splice(0)) {
    console.log(
      `fuzz ${t.target}: ${t.tried} inputs, ${t.typed} typed errors, ${t.valid} valid, ${t.crashes} crashes, ${t.hangs} hangs, ` +
        `${t.overAllocations} over the memory bound, slowest ${t.slowestMs.toFixed(0)} ms (seed ${FUZZ_SEED})`,
    );
  }
}

/** What a case must end in: a valid result (checked by `check`) or an error `isTyped` accepts. */
export interface CaseRules<T> {
  readonly isTyped: (error: unknown) => boolean;
  readonly check?: (result: T) => void;
  /** Per-case time bound, ms. */
  readonly maxMs: number;
  /** Most bytes of ArrayBuffers a case may leave allocated (an upper bound of what it allocated, GC aside). */
  readonly maxBytes?: number;
}

/** Runs one case, tallies how it ended, and throws (failing the property) on a crash, hang or over-allocation. */
export async function runCase<T>(t: FuzzTally, rules: CaseRules<T>, fn: () => T | Promise<T>): Promise<void> {
  t.tried++;
  const buffers = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let result: T | undefined;
  let failure: unknown;
  try {
    result = await fn();
  } catch (error) {
    failure = error;
  }
  const ms = performance.now() - start;
  t.slowestMs = Math.max(t.slowestMs, ms);
  const grown = process.memoryUsage().arrayBuffers - buffers;
  if (failure !== undefined) {
    if (!rules.isTyped(failure)) {
      t.crashes++;
      throw new Error(`crash (not a typed error): ${describe(failure)}`, { cause: failure });
    }
    t.typed++;
  } else {
    try {
      rules.check?.(result as T);
    } catch (error) {
      t.crashes++;
      throw new Error(`invalid result: ${describe(error)}`, { cause: error });
    }
    t.valid++;
  }
  if (ms > rules.maxMs) {
    t.hangs++;
    throw new Error(`took ${ms.toFixed(0)} ms, over the ${rules.maxMs} ms bound`);
  }
  if (rules.maxBytes !== undefined && grown > rules.maxBytes) {
    t.overAllocations++;
    throw new Error(`left ${(grown / 2 ** 20).toFixed(1)} MB of buffers allocated, over the ${(rules.maxBytes / 2 ** 20).toFixed(0)} MB bound`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A FacerecError of class `kind` whose message names `name` (the file or input it was given). */
export function typedNaming(kind: abstract new (...args: never[]) => FacerecError, name: string): (error: unknown) => boolean {
  return (error) => error instanceof kind && error.message.includes(name);
}

/** One edit of a byte string. */
type Edit = (bytes: Uint8Array) => Uint8Array;

const truncate: fc.Arbitrary<Edit> = fc.double({ min: 0, max: 1, noNaN: true }).map((f) => (b) => b.subarray(0, Math.floor(b.length * f)));
const flipBytes: fc.Arbitrary<Edit> = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => (b) => {
  const out = b.slice();
  for (const [at, value] of edits) if (out.length > 0) out[at % out.length] = value;
  return out;
});
const flipBits: fc.Arbitrary<Edit> = fc.array(fc.nat(), { minLength: 1, maxLength: 4 }).map((bits) => (b) => {
  const out = b.slice();
  for (const bit of bits) if (out.length > 0) out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
});
const splice: fc.Arbitrary<Edit> = fc.tuple(fc.nat(), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 64 })).map(([at, remove, insert]) => (b) => {
  const i = b.length === 0 ? 0 : at % b.length;
  const out = new Uint8Array(b.length - Math.min(remove, b.length - i) + insert.length);
  out.set(b.subarray(0, i));
  out.set(insert, i);
  out.set(b.subarray(i + remove), i + insert.length);
  return out;
});
/** Overwrites 1, 2 or 4 bytes big- or little-endian with an extreme or random value: a header field that lies. */
const bigNumber: fc.Arbitrary<Edit> = fc
  .tuple(fc.nat(), fc.constantFrom(1, 2, 4), fc.boolean(), fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 9999, 65535), fc.nat()))
  .map(([at, size, little, value]) => (b) => {
    if (b.length < size) return b;
    const out = b.slice();
    const i = at % (b.length - size + 1);
    for (let k = 0; k < size; k++) out[i + (little ? k : size - 1 - k)] = Math.floor(value / 2 ** (8 * k)) & 255;
    return out;
  });

/** 1 to 3 random edits (truncation, byte and bit flips, insert/delete, lying numbers) of `seed`. */
export function mutated(seeds: fc.Arbitrary<Uint8Array>, extra: ReadonlyArray<fc.Arbitrary<Edit>> = []): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(truncate, flipBytes, flipBits, splice, bigNumber, ...extra);
  return fc.tuple(seeds, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([seed, edits]) => edits.reduce((b, e) => e(b), seed));
}

export type { Edit };

/** Every path (keys and indices) of a JSON value, depth-first, up to `limit` of them. */
function jsonPaths(value: unknown, limit = 4000): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const walk = (v: unknown, path: Array<string | number>) => {
    if (out.length >= limit) return;
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  return out;
}

/** Lying values a JSON field may be replaced with. */
const jsonValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 1e9, -1e9, 1.5, 2 ** 53, '', 'x', '../x', [], {}, [1e9], [-1, 3], ['a'], { shape: [2, 2] }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A JSON document with 1 to 3 fields deleted, replaced by lying values, or swapped with another field's value. */
export function mutatedJson(seed: unknown): fc.Arbitrary<unknown> {
  const paths = jsonPaths(seed);
  const op = fc.tuple(fc.nat({ max: paths.length - 1 }), fc.constantFrom('delete', 'replace', 'copy'), jsonValues, fc.nat({ max: paths.length - 1 }));
  return fc.array(op, { minLength: 1, maxLength: 3 }).map((ops) => {
    const doc = structuredClone(seed) as Record<string | number, unknown>;
    for (const [at, kind, value, from] of ops) {
      const path = paths[at]!;
      if (path.length === 0) return kind === 'replace' ? value : doc;
      let parent: unknown = doc;
      for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown> | undefined)?.[key];
      if (parent === null || typeof parent !== 'object') continue;
      const target = parent as Record<string | number, unknown>;
      const key = path[path.length - 1]!;
      if (kind === 'delete') {
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
      } else if (kind === 'replace') {
        target[key] = value;
      } else {
        let source: unknown = doc;
        for (const k of paths[from]!) source = (source as Record<string | number, unknown> | undefined)?.[k];
        target[key] = structuredClone(source);
      }
    }
    return doc;
  });
}

/** A file's new content: the JSON structurally mutated, or its text bytes mutated. */
export function mutatedJsonFile(text: string): fc.Arbitrary<Uint8Array> {
  const seed = JSON.parse(text) as unknown;
  const encode = (s: string) => new TextEncoder().encode(s);
  return fc.oneof(
    mutatedJson(seed).map((doc) => encode(JSON.stringify(doc) ?? 'undefined')),
    mutated(fc.constant(encode(text))),
  );
}
