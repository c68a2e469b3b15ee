// One tracked face: its motion, lifecycle counters, the embeddings taken of it and the name their vote gave.
import type { Box } from '../faces/geometry.js';
import { BoxMotion } from './motion.js';

/**
 * Where a track is in its life: `tentative` until it was seen on enough frames in a row, then `confirmed`;
 * `lost` while a confirmed face is missing (it can come back); `ended` after too many missed frames.
 */
export type TrackState = 'tentative' | 'confirmed' | 'lost' | 'ended';

/** What a tracker reports about a track (a snapshot; the tracker keeps its own). */
export interface TrackInfo {
  /** 1, 2, 3... in order of confirmation; 0 while tentative. */
  readonly id: number;
  readonly state: TrackState;
  /** The box where the face was last seen. */
  readonly box: Box;
  /** Detector score of that observation. */
  readonly score: number;
  /** The name from the vote, `'unknown'`, or undefined before the first vote. */
  readonly label: string | undefined;
  /** Similarity of the vote's best match (−1..1); NaN before the first vote. */
  readonly labelScore: number;
  /** Time (seconds) of the first and of the last observation. */
  readonly firstT: number;
  readonly lastT: number;
  /** The box of the first observation. */
  readonly firstBox: Box;
  /** Frames the face was observed on. */
  readonly frames: number;
  /** Embeddings taken of it. */
  readonly embeddings: number;
}

/** How many recent embeddings a track keeps for matching appearance (its mean keeps all). */
const APPEARANCE_BUDGET = 8;

/** A track's mutable record, internal to the tracker. */
export class Track {
  id = 0;
  state: TrackState = 'tentative';
  box: Box;
  score: number;
  readonly firstBox: Box;
  readonly firstT: number;
  lastT: number;
  /** Frames observed, and consecutive observed / missed frames. */
  frames = 1;
  hits = 1;
  misses = 0;
  readonly motion: BoxMotion;
  /** Recent embeddings (appearance) and the quality-weighted sum of all of them (identity). */
  readonly recent: Float32Array[] = [];
  sum: Float32Array | undefined;
  embeddingCount = 0;
  /** Quality of the best face embedded, and the frame number (tracker's count) of the last embedding. */
  bestQuality = 0;
  lastEmbedFrame = -Infinity;
  label: string | undefined;
  labelScore = Number.NaN;
  /** A different name the vote gave last time, not yet confirmed by a second vote. */
  pendingLabel: string | undefined;

  constructor(box: Box, score: number, t: number) {
    this.box = box;
    this.firstBox = box;
    this.score = score;
    this.firstT = t;
    this.lastT = t;
    this.motion = new BoxMotion(box, t);
  }

  /** Adds an embedding (L2-normalised) of a face of quality `quality`, taken on frame `frame`. */
  addEmbedding(embedding: Float32Array, quality: number, frame: number): void {
    this.recent.push(embedding);
    if (this.recent.length > APPEARANCE_BUDGET) this.recent.shift();
    if (!this.sum) this.sum = new Float32Array(embedding.length);
    // Sharper, bigger faces weigh more in the identity than blurred or distant ones.
    const weight = Math.max(quality, 1e-6);
    for (let i = 0; i < embedding.length; i++) this.sum[i]! += embedding[i]! * weight;
    this.embeddingCount++;
    this.bestQuality = Math.max(this.bestQuality, quality);
    this.lastEmbedFrame = frame;
  }

  /** The L2-normalised weighted mean of every embedding taken, or undefined when none was. */
  meanEmbedding(): Float32Array | undefined {
    if (!this.sum) return undefined;
    let s = 0;
    for (const v of this.sum) s += v * v;
    const norm = Math.sqrt(s);
    return norm > 0 ? this.sum.map((v) => v / norm) : undefined;
  }

  /** Best cosine similarity of `embedding` to the recent embeddings (−1 when there are none). */
  appearance(embedding: Float32Array): number {
    let best = -1;
    for (const e of this.recent) {
      let dot = 0;
      for (let i = 0; i < e.length; i++) dot += e[i]! * embedding[i]!;
      best = Math.max(best, dot);
    }
    return best;
  }

  info(): TrackInfo {
    return {
      id: this.id, state: this.state, box: this.box, score: this.score, label: this.label, labelScore: this.labelScore,
      firstT: this.firstT, lastT: this.lastT, firstBox: this.firstBox, frames: this.frames, embeddings: this.embeddingCount,
    };
  }
}
