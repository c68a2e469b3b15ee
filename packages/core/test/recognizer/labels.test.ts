// Natural name ordering: numbers by value, text case-insensitively, a total order.
import { describe, expect, it } from 'vitest';
import { compareNatural, sortNatural } from '../../src/dataset/index.js';

describe('compareNatural', () => {
  it('orders numbered files by value', () => {
    expect(sortNatural(['10.pgm', '2.pgm', '1.pgm', '9.pgm'])).toEqual(['1.pgm', '2.pgm', '9.pgm', '10.pgm']);
    expect(sortNatural(['s10', 's2', 's1', 's40', 's3'])).toEqual(['s1', 's2', 's3', 's10', 's40']);
    expect(sortNatural(['img_0010.jpg', 'img_0002.jpg', 'img_0001.jpg'])).toEqual(['img_0001.jpg', 'img_0002.jpg', 'img_0010.jpg']);
  });

  it('ignores case first, then breaks ties deterministically', () => {
    expect(sortNatural(['bob', 'Alice', 'carol'])).toEqual(['Alice', 'bob', 'carol']);
    expect(compareNatural('a', 'A')).not.toBe(0);
    expect(Math.sign(compareNatural('a', 'A'))).toBe(-Math.sign(compareNatural('A', 'a')));
    expect(compareNatural('01', '1')).not.toBe(0);
    expect(compareNatural('x', 'x')).toBe(0);
  });

  it('handles numbers beyond Number precision and prefixes', () => {
    expect(compareNatural('a99999999999999999999', 'a100000000000000000000')).toBeLessThan(0);
    expect(compareNatural('a', 'a1')).toBeLessThan(0);
    expect(compareNatural('', 'a')).toBeLessThan(0);
  });
});
