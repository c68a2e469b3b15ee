// Each person's light subspace: the span of their training photos' grey levels, which holds their face under any lamp when the photos line up pixel for pixel (Belhumeur & Kriegman 1998; Georghiades et al. 2001).
import { InvalidArgumentError } from '../errors/index.js';

/**
 * Dimensions kept per person: a Lambertian face's visible pixels are `albedo · (n · s)` for a lamp `s`, a 3-dimensional
 * span, and the ambient light adds the albedo itself.
 */
const DIMENSIONS = 4;
/** Fewer training photos than this cannot span a face under a new lamp: that person gets no subspace. */
const MIN_PHOTOS = 3;
/** At most this many photos of one person make their subspace, evenly chosen, so fitting costs the same for any dataset. */
const MAX_PHOTOS = 64;
/** Fewer visible pixels than this fit any person's subspace nearly exactly: no answer. */
const MIN_VISIBLE = 32;
/** Grey levels at or above this are clipped by the camera and break the linear model; they are left out. */
const SATURATED = 250;
/** A ridge on the fit, relative to the mean energy of the subspace on the visible pixels: a lamp seen through a sliver of face is otherwise ill-posed. */
const RIDGE = 1e-3;
/**
 * A face counts as explained by one person when their residual is at most this share of anyone else's: decisive
 * only where the photos line up; where they do not (other poses, faces moving in the frame), no person's span holds
 * the face much better than the others'.
 */
export const DECISIVE_RATIO = 0.25;
/**
 * Training photos line up when the span of their person's other photos leaves at most this share of the nearest
 * other person's residual (median): one pose under frontal lamps leaves several times less, a face that turns or
 * changes a little between shots several times more.
 */
export const LINED_UP_RATIO = 0.03;
/** Training photos the line-up check fits: enough for a stable median at a bounded cost. */
const LINE_UP_PHOTOS = 32;

/**
 * Each person's light subspace, from training faces framed alike (`side`² grey levels each): an orthonormal basis of
 * up to 4 dimensions of the span of their photos. A face in shadow is then fitted, on its visible pixels only, by each
 * person's basis; the relative residual says how well that person's face, under some lamp, explains it. Only where
 * a person's photos line up pixel for pixel (a light stage's crops) is the right person's residual far below the
 * others'.
 */
export class LightSubspaces {
  private constructor(
    readonly side: number,
    /** Per person, the basis vectors (each `side²` values), or none. */
    private readonly bases: readonly (readonly Float64Array[])[],
    /** Grey level above which a pixel counts as visible (below: camera noise). */
    private readonly dark: number,
  ) {}

  private lined = false;

  /**
   * Whether the training photos line up pixel for pixel: then each person's subspace holds any face of theirs in
   * shadow, and the residuals answer for every such face, not only where one person's is decisive.
   */
  get linedUp(): boolean {
    return this.lined;
  }

  /**
   * The subspaces of `frames` (grey levels 0..255, `side²` each), `people[i]` the person index of frame i among
   * `count` people; pixels at or below `dark` count as in shadow.
   * @throws InvalidArgumentError naming `frames` for a frame of the wrong length.
   */
  static fromFrames(frames: readonly ArrayLike<number>[], people: readonly number[], count: number, side: number, dark: number): LightSubspaces {
    const area = side * side;
    frames.forEach((f, i) => {
      if (f.length !== area) throw new InvalidArgumentError('frames', `entry ${i} has ${f.length} pixels, expected ${side} × ${side}`);
    });
    const photosOf: number[][] = Array.from({ length: count }, () => []);
    people.forEach((p, i) => photosOf[p]?.push(i));
    const bases = photosOf.map((photos) => (photos.length < MIN_PHOTOS ? [] : basisOf(evenly(photos, MAX_PHOTOS).map((i) => frames[i]!), area)));
    const subspaces = new LightSubspaces(side, bases, dark);
    subspaces.lined = subspaces.photosLineUp(frames, people, photosOf);
    return subspaces;
  }

  /**
   * Each person's relative residual (`|p − B s|² / |p|²` over the visible pixels, `s` fitted by least squares) for
   * the face `frame` (`side²` grey levels); Infinity for a person without a subspace. Undefined when fewer than 32
   * pixels are visible.
   */
  residuals(frame: ArrayLike<number>): Float32Array | undefined {
    const area = this.side * this.side;
    if (frame.length !== area) throw new InvalidArgumentError('frame', `has ${frame.length} pixels, expected ${this.side} × ${this.side}`);
    const shown = this.visibleOf(frame);
    if (!shown) return undefined;
    return Float32Array.from(this.bases, (basis) => (basis.length === 0 ? Number.POSITIVE_INFINITY : residualOf(basis, frame, shown.visible) / shown.energy));
  }

  /** The pixels of `frame` that show the face (neither in shadow nor clipped) and their energy; undefined when too few. */
  private visibleOf(frame: ArrayLike<number>): { visible: number[]; energy: number } | undefined {
    const visible: number[] = [];
    let energy = 0;
    for (let q = 0; q < frame.length; q++) {
      const level = frame[q]!;
      if (level > this.dark && level < SATURATED) {
        visible.push(q);
        energy += level * level;
      }
    }
    return visible.length < MIN_VISIBLE ? undefined : { visible, energy };
  }

  /**
   * The residuals of `frame` ({@link LightSubspaces.residuals}) when they can name it: always where the training
   * photos line up, else only when one person's is decisive ({@link LightSubspaces.decisive}); undefined otherwise.
   */
  explain(frame: ArrayLike<number>): Float32Array | undefined {
    const residuals = this.residuals(frame);
    if (!residuals || !residuals.some(Number.isFinite)) return undefined;
    return this.linedUp || LightSubspaces.decisive(residuals) !== undefined ? residuals : undefined;
  }

  /**
   * Whether the training photos line up: each (of people with more than 3 photos), fitted by the span of its
   * person's other photos, leaves a residual at most {@link LINED_UP_RATIO} of the nearest other person's, at the
   * median over up to 32 photos. Photos of one pose under changing light lie in the span of the others; a face that
   * moves or changes between photos does not.
   */
  private photosLineUp(frames: readonly ArrayLike<number>[], people: readonly number[], photosOf: readonly number[][]): boolean {
    const area = this.side * this.side;
    const eligible = frames.map((_, i) => i).filter((i) => photosOf[people[i]!]!.length > MIN_PHOTOS);
    const ratios: number[] = [];
    for (const i of evenly(eligible, LINE_UP_PHOTOS)) {
      const frame = frames[i]!;
      const shown = this.visibleOf(frame);
      if (!shown) continue;
      const own = people[i]!;
      const others = photosOf[own]!.filter((j) => j !== i);
      const heldOut = residualOf(basisOf(evenly(others, MAX_PHOTOS).map((j) => frames[j]!), area), frame, shown.visible) / shown.energy;
      const nearest = Math.min(...Array.from(this.residuals(frame)!).filter((_, p) => p !== own));
      if (Number.isFinite(nearest)) ratios.push(nearest > 0 ? heldOut / nearest : Number.POSITIVE_INFINITY);
    }
    if (ratios.length === 0) return false;
    ratios.sort((a, b) => a - b);
    return ratios[Math.floor((ratios.length - 1) / 2)]! <= LINED_UP_RATIO;
  }

  /** The person whose residual is at most {@link DECISIVE_RATIO} of everyone else's, or undefined. */
  static decisive(residuals: Float32Array): number | undefined {
    let best = -1;
    let second = Number.POSITIVE_INFINITY;
    for (let p = 0; p < residuals.length; p++) {
      const r = residuals[p]!;
      if (best < 0 || r < residuals[best]!) {
        if (best >= 0) second = residuals[best]!;
        best = p;
      } else if (r < second) second = r;
    }
    if (best < 0 || !Number.isFinite(residuals[best]!)) return undefined;
    return residuals[best]! <= DECISIVE_RATIO * second ? best : undefined;
  }
}

/** Up to `count` of `items`, evenly spaced. */
function evenly<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, k) => items[Math.floor((k * items.length) / count)]!);
}

/** An orthonormal basis of the top {@link DIMENSIONS} principal directions (uncentred) of `frames`: eigenvectors of their Gram matrix. */
function basisOf(frames: readonly ArrayLike<number>[], area: number): Float64Array[] {
  const m = frames.length;
  const gram = Array.from({ length: m }, () => new Float64Array(m));
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let q = 0; q < area; q++) s += frames[a]![q]! * frames[b]![q]!;
      gram[a]![b] = s;
      gram[b]![a] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram);
  const order = Array.from(values.keys()).sort((i, j) => values[j]! - values[i]!);
  const top = order.slice(0, DIMENSIONS).filter((i) => values[i]! > 1e-9 * values[order[0]!]!);
  return top.map((i) => {
    const u = new Float64Array(area);
    for (let j = 0; j < m; j++) {
      const w = vectors[j]![i]!;
      const f = frames[j]!;
      for (let q = 0; q < area; q++) u[q]! += w * f[q]!;
    }
    const norm = Math.sqrt(values[i]!);
    for (let q = 0; q < area; q++) u[q]! /= norm;
    return u;
  });
}

/** Eigenvalues and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi rotations. */
function symmetricEigen(matrix: readonly Float64Array[]): { values: Float64Array; vectors: Float64Array[] } {
  const n = matrix.length;
  const a = matrix.map((row) => Float64Array.from(row));
  const v = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const scale = a.reduce((s, row, i) => s + Math.abs(row[i]!), 0) || 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off <= (1e-14 * scale) ** 2) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) <= 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const kp = a[k]![p]!;
          const kq = a[k]![q]!;
          a[k]![p] = c * kp - s * kq;
          a[k]![q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const pk = a[p]![k]!;
          const qk = a[q]![k]!;
          a[p]![k] = c * pk - s * qk;
          a[q]![k] = s * pk + c * qk;
        }
        for (let k = 0; k < n; k++) {
          const kp = v[k]![p]!;
          const kq = v[k]![q]!;
          v[k]![p] = c * kp - s * kq;
          v[k]![q] = s * kp + c * kq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i]![i]!), vectors: v };
}

/** `|p − B s|²` over the `visible` pixels, with `s` the ridge-regularised least-squares fit there. */
function residualOf(basis: readonly Float64Array[], frame: ArrayLike<number>, visible: readonly number[]): number {
  const k = basis.length;
  const normal = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (const q of visible) {
    const level = frame[q]!;
    for (let i = 0; i < k; i++) {
      const ui = basis[i]![q]!;
      normal[i]![k]! += ui * level;
      for (let j = 0; j <= i; j++) normal[i]![j]! += ui * basis[j]![q]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) normal[j]![i] = normal[i]![j]!;
    trace += normal[i]![i]!;
  }
  for (let i = 0; i < k; i++) normal[i]![i]! += (RIDGE * trace) / k;
  const s = solve(normal, k);
  let residual = 0;
  for (const q of visible) {
    let fitted = 0;
    for (let i = 0; i < k; i++) fitted += basis[i]![q]! * s[i]!;
    residual += (frame[q]! - fitted) ** 2;
  }
  return residual;
}

/** Solves the `k × k` system whose right-hand side is each row's last entry (Gauss–Jordan, partial pivoting; rows changed). */
function solve(rows: Float64Array[], k: number): Float64Array {
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(rows[r]![c]!) > Math.abs(rows[pivot]![c]!)) pivot = r;
    [rows[c], rows[pivot]] = [rows[pivot]!, rows[c]!];
    const head = rows[c]![c]!;
    if (head === 0) continue;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = rows[r]![c]! / head;
      if (f === 0) continue;
      for (let j = c; j <= k; j++) rows[r]![j]! -= f * rows[c]![j]!;
    }
  }
  return Float64Array.from({ length: k }, (_, i) => (rows[i]![i]! === 0 ? 0 : rows[i]![k]! / rows[i]![i]!));
}
