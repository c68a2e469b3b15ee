// FaceTracker: SORT/DeepSORT-style association of face detections across frames, track lifecycle, and naming by a vote over each track's embeddings.
import { InvalidArgumentError } from '../errors/index.js';
import { iou, type Box } from '../faces/geometry.js';
import { UNKNOWN } from '../recognizer/result.js';
import { assignMinCost, FORBIDDEN } from './assignment.js';
import { Track, type TrackInfo } from './track.js';

/** A face found on a frame: its box (pixels) and detector score (0..1). */
export interface TrackerDetection {
  readonly box: Box;
  readonly score: number;
}

/** Who an embedding is: a label (or `'unknown'`) and its similarity. A gallery's recognition result fits. */
export interface TrackMatch {
  readonly label: string;
  readonly score: number;
}

/** Options of {@link FaceTracker}. */
export interface FaceTrackerOptions {
  /** Observations before a new track is confirmed (reported). Default 3. */
  readonly minHits?: number;
  /** Frames a confirmed track may go unseen (occlusion, a missed detection) before it ends. Default 15. */
  readonly maxMissed?: number;
  /**
   * Seconds a confirmed track may go unseen before it ends, whatever the frame rate (the first of this and
   * `maxMissed` ends it). Default 1.5.
   */
  readonly maxLostSeconds?: number;
  /** Least overlap (IoU) of a detection with a track's predicted box to continue it. Default 0.2. */
  readonly iouThreshold?: number;
  /**
   * Cosine similarity at or above which two embeddings are the same person (the embedder's threshold,
   * e.g. `gallery.threshold`). With it, appearance settles crossing faces and brings back lost tracks;
   * without it, tracks follow motion alone. Default none.
   */
  readonly sameThreshold?: number;
  /** A track is embedded again after this many frames without one (more votes for its name). Default 50. */
  readonly reembedEvery?: number;
  /** A track is embedded again when its face quality (box side × detector score) reaches this many times its best so far. Default 1.25. */
  readonly qualityGain?: number;
  /** At most this many faces embedded per frame; the rest wait for the next frames. Default 4. */
  readonly maxEmbedsPerFrame?: number;
  /**
   * The frame's size: a lost track whose face is expected outside it has left and ends at once (a person who
   * walks out and back in is two appearances, not one track waiting `maxMissed` frames). Default unknown.
   */
  readonly frameSize?: { readonly width: number; readonly height: number };
  /**
   * Names tracks: called with the mean embeddings of the tracks that got a new embedding, returns one match
   * each (for instance a gallery's). Without it tracks keep no label.
   */
  readonly match?: (embeddings: readonly Float32Array[]) => Promise<readonly TrackMatch[]>;
}

/** One frame for {@link FaceTracker.update}. */
export interface TrackerFrame {
  /** Time of the frame, in seconds (increasing). */
  readonly t: number;
  readonly detections: readonly TrackerDetection[];
  /**
   * Embeds the detections at these indices (L2-normalised embeddings, same order). Called at most once per
   * frame, only for the faces the tracker needs; without it tracks are neither compared nor named by face.
   */
  readonly embed?: (indices: readonly number[]) => Promise<readonly Float32Array[]>;
}

/** What changed on a frame. Track infos are snapshots taken after the frame. */
export interface TrackerStep {
  /** Confirmed tracks, seen this frame or lost for now. */
  readonly tracks: readonly TrackInfo[];
  /** Tracks confirmed on this frame (their first observation may be a few frames back). */
  readonly started: readonly TrackInfo[];
  /** Tracks whose label was set or changed on this frame (the face is on this frame). */
  readonly named: readonly TrackInfo[];
  /** Tracks that ended on this frame. */
  readonly ended: readonly TrackInfo[];
  /** For each detection, the id of the confirmed track it continues, or 0 (tentative or unexplained). */
  readonly detectionTracks: readonly number[];
  /** Faces embedded on this frame. */
  readonly embedded: number;
}

interface ResolvedOptions {
  readonly minHits: number;
  readonly maxMissed: number;
  readonly maxLostSeconds: number;
  readonly iouThreshold: number;
  readonly sameThreshold: number | undefined;
  readonly reembedEvery: number;
  readonly qualityGain: number;
  readonly maxEmbedsPerFrame: number;
  readonly frameSize: { readonly width: number; readonly height: number } | undefined;
}

/** Frames between two embeddings of one track for a quality gain (a face growing frame by frame is not embedded on each). */
const MIN_EMBED_GAP = 5;
/** Face widths a lost track's face may have moved per missed frame and be recognised by appearance alone (after one width). */
const REID_REACH = 1;
/**
 * Appearance agreement (0 at the threshold, −1 a threshold's distance below it) under which a lost track is not
 * taken up by a face that overlaps where it was heading: half-way down, well under the same-person range of a
 * face seen again, well above the range of two different people.
 */
const LOST_VETO = -0.5;
const REID_REACH_PER_MISS = 0.5;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= 1)) throw new InvalidArgumentError(name, `must be a positive integer, got ${String(v)}`);
  return v;
}

function resolve(options: FaceTrackerOptions): ResolvedOptions {
  const iouThreshold = options.iouThreshold ?? 0.2;
  if (!(iouThreshold > 0 && iouThreshold < 1)) throw new InvalidArgumentError('iouThreshold', `must be in (0, 1), got ${String(iouThreshold)}`);
  const same = options.sameThreshold;
  if (same !== undefined && !(same > -1 && same < 1)) throw new InvalidArgumentError('sameThreshold', `must be a cosine similarity in (-1, 1), got ${String(same)}`);
  const maxLostSeconds = options.maxLostSeconds ?? 1.5;
  if (!(maxLostSeconds > 0)) throw new InvalidArgumentError('maxLostSeconds', `must be a positive number of seconds, got ${String(maxLostSeconds)}`);
  const qualityGain = options.qualityGain ?? 1.25;
  if (!(qualityGain > 1)) throw new InvalidArgumentError('qualityGain', `must be a number above 1, got ${String(qualityGain)}`);
  return {
    minHits: positiveInteger('minHits', options.minHits, 3),
    maxMissed: positiveInteger('maxMissed', options.maxMissed, 15),
    maxLostSeconds,
    iouThreshold,
    sameThreshold: same,
    reembedEvery: positiveInteger('reembedEvery', options.reembedEvery, 50),
    qualityGain,
    maxEmbedsPerFrame: positiveInteger('maxEmbedsPerFrame', options.maxEmbedsPerFrame, 4),
    frameSize: options.frameSize,
  };
}

/** Face quality for choosing which observation to embed: box side times detector score. */
function quality(d: TrackerDetection): number {
  return Math.sqrt(Math.max(0, d.box.width * d.box.height)) * d.score;
}

function centreDistance(a: Box, b: Box): number {
  return Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2));
}

/**
 * Follows faces from frame to frame, SORT/DeepSORT style: each track's box is predicted with constant
 * velocity and paired with a detection by overlap (Hungarian assignment), with face embeddings joining the
 * cost where two tracks or two faces compete and bringing back a lost track when its face reappears nearby.
 * A track is embedded when it is confirmed, when its face is clearly better than any embedded before, and
 * every `reembedEvery` frames; its name is the match of the mean of its embeddings, changed only when two
 * votes in a row agree on another one. Platform-free: plain numbers, embeddings from a callback.
 */
export class FaceTracker {
  private readonly options: ResolvedOptions;
  private readonly match: FaceTrackerOptions['match'];
  private tracks: Track[] = [];
  private nextId = 1;
  private frame = 0;
  private lastT = -Infinity;

  constructor(options: FaceTrackerOptions = {}) {
    this.options = resolve(options);
    this.match = options.match;
  }

  /**
   * Where each track's face is expected at time `t` (where a detector should look), and for how many frames
   * it has been missing (the longer, the less sure the place).
   */
  expected(t: number): Array<{ readonly box: Box; readonly missed: number }> {
    return this.tracks.map((track) => ({ box: track.motion.predict(t), missed: track.misses }));
  }

  /**
   * Confirmed tracks seen on the last frame given to `update`, with the box each face is expected at at time
   * `t`: what to draw on a frame the detector skipped.
   */
  predicted(t: number): Array<{ readonly track: TrackInfo; readonly box: Box }> {
    return this.tracks.filter((track) => track.id > 0 && track.misses === 0).map((track) => ({ track: track.info(), box: track.motion.predict(t) }));
  }

  /** Live tracks: confirmed and lost ones (not tentative). */
  active(): TrackInfo[] {
    return this.tracks.filter((track) => track.id > 0).map((track) => track.info());
  }

  /** Associates one frame's detections with the tracks, embeds what needs it, names and ends tracks. */
  async update(frame: TrackerFrame): Promise<TrackerStep> {
    const { t, detections } = frame;
    if (!(Number.isFinite(t) && t >= this.lastT)) throw new InvalidArgumentError('t', `must be a finite time not before the previous frame's (${this.lastT}), got ${String(t)}`);
    this.lastT = t;
    this.frame++;
    const predicted = this.tracks.map((track) => track.motion.predict(t));
    const overlap = this.tracks.map((_, i) => detections.map((d) => iou(predicted[i]!, d.box)));

    // A first pairing by overlap alone tells which faces need an embedding before the final one.
    const gated = (i: number, j: number) => overlap[i]![j]! >= this.options.iouThreshold;
    const first = assignMinCost(overlap.map((row, i) => row.map((o, j) => (gated(i, j) ? 1 - o : FORBIDDEN))));
    const wanted = this.plan(detections, predicted, first, gated);
    const embeddings = new Map<number, Float32Array>();
    if (wanted.length > 0 && frame.embed) {
      const got = await frame.embed(wanted);
      if (got.length !== wanted.length) throw new InvalidArgumentError('embed', `returned ${got.length} embeddings for ${wanted.length} faces`);
      wanted.forEach((j, k) => embeddings.set(j, got[k]!));
    }

    const pairs = this.associate(detections, predicted, overlap, gated, embeddings);
    const started: Track[] = [];
    const ended: Track[] = [];
    const embeddedTracks: Track[] = [];
    const matchedDetection = new Array<Track | undefined>(detections.length);
    this.tracks.forEach((track, i) => {
      const j = pairs[i]!;
      if (j < 0) return;
      const d = detections[j]!;
      matchedDetection[j] = track;
      track.motion.update(d.box, t);
      track.box = d.box;
      track.score = d.score;
      track.lastT = t;
      track.frames++;
      track.hits++;
      track.misses = 0;
      if (track.state === 'lost') track.state = 'confirmed';
      const e = embeddings.get(j);
      if (e) {
        track.addEmbedding(e, quality(d), this.frame);
        embeddedTracks.push(track);
      }
    });
    // Tracks nobody continued: a tentative one is dropped on its second miss, a confirmed one is lost, then ended.
    const kept: Track[] = [];
    this.tracks.forEach((track, i) => {
      if (pairs[i]! < 0) {
        track.misses++;
        track.hits = 0;
        if (track.state === 'tentative') {
          if (track.misses >= 2) return;
        } else if (track.misses > this.options.maxMissed || t - track.lastT > this.options.maxLostSeconds || this.leftFrame(predicted[i]!)) {
          track.state = 'ended';
          ended.push(track);
          return;
        } else {
          track.state = 'lost';
        }
      }
      kept.push(track);
    });
    detections.forEach((d, j) => {
      if (matchedDetection[j]) return;
      const track = new Track(d.box, d.score, t);
      const e = embeddings.get(j);
      if (e) {
        track.addEmbedding(e, quality(d), this.frame);
        embeddedTracks.push(track);
      }
      kept.push(track);
      matchedDetection[j] = track;
    });
    this.tracks = kept;
    for (const track of kept) {
      if (track.state === 'tentative' && track.hits >= this.options.minHits) {
        track.state = 'confirmed';
        track.id = this.nextId++;
        started.push(track);
      }
    }
    // Named: confirmed tracks with a new embedding, and tracks confirmed now whose embedding came earlier
    // (taken while tentative, to compare it with a lost track).
    const embeddedNow = new Set(embeddedTracks);
    const named = await this.name(kept.filter((track) => track.id > 0 && (embeddedNow.has(track) || (track.label === undefined && track.embeddingCount > 0))));
    return {
      tracks: this.active(),
      started: started.map((track) => track.info()),
      named: named.map((track) => track.info()),
      ended: ended.map((track) => track.info()),
      detectionTracks: matchedDetection.map((track) => track?.id ?? 0),
      embedded: embeddings.size,
    };
  }

  /** Ends every live track (the video is over); tentative tracks are dropped unreported. */
  finish(): TrackInfo[] {
    const ended = this.tracks.filter((track) => track.id > 0);
    this.tracks = [];
    for (const track of ended) track.state = 'ended';
    return ended.map((track) => track.info());
  }

  /** Detections to embed this frame, most needed first, at most maxEmbedsPerFrame. */
  private plan(detections: readonly TrackerDetection[], predicted: readonly Box[], first: readonly number[], gated: (i: number, j: number) => boolean): number[] {
    const { sameThreshold, minHits, reembedEvery, qualityGain, maxEmbedsPerFrame } = this.options;
    const urgent: number[] = [];
    const due: Array<{ j: number; rank: number }> = [];
    const hasAppearance = (i: number) => sameThreshold !== undefined && this.tracks[i]!.recent.length > 0;
    if (sameThreshold !== undefined) {
      // Competing pairs: a face overlapping two tracks, or a track overlapping two faces, where a track has a face to compare.
      for (let j = 0; j < detections.length; j++) {
        const rivals = this.tracks.map((_, i) => i).filter((i) => gated(i, j));
        const contested = rivals.length > 1 || rivals.some((i) => detections.some((_, k) => k !== j && gated(i, k)));
        // A lost track picked up again by overlap is checked too: someone else may stand where it was heading.
        const resumed = rivals.some((i) => this.tracks[i]!.misses > 0 && this.tracks[i]!.id > 0);
        if ((contested || resumed) && rivals.some(hasAppearance)) urgent.push(j);
      }
      // A face that continues no track, near where a lost track's face was heading: maybe that face again (the
      // first pairing may have given the lost track another face that overlaps its prediction).
      const paired = new Set(first.filter((j) => j >= 0));
      for (let j = 0; j < detections.length; j++) {
        if (paired.has(j) || urgent.includes(j)) continue;
        const near = this.tracks.some((track, i) => (first[i]! < 0 || track.misses > 0) && track.id > 0 && hasAppearance(i) && this.withinReach(track, predicted[i]!, detections[j]!.box));
        if (near) urgent.push(j);
      }
    }
    first.forEach((j, i) => {
      if (j < 0 || urgent.includes(j)) return;
      const track = this.tracks[i]!;
      const d = detections[j]!;
      const confirmedNow = track.id > 0 || track.hits + 1 >= minHits;
      if (!confirmedNow) return;
      const since = this.frame - track.lastEmbedFrame;
      if (track.embeddingCount === 0) due.push({ j, rank: 0 });
      else if (since >= MIN_EMBED_GAP && quality(d) >= track.bestQuality * qualityGain) due.push({ j, rank: 1 });
      else if (since >= reembedEvery) due.push({ j, rank: 2 + 1 / since });
    });
    // A face that starts a track and is confirmed at once (minHits 1) is named on its first frame.
    if (minHits <= 1) {
      const paired = new Set(first.filter((j) => j >= 0));
      detections.forEach((_, j) => {
        if (!paired.has(j) && !urgent.includes(j)) due.push({ j, rank: 0 });
      });
    }
    due.sort((a, b) => a.rank - b.rank);
    return [...urgent, ...due.map((d) => d.j)].slice(0, maxEmbedsPerFrame);
  }

  /** Whether a box's centre is outside the frame (when its size is known). */
  private leftFrame(box: Box): boolean {
    const size = this.options.frameSize;
    if (!size) return false;
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    return cx < 0 || cy < 0 || cx > size.width || cy > size.height;
  }

  /** Whether a face at `box` is close enough to a lost track's predicted box to be it, by appearance. */
  private withinReach(track: Track, predicted: Box, box: Box): boolean {
    const side = Math.max(predicted.width, predicted.height);
    const reach = side * (REID_REACH + REID_REACH_PER_MISS * track.misses);
    return centreDistance(predicted, box) <= reach && box.width < predicted.width * 2 && box.width > predicted.width / 2;
  }

  /**
   * The final pairing: overlap, with appearance joining the cost where both sides have a face to compare;
   * then faces left over are given to lost tracks they look like and are near.
   */
  private associate(
    detections: readonly TrackerDetection[],
    predicted: readonly Box[],
    overlap: readonly (readonly number[])[],
    gated: (i: number, j: number) => boolean,
    embeddings: ReadonlyMap<number, Float32Array>,
  ): number[] {
    const same = this.options.sameThreshold;
    /** Appearance agreement: 1 for a sure match, 0 at the threshold, −1 (or less) for clearly someone else. */
    const agreement = (i: number, j: number): number | undefined => {
      const e = embeddings.get(j);
      const track = this.tracks[i]!;
      if (same === undefined || !e || track.recent.length === 0) return undefined;
      return (track.appearance(e) - same) / (1 - same);
    };
    const pairs = assignMinCost(
      overlap.map((row, i) =>
        row.map((o, j) => {
          if (!gated(i, j)) return FORBIDDEN;
          const a = agreement(i, j);
          if (a === undefined) return 1 - o;
          // A lost track is not taken up by a face that looks like someone else (its own face is hidden).
          if (this.tracks[i]!.misses > 0 && a < LOST_VETO) return FORBIDDEN;
          return 0.5 * (1 - o) + 0.5 * ((1 - Math.max(-1, Math.min(1, a))) / 2);
        }),
      ),
    );
    if (same === undefined) return pairs;
    const used = new Set(pairs.filter((j) => j >= 0));
    const lost = this.tracks.map((_, i) => i).filter((i) => pairs[i]! < 0 && this.tracks[i]!.id > 0 && this.tracks[i]!.recent.length > 0);
    const free = [...embeddings.keys()].filter((j) => !used.has(j));
    if (lost.length === 0 || free.length === 0) return pairs;
    const reid = assignMinCost(
      lost.map((i) =>
        free.map((j) => {
          const track = this.tracks[i]!;
          const similarity = track.appearance(embeddings.get(j)!);
          return similarity >= same && this.withinReach(track, predicted[i]!, detections[j]!.box) ? 1 - similarity : FORBIDDEN;
        }),
      ),
    );
    reid.forEach((k, r) => {
      if (k >= 0) pairs[lost[r]!] = free[k]!;
    });
    return pairs;
  }

  /** Votes on the tracks that got a new embedding: their mean embeddings matched in one call. */
  private async name(tracks: readonly Track[]): Promise<Track[]> {
    if (!this.match || tracks.length === 0) return [];
    const means = tracks.map((track) => track.meanEmbedding()!);
    const matches = await this.match(means);
    const named: Track[] = [];
    tracks.forEach((track, k) => {
      const m = matches[k];
      if (!m) return;
      if (track.label === undefined || (track.label === m.label) || track.pendingLabel === m.label || track.label === UNKNOWN) {
        const changed = track.label !== m.label;
        track.label = m.label;
        track.labelScore = m.score;
        track.pendingLabel = undefined;
        if (changed) named.push(track);
      } else {
        // Another name (or unknown) once: wait for a second vote before changing a name already given.
        track.pendingLabel = m.label;
      }
    });
    return named;
  }
}
