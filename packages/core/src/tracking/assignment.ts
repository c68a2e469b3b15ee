// Minimum-cost one-to-one assignment (the Hungarian method) of tracks to detections, with forbidden pairs.

/** A pair cost that forbids the pair (outside the gate). */
export const FORBIDDEN = Number.POSITIVE_INFINITY;

/**
 * Pairs rows with columns so the summed cost is least, never using a forbidden (infinite) pair; a row or
 * column may stay unpaired. O(n²·m) (Kuhn–Munkres with potentials); a frame has a handful of faces.
 * @param cost - `cost[row][column]`, all rows the same length.
 * @returns For each row, its column or -1.
 */
export function assignMinCost(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : cost[0]!.length;
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  // Forbidden pairs get a cost above any sum of allowed ones; every row also gets a private "unpaired"
  // column at that cost, so the square problem always has a solution and such pairs are dropped after.
  let finiteMax = 0;
  for (const row of cost) for (const c of row) if (Number.isFinite(c)) finiteMax = Math.max(finiteMax, Math.abs(c));
  const big = (finiteMax + 1) * (rows + cols + 1);
  const n = rows;
  const m = cols + rows;
  const at = (i: number, j: number): number => {
    if (j < cols) {
      const c = cost[i]![j]!;
      return Number.isFinite(c) ? c : big * 2;
    }
    return j - cols === i ? big : big * 2;
  };
  // 1-based arrays of the classic formulation: u, v potentials; p[j] = row paired with column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= cols; j++) {
    const i = p[j]!;
    if (i > 0 && Number.isFinite(cost[i - 1]![j - 1]!)) result[i - 1] = j - 1;
  }
  return result;
}
