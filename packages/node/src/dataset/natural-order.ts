// Natural ("human") ordering of names, so 1.pgm, 2.pgm, 10.pgm and s1, s2, s10 sort as people expect.

const CHUNK = /(\d+)|(\D+)/g;

/**
 * Compares two names chunk by chunk: digit runs by numeric value, other text case-insensitively.
 * Ties (e.g. `a` vs `A`, `01` vs `1`) fall back to code-unit order, so the order is total and stable.
 * Locale-free on purpose: the same folder must split the same way on every machine.
 */
export function compareNatural(a: string, b: string): number {
  const xs = a.match(CHUNK) ?? [];
  const ys = b.match(CHUNK) ?? [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    const xDigit = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const yDigit = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    let c: number;
    if (xDigit && yDigit) {
      c = compareDigits(x, y);
    } else {
      const lx = x.toLowerCase();
      const ly = y.toLowerCase();
      c = lx < ly ? -1 : lx > ly ? 1 : 0;
    }
    if (c !== 0) return c;
  }
  if (xs.length !== ys.length) return xs.length - ys.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares digit strings by value without Number overflow: strip zeros, then length, then text. */
function compareDigits(x: string, y: string): number {
  const sx = x.replace(/^0+/, '');
  const sy = y.replace(/^0+/, '');
  if (sx.length !== sy.length) return sx.length - sy.length;
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/** A naturally sorted copy of `names`. */
export function sortNatural(names: readonly string[]): string[] {
  return [...names].sort(compareNatural);
}
