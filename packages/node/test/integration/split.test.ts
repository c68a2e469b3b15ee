// One train/test split on every platform: node's loadImageFolder fraction split and the browser's loadLabeledFiles +
// splitDataset (core) hold out the same images for the same seed, and the default seed is the same too.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_SEED, holdOut, loadImageFolder, splitDataset, type LabeledImage } from '@facerec/node';
import { loadLabeledFiles } from '../../../web/src/train/files.js';
import { pnmBinary } from '../fixtures/images.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);

const PEOPLE = ['ann', 'bob', 's2', 's10'];
const pgm = (i: number) => Uint8Array.from(pnmBinary('P5', 4, 4, Array.from({ length: 16 }, (_, p) => (i * 17 + p) % 256)));
const names = (items: readonly LabeledImage[]) => items.map((d) => d.source!.split(path.sep).slice(-2).join('/'));

describe('the train/test split', () => {
  it('is the same in node and in the browser, for a given seed and for the default one', async () => {
    const root = await makeTempDir();
    const files: File[] = [];
    for (const [p, person] of PEOPLE.entries()) {
      await mkdir(path.join(root, person));
      for (let k = 1; k <= 7; k++) {
        await writeFile(path.join(root, person, `${k}.pgm`), pgm(p * 10 + k));
        files.push(new File([pgm(p * 10 + k)], `${person}/${k}.pgm`));
      }
    }
    const browser = await loadLabeledFiles(files.reverse());
    for (const seed of [5, undefined]) {
      const node = await loadImageFolder(root, { split: { type: 'fraction', test: 0.3, ...(seed !== undefined ? { seed } : {}) } });
      const web = seed === undefined ? splitDataset(browser, 0.3) : splitDataset(browser, 0.3, seed);
      expect(names(web.test), String(seed)).toEqual(names(node.test));
      expect(names(web.train)).toEqual(names(node.train));
      // 30% of 7 is 2 per person.
      expect(node.test).toHaveLength(8);
    }
    const other = splitDataset(browser, 0.3, 6);
    expect(names(other.test)).not.toEqual(names(splitDataset(browser, 0.3, 5).test));
  });

  it('holds out at least one of two images, never all, and is seeded per person', () => {
    expect(holdOut(2, 0.1, DEFAULT_SPLIT_SEED, 'a').test).toHaveLength(1);
    expect(holdOut(1, 0.9, DEFAULT_SPLIT_SEED, 'a')).toEqual({ train: [0], test: [] });
    expect(holdOut(5, 0.99, 3, 'a').train).toHaveLength(1);
    expect(holdOut(10, 0.5, 3, 'a')).toEqual(holdOut(10, 0.5, 3, 'a'));
    expect(() => splitDataset([], 1)).toThrow(/Invalid testFraction/);
  });
});
