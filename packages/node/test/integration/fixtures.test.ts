// The committed face fixtures are what the tests assume: LFW's pairs file and folds, 2–3 decodable photos per
// person, the Yale photos in every condition, ORL complete, all under the 3 MB budget.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lfwImagePath, parseLfwPairs, readImage } from '@facerec/node';
import {
  LFW_DIR, ORL_DIR, YALE_CONDITIONS, YALE_DIR, YALE_SUBJECTS, lfwImage, lfwPeople, yaleImage,
} from '../../../core/test/helpers/datasets.js';

const fixturesRoot = path.dirname(LFW_DIR);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

describe('committed face fixtures', () => {
  it('LFW: 5 folds × 5 + 5 pairs, folds share no person, every pair image present', () => {
    const pairs = parseLfwPairs(readFileSync(path.join(LFW_DIR, 'pairs.txt'), 'utf8'), 'fixtures/lfw/pairs.txt');
    expect(pairs).toHaveLength(50);
    for (let fold = 1; fold <= 5; fold++) {
      expect(pairs.filter((p) => p.fold === fold && p.same)).toHaveLength(5);
      expect(pairs.filter((p) => p.fold === fold && !p.same)).toHaveLength(5);
    }
    const foldOf = new Map<string, number>();
    for (const p of pairs) {
      for (const side of [p.a, p.b]) {
        expect(foldOf.get(side.name) ?? p.fold, `${side.name} is in two folds`).toBe(p.fold);
        foldOf.set(side.name, p.fold);
        expect(statSync(path.join(LFW_DIR, 'images', lfwImagePath(side.name, side.index))).isFile()).toBe(true);
      }
      if (!p.same) expect(p.a.name).not.toBe(p.b.name);
    }
  });

  it('LFW: 40 people with 2–3 photos each, all 250×250 gray JPEGs', async () => {
    const people = lfwPeople();
    expect(people).toHaveLength(40);
    expect(people.every((p) => p.images.length >= 2 && p.images.length <= 3)).toBe(true);
    for (const p of people) {
      for (const n of p.images) {
        const image = await readImage(lfwImage(p.name, n));
        expect([image.width, image.height, image.channels]).toEqual([250, 250, 1]);
      }
    }
  });

  it('Yale: 5 subjects × 6 conditions, 320×243 gray PNGs', async () => {
    expect(filesUnder(YALE_DIR)).toHaveLength(YALE_SUBJECTS.length * YALE_CONDITIONS.length);
    for (const subject of YALE_SUBJECTS) {
      for (const condition of YALE_CONDITIONS) {
        const image = await readImage(yaleImage(subject, condition));
        expect([image.width, image.height, image.channels]).toEqual([320, 243, 1]);
      }
    }
  });

  it('ORL: 40 people × 10 photos in examples/data/orl', () => {
    const people = readdirSync(ORL_DIR).filter((d) => /^s\d+$/.test(d));
    expect(people).toHaveLength(40);
    for (const p of people) expect(readdirSync(path.join(ORL_DIR, p)).filter((f) => f.endsWith('.pgm'))).toHaveLength(10);
  });

  it('fixtures/ stays under 3 MB and has its README', () => {
    const files = filesUnder(fixturesRoot);
    expect(files).toContain(path.join(fixturesRoot, 'README.md'));
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
  });
});
