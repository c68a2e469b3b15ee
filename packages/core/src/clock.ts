// A millisecond clock that works in Node, browsers and workers without platform type libraries.

const perf = (globalThis as { performance?: { now(): number } }).performance;

/** Milliseconds from an arbitrary origin; high resolution where the platform has `performance`. */
export function now(): number {
  return perf ? perf.now() : Date.now();
}
