// Minimum-cost assignment against brute force, and the detector windows a video frame gets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignMinCost, InvalidArgumentError, WindowPlanner } from '@facerec/core';
import { detectionWindows } from '@facerec/core/internal';

/** Least total cost over every assignment that pairs as many rows as possible (forbidden = Infinity), by enumeration. */
function bruteForce(cost: number[][]): { pairs: number; total: number } {
  const cols = cost[0]?.length ?? 0;
  let best = { pairs: -1, total: Infinity };
  const walk = (row: number, used: Set<number>, pairs: number, total: number) => {
    if (row === cost.length) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.total - 1e-9)) best = { pairs, total };
      return;
    }
    walk(row + 1, used, pairs, total);
    for (let j = 0; j < cols; j++) {
      if (used.has(j) || !Number.isFinite(cost[row]![j]!)) continue;
      used.add(j);
      walk(row + 1, used, pairs + 1, total + cost[row]![j]!);
      used.delete(j);
    }
  };
  walk(0, new Set(), 0, 0);
  return best;
}

describe('assignMinCost', () => {
  it('pairs as many as possible at the least total cost, never a forbidden pair (brute force on random matrices)', () => {
    const matrix = fc.integer({ min: 1, max: 5 }).chain((rows) =>
      fc.integer({ min: 1, max: 5 }).chain((cols) =>
        fc.array(fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Infinity)), { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }),
      ),
    );
    fc.assert(
      fc.property(matrix, (cost) => {
        const result = assignMinCost(cost);
        const columns = result.filter((j) => j >= 0);
        expect(new Set(columns).size).toBe(columns.length);
        result.forEach((j, i) => j >= 0 && expect(Number.isFinite(cost[i]![j]!)).toBe(true));
        const best = bruteForce(cost);
        expect(columns.length).toBe(best.pairs);
        // Enumeration keeps the first of two totals within 1e-9: compare at a looser tolerance.
        expect(Math.abs(result.reduce((s, j, i) => s + (j >= 0 ? cost[i]![j]! : 0), 0) - best.total)).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('handles empty sides', () => {
    expect(assignMinCost([])).toEqual([]);
    expect(assignMinCost([[], []])).toEqual([-1, -1]);
  });
});

describe('WindowPlanner', () => {
  it('covers the whole scan once every scanFrames frames, a slice per frame', () => {
    const planner = new WindowPlanner(640, 360, { minFaceSize: 40, scanFrames: 4 });
    const all = detectionWindows(640, 360, 40);
    expect(planner.scanWindows).toBe(all.length);
    const seen = new Set<string>();
    let most = 0;
    for (let f = 0; f < 4; f++) {
      const windows = planner.windows([]);
      most = Math.max(most, windows.length);
      for (const w of windows) seen.add(`${w.x},${w.y},${w.size}`);
    }
    expect(seen.size).toBe(all.length);
    expect(most).toBe(Math.ceil(all.length / 4));
  });

  it('leaves out a scan level that the levels around it cover: every face from minFaceSize up still fits a window 1 to 5 times its side', () => {
    // 640×480 at 60-pixel faces: the smallest level (300) is nearly the 320 one, which goes (13 windows, not 19).
    const planner = new WindowPlanner(640, 480, { minFaceSize: 60, scanFrames: 1 });
    expect(detectionWindows(640, 480, 60)).toHaveLength(19);
    expect(planner.scanWindows).toBe(13);
    for (const [width, height, minFace] of [[640, 480, 60], [640, 360, 40], [480, 640, 64], [320, 240, 50]] as const) {
      const scan = new WindowPlanner(width, height, { minFaceSize: minFace, scanFrames: 1 }).windows([]);
      for (let side = minFace; side <= Math.min(width, height); side *= 1.07) {
        for (let x = 0; x + side <= width; x += 13) {
          for (let y = 0; y + side <= height; y += 11) {
            const fits = scan.some((w) => side * 5 >= w.size && side <= w.size && x >= w.x && y >= w.y && x + side <= w.x + w.size && y + side <= w.y + w.size);
            if (!fits) expect.fail(`${width}×${height}: a ${side.toFixed(0)}-pixel face at (${x}, ${y}) fits no window`);
          }
        }
      }
    }
  });

  it('puts a window centred on each expected face, wider while the face is missing', () => {
    const planner = new WindowPlanner(640, 360, { scanFrames: 100, trackWindowScale: 2.5 });
    const [a, b] = planner.windows([{ box: { x: 100, y: 100, width: 40, height: 40 } }, { box: { x: 300, y: 50, width: 60, height: 60 }, missed: 5 }]);
    expect(a).toEqual({ x: 70, y: 70, size: 100 });
    expect(b!.size).toBeCloseTo(60 * 2.5 * 2);
    expect(b!.x + b!.size / 2).toBeCloseTo(330);
  });

  it('checks its options', () => {
    expect(() => new WindowPlanner(0, 10)).toThrow(InvalidArgumentError);
    expect(() => new WindowPlanner(10, 10, { scanFrames: 0 })).toThrow(/scanFrames/);
  });
});
