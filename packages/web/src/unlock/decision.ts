// The recognition half of an unlock: which face is followed, when it is embedded, and when its matches in a row are enough.
import { FaceTracker, InvalidArgumentError, UNKNOWN, iou, type Box, type DetectedFace, type Gallery } from '@facerec/core';

/**
 * Embeddings of the followed face in a row that must match the same person (the tracker embeds every other
 * frame, so about twice as many frames). Set with `bench:web`'s `unlock` over lfw-dev sequences.
 */
export const DEFAULT_MATCH_FRAMES = 3;

/**
 * How much stricter than the gallery's threshold (1% false accepts per pair of photos on lfw-dev) an unlock's
 * similarity is by default, so that a stranger gets in less than 1 time in 1,000. `bench:web`'s `unlock` (60
 * lfw-dev people, 3,540 impostor attempts): dlib at 0.91 let 2.8% of impostors in, at 0.93 0.085% (genuine 98.0%).
 */
export const UNLOCK_THRESHOLD_MARGIN = 0.02;

/** The similarity an unlock needs by default with `gallery`: its threshold plus {@link UNLOCK_THRESHOLD_MARGIN}, at most 0.99. */
export function defaultUnlockThreshold(gallery: Pick<Gallery, 'threshold'>): number {
  return Math.min(0.99, gallery.threshold + UNLOCK_THRESHOLD_MARGIN);
}

/** Options of {@link UnlockDecision}. */
export interface UnlockDecisionOptions {
  /** The enrolled people. */
  readonly gallery: Gallery;
  /** Similarity each embedding must reach. */
  readonly threshold: number;
  /** Embeddings in a row of one tracked face that must match the same person. */
  readonly matchFrames: number;
}

/** What one frame did to the decision. */
export interface UnlockStep {
  /** The face followed on this frame. */
  readonly face: DetectedFace;
  /** The followed face's track (1, 2, 3... in order of appearance). */
  readonly trackId: number;
  /** The followed face is another track than on the previous frame (another face, or one lost and found): a challenge starts again. */
  readonly newTrack: boolean;
  /** The enrolled person the track's last embedding matched, or `'unknown'`. */
  readonly label: string;
  /** Similarity of this frame's embedding (NaN on frames without one). */
  readonly score: number;
  /** Embeddings of this track in a row that matched `label`. */
  readonly matches: number;
  /** The track has matched one enrolled person on `matchFrames` embeddings in a row. */
  readonly recognized: boolean;
}

/**
 * Follows one face over an unlock attempt's frames (the one overlapping the face followed so far, else the
 * biggest), embeds it every other frame with core's {@link FaceTracker}, and counts the embeddings in a row
 * that match the same enrolled person; a new track starts the count again. Liveness is not its job.
 */
export class UnlockDecision {
  private readonly tracker: FaceTracker;
  private trackId = 0;
  private label: string = UNKNOWN;
  private matches = 0;
  private box: Box | undefined;
  /** The longest run of matches so far, over every track (why an attempt that timed out was refused). */
  bestMatches = 0;

  /** @throws InvalidArgumentError for a bad threshold or matchFrames. */
  constructor(readonly options: UnlockDecisionOptions) {
    const { threshold, matchFrames } = options;
    if (!(threshold > -1 && threshold < 1)) throw new InvalidArgumentError('threshold', `must be a cosine similarity in (-1, 1), got ${String(threshold)}`);
    if (!(Number.isInteger(matchFrames) && matchFrames >= 1)) throw new InvalidArgumentError('matchFrames', `must be a positive integer, got ${String(matchFrames)}`);
    // Each embedding is matched on its own, so a run of matches is a run of frames; reembedEvery 2 spaces them.
    this.tracker = new FaceTracker({ minHits: 1, reembedEvery: 2, maxMissed: 5, sameThreshold: threshold });
  }

  /**
   * Adds one frame's faces (time `t` in seconds, increasing); `embed` is called for the followed face when
   * the tracker wants its embedding. Resolves undefined for a frame with no face.
   */
  async step(t: number, faces: readonly DetectedFace[], embed: (face: DetectedFace) => Promise<Float32Array>): Promise<UnlockStep | undefined> {
    if (faces.length === 0) return undefined;
    const { gallery, threshold, matchFrames } = this.options;
    const face = faces[follow(faces, this.box)]!;
    let embedding: Float32Array | undefined;
    const step = await this.tracker.update({ t, detections: [face], embed: async () => [(embedding = await embed(face))] });
    const trackId = step.detectionTracks[0] ?? 0;
    const newTrack = trackId !== this.trackId;
    if (newTrack) [this.trackId, this.label, this.matches] = [trackId, UNKNOWN, 0];
    this.box = face.box;
    let score = Number.NaN;
    if (embedding) {
      const [who] = await gallery.match([embedding], { topK: 1, threshold });
      score = who!.score;
      this.matches = who!.unknown ? 0 : who!.label === this.label ? this.matches + 1 : 1;
      this.label = who!.label;
      this.bestMatches = Math.max(this.bestMatches, this.matches);
    }
    const recognized = this.matches >= matchFrames && this.label !== UNKNOWN;
    return { face, trackId, newTrack, label: this.label, score, matches: this.matches, recognized };
  }
}

/** Index of the face overlapping `box` most (when it overlaps at all), else of the biggest face. */
function follow(faces: readonly DetectedFace[], box: Box | undefined): number {
  let best = -1;
  let most = 0.1;
  if (box) faces.forEach((f, i) => {
    const o = iou(f.box, box);
    if (o > most) [best, most] = [i, o];
  });
  return best >= 0 ? best : biggest(faces);
}

/** Index of the biggest face (-1 for none). */
export function biggest(faces: readonly DetectedFace[]): number {
  let best = -1;
  faces.forEach((f, i) => {
    if (best < 0 || f.box.width > faces[best]!.box.width) best = i;
  });
  return best;
}
