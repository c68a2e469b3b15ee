// The one label order (compareLabels): numbers by value, text case-insensitively by code unit, a total order, no locale.
import { describe, expect, it } from 'vitest';
import { compareLabels, distinctLabels } from '../../src/recognizer/labels.js';

const sorted = (names: readonly string[]) => [...names].sort(compareLabels);

describe('compareLabels', () => {
  it('orders numbered names by value', () => {
    expect(sorted(['10.pgm', '2.pgm', '1.pgm', '9.pgm'])).toEqual(['1.pgm', '2.pgm', '9.pgm', '10.pgm']);
    expect(sorted(['s10', 's2', 's1', 's40', 's3'])).toEqual(['s1', 's2', 's3', 's10', 's40']);
    expect(sorted(['img_0010.jpg', 'img_0002.jpg', 'img_0001.jpg'])).toEqual(['img_0001.jpg', 'img_0002.jpg', 'img_0010.jpg']);
  });

  it('ignores case first, then breaks ties deterministically', () => {
    expect(sorted(['bob', 'Alice', 'carol'])).toEqual(['Alice', 'bob', 'carol']);
    expect(compareLabels('a', 'A')).not.toBe(0);
    expect(Math.sign(compareLabels('a', 'A'))).toBe(-Math.sign(compareLabels('A', 'a')));
    expect(compareLabels('01', '1')).not.toBe(0);
    expect(compareLabels('x', 'x')).toBe(0);
  });

  it('handles numbers beyond Number precision and prefixes', () => {
    expect(compareLabels('a99999999999999999999', 'a100000000000000000000')).toBeLessThan(0);
    expect(compareLabels('a', 'a1')).toBeLessThan(0);
    expect(compareLabels('', 'a')).toBeLessThan(0);
  });

  it('puts accented names by code unit, whatever the locale (localeCompare would put Émile first)', () => {
    expect(sorted(['Zoë', 'Émile', 's10', 'a', 's2'])).toEqual(['a', 's2', 's10', 'Zoë', 'Émile']);
    expect(distinctLabels(['Zoë', 'Émile', 's10', 'a', 's2', 'a'].map((label) => ({ label })))).toEqual(['a', 's2', 's10', 'Zoë', 'Émile']);
  });
});
