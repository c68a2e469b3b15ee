// Checks the person labels of a training set (non-empty strings, not the reserved "unknown") and orders them.
import { InvalidArgumentError } from '../errors/index.js';
import { UNKNOWN } from './result.js';

const CHUNK = /(\d+)|(\D+)/g;

/**
 * The order of person labels (and of file names in a dataset) everywhere in facerec: natural order, so
 * `s2` comes before `s10`. Names are compared chunk by chunk, digit runs by numeric value and other text
 * case-insensitively by code unit; ties (`a` / `A`, `01` / `1`) fall back to plain code-unit order, so the
 * order is total. Locale-free on purpose: a model's class order, a dataset's split and a gallery's
 * listing must come out the same on every machine and browser, accented names included (`Zoë` before
 * `Émile`, as their code units say).
 */
export function compareLabels(a: string, b: string): number {
  const xs = a.match(CHUNK) ?? [];
  const ys = b.match(CHUNK) ?? [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    let c: number;
    if (isDigit(x) && isDigit(y)) {
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

function isDigit(chunk: string): boolean {
  const c = chunk.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Compares digit strings by value without Number overflow: strip zeros, then length, then text. */
function compareDigits(x: string, y: string): number {
  const sx = x.replace(/^0+/, '');
  const sy = y.replace(/^0+/, '');
  if (sx.length !== sy.length) return sx.length - sy.length;
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/**
 * Throws InvalidArgumentError naming `argument` (and the item's source) when `label` is not a non-empty
 * string or is the reserved {@link UNKNOWN}: a person called "unknown" would be indistinguishable
 * from a face that matches nobody.
 */
export function checkLabel(label: unknown, argument: string, source?: string): string {
  const where = source ? ` (${source})` : '';
  if (typeof label !== 'string' || label.length === 0) {
    throw new InvalidArgumentError(argument, `must be a non-empty string, got ${typeof label === 'string' ? '""' : `${typeof label} ${String(label)}`}${where}`);
  }
  if (label === UNKNOWN) throw new InvalidArgumentError(argument, `"${UNKNOWN}" is reserved for faces that match nobody${where}; rename this person`);
  return label;
}

/**
 * The distinct people of a labelled set in {@link compareLabels} order, after checking every label with {@link checkLabel}.
 * @throws InvalidArgumentError naming `dataset` when it is not an array, or `dataset[i].label` for a bad label.
 */
export function distinctLabels(dataset: ReadonlyArray<{ readonly label: unknown; readonly source?: string }>, argument = 'dataset'): string[] {
  if (!Array.isArray(dataset)) throw new InvalidArgumentError(argument, 'must be an array of { image, label }');
  const seen = new Set<string>();
  dataset.forEach((item, i) => {
    if (item === null || typeof item !== 'object') throw new InvalidArgumentError(`${argument}[${i}]`, 'must be an object { image, label }');
    seen.add(checkLabel(item.label, `${argument}[${i}].label`, item.source));
  });
  return [...seen].sort(compareLabels);
}
