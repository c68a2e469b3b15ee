// Checks the person labels of a training set (non-empty strings, not the reserved "unknown") and orders them.
import { InvalidArgumentError } from '../errors/index.js';

/** The label reported for a face whose confidence is below the threshold; no person may be called this. */
export const UNKNOWN_LABEL = 'unknown';

/** Natural order ("s2" before "s10"), ties broken by code points so the order is total. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Throws InvalidArgumentError naming `argument` (and the item's source) when `label` is not a non-empty
 * string or is the reserved {@link UNKNOWN_LABEL}: a person called "unknown" would be indistinguishable
 * from a face that matches nobody.
 */
export function checkLabel(label: unknown, argument: string, source?: string): string {
  const where = source ? ` (${source})` : '';
  if (typeof label !== 'string' || label.length === 0) {
    throw new InvalidArgumentError(argument, `must be a non-empty string, got ${typeof label === 'string' ? '""' : `${typeof label} ${String(label)}`}${where}`);
  }
  if (label === UNKNOWN_LABEL) throw new InvalidArgumentError(argument, `"${UNKNOWN_LABEL}" is reserved for faces that match nobody${where}; rename this person`);
  return label;
}

/**
 * The distinct people of a labelled set in natural order, after checking every label with {@link checkLabel}.
 * @throws InvalidArgumentError naming `dataset` when it is not an array, or `dataset[i].label` for a bad label.
 */
export function distinctLabels(dataset: ReadonlyArray<{ readonly label: unknown; readonly source?: string }>, argument = 'dataset'): string[] {
  if (!Array.isArray(dataset)) throw new InvalidArgumentError(argument, 'must be an array of { image, label }');
  const seen = new Set<string>();
  dataset.forEach((item, i) => {
    if (item === null || typeof item !== 'object') throw new InvalidArgumentError(`${argument}[${i}]`, 'must be an object { image, label }');
    seen.add(checkLabel(item.label, `${argument}[${i}].label`, item.source));
  });
  return [...seen].sort(naturalCompare);
}
