// Parses LFW-format pairs files (View 2's pairs.txt): folds of same-person then different-person pairs.
import { InvalidArgumentError } from '../errors/index.js';

/** One pair of face images; `fold` counts from 1. */
export interface LfwPair {
  readonly fold: number;
  readonly same: boolean;
  readonly a: { readonly name: string; readonly index: number };
  readonly b: { readonly name: string; readonly index: number };
}

/**
 * Parses the text of an LFW pairs file: a header `folds<TAB>n`, then per fold n lines `name i j` (same
 * person) and n lines `name1 i name2 j` (different people). A header-less file with a single count is
 * read as one fold.
 *
 * @throws InvalidArgumentError naming `source` and the line when the text is malformed.
 */
export function parseLfwPairs(text: string, source = 'pairs'): LfwPair[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(/\s+/).map(Number);
  let folds: number, perClass: number;
  if (header.length === 2 && header.every(Number.isInteger)) [folds, perClass] = header as [number, number];
  else if (header.length === 1 && Number.isInteger(header[0])) [folds, perClass] = [1, header[0]!];
  else throw new InvalidArgumentError(source, `line 1 should be "<folds> <pairs per class>", got "${lines[0] ?? ''}"`);
  const pairs: LfwPair[] = [];
  const expected = folds * perClass * 2;
  if (lines.length - 1 < expected) throw new InvalidArgumentError(source, `header promises ${expected} pairs but the file has ${lines.length - 1} lines`);
  for (let k = 0; k < expected; k++) {
    const parts = lines[k + 1]!.split(/\s+/);
    const fold = Math.floor(k / (2 * perClass)) + 1;
    const same = k % (2 * perClass) < perClass;
    const where = `line ${k + 2} ("${lines[k + 1]}")`;
    if (same && parts.length === 3) {
      pairs.push({ fold, same, a: { name: parts[0]!, index: toIndex(parts[1]!, source, where) }, b: { name: parts[0]!, index: toIndex(parts[2]!, source, where) } });
    } else if (!same && parts.length === 4) {
      pairs.push({ fold, same, a: { name: parts[0]!, index: toIndex(parts[1]!, source, where) }, b: { name: parts[2]!, index: toIndex(parts[3]!, source, where) } });
    } else {
      throw new InvalidArgumentError(source, `${where} should have ${same ? 3 : 4} fields for a ${same ? 'same' : 'different'}-person pair`);
    }
  }
  return pairs;
}

function toIndex(raw: string, source: string, where: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(source, `${where}: image number "${raw}" is not a positive integer`);
  return n;
}

/** The file name LFW uses for image `index` of `name`: `Name/Name_0001.jpg`. */
export function lfwImagePath(name: string, index: number): string {
  return `${name}/${name}_${String(index).padStart(4, '0')}.jpg`;
}
