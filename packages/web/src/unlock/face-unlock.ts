// FaceUnlock: guided enrolment with quality checks, then unlock when one tracked face matches over several frames and answers a liveness challenge.
import { AbortError, InvalidArgumentError, type DetectedFace, type FacePipeline, type Gallery } from '@facerec/core';
import { fiveFromBlazeFace } from '@facerec/core/internal';
import type { BrowserImageSource } from '../input/index.js';
import { FrameGrabber, type GrabbedFrame } from '../live/frame-grabber.js';
import type { FaceMesh, FacePose } from './face-mesh.js';
import { biggest, defaultUnlockThreshold, DEFAULT_MATCH_FRAMES, UnlockDecision } from './decision.js';
import { ChallengeWatcher, type LivenessChallenge, type LivenessLimits } from './liveness.js';
import { faceQuality, type FaceQuality, type QualityLimits } from './quality.js';

/** Why an unlock was refused. */
export type RefusalReason = 'no-face' | 'not-recognized' | 'liveness' | 'aborted';

/** What a page can show while face unlock runs. */
export type FaceUnlockEvent =
  | { readonly type: 'quality'; readonly quality: FaceQuality | undefined; readonly accepted: number; readonly needed: number }
  | { readonly type: 'enrolled'; readonly label: string; readonly embeddings: number }
  | { readonly type: 'challenge'; readonly challenge: LivenessChallenge }
  | {
      readonly type: 'progress';
      readonly trackId: number;
      /** The enrolled person the face's last embedding matched, or `'unknown'`. */
      readonly label: string;
      readonly score: number;
      /** Embeddings of this track in a row that matched the same person, and how many are needed. */
      readonly matches: number;
      readonly needed: number;
      readonly live: boolean;
      readonly pose: FacePose;
    }
  | { readonly type: 'unlocked'; readonly label: string; readonly score: number; readonly ms: number }
  | { readonly type: 'refused'; readonly reason: RefusalReason; readonly ms: number };

/** Options of {@link FaceUnlock}. */
export interface FaceUnlockOptions {
  /** Detects and embeds faces (the gallery's embedder). */
  readonly pipeline: FacePipeline;
  /** The enrolled people (an `IndexedDbGalleryStore` keeps them across visits). */
  readonly gallery: Gallery;
  /** The face mesh the pose is read from (`FaceMesh.load`). */
  readonly mesh: FaceMesh;
  /** Similarity a face's embedding must reach; default the gallery's threshold plus `UNLOCK_THRESHOLD_MARGIN` (0.93 for dlib). */
  readonly threshold?: number;
  /** Embeddings of the same tracked face in a row that must match the same person. Default `DEFAULT_MATCH_FRAMES` (3). */
  readonly matchFrames?: number;
  /** An unlock attempt gives up after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** The challenges one is drawn from for each attempt. Default all three. */
  readonly challenges?: readonly LivenessChallenge[];
  /** Draws the challenge (0 ≤ x < 1). Default Math.random. */
  readonly random?: () => number;
  /** Liveness thresholds. */
  readonly liveness?: LivenessLimits;
  /** Enrolment quality limits; `minFaceSize` is also the smallest face looked for. */
  readonly quality?: QualityLimits;
}

/** How an attempt ended. */
export interface UnlockResult {
  readonly unlocked: boolean;
  /** Who unlocked (when `unlocked`). */
  readonly label?: string;
  /** Why not (when refused). */
  readonly reason?: RefusalReason;
  readonly challenge: LivenessChallenge;
  readonly ms: number;
}

/** Options of one {@link FaceUnlock.unlock} or {@link FaceUnlock.enroll} call. */
export interface FaceUnlockRunOptions {
  readonly signal?: AbortSignal;
  /** Overrides the instance's time limit. */
  readonly timeoutMs?: number;
}

/** The next frame of a video (once it has a new one) or an animation frame for other sources. */
function nextFrame(source: BrowserImageSource): Promise<void> {
  const video = source as Partial<HTMLVideoElement> & { requestVideoFrameCallback?: (cb: () => void) => number };
  if (typeof video.requestVideoFrameCallback === 'function' && !video.paused) return new Promise((resolve) => video.requestVideoFrameCallback!(() => resolve()));
  if (typeof requestAnimationFrame === 'function') return new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Face unlock for a page: `enroll` takes a few good frames of one person (size, brightness, sharpness and a
 * near-frontal pose checked on each, with `quality` events to guide them); `unlock` watches the camera until
 * one tracked face has matched the same enrolled person on `matchFrames` embeddings in a row and answered a
 * random liveness challenge (blink, turn left, turn right) read from the face mesh, or the time is up. What it
 * stops and what it does not: see the README (a photo moved about is refused; a video replay that answers the
 * challenge is not).
 */
export class FaceUnlock {
  private readonly listeners = new Set<(event: FaceUnlockEvent) => void>();
  private readonly grabber = new FrameGrabber(640);
  private readonly matchFrames: number;
  private readonly minFaceSize: number;

  /** @throws InvalidArgumentError for a missing part or a bad option. */
  constructor(readonly options: FaceUnlockOptions) {
    if (!options?.pipeline || !options.gallery || !options.mesh) throw new InvalidArgumentError('options', 'need a pipeline, a gallery and a face mesh');
    this.matchFrames = options.matchFrames ?? DEFAULT_MATCH_FRAMES;
    if (!(Number.isInteger(this.matchFrames) && this.matchFrames >= 1)) throw new InvalidArgumentError('matchFrames', `must be a positive integer, got ${String(options.matchFrames)}`);
    this.minFaceSize = options.quality?.minFaceSize ?? 80;
    if ((options.challenges ?? ['blink']).length === 0) throw new InvalidArgumentError('challenges', 'must name at least one challenge');
  }

  /** Calls `listener` with every event; returns a function that removes it. */
  on(listener: (event: FaceUnlockEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Enrols `label` from `frames` good frames of `source` (a camera's `<video>`, a canvas): the main face of
   * each frame is checked (a `quality` event each time) and embedded when good enough, every other frame at
   * most. Resolves with the embeddings added.
   * @throws AbortError when `signal` fires; InvalidArgumentError when the time runs out before enough good frames.
   */
  async enroll(label: string, source: BrowserImageSource, options: FaceUnlockRunOptions & { frames?: number } = {}): Promise<number> {
    const needed = options.frames ?? 5;
    const deadline = performance.now() + (options.timeoutMs ?? 30_000);
    const embeddings: Float32Array[] = [];
    let lastTaken = -Infinity;
    for (let n = 0; embeddings.length < needed; n++) {
      if (options.signal?.aborted) throw new AbortError('face unlock enrolment was cancelled');
      if (performance.now() > deadline) throw new InvalidArgumentError('source', `gave ${embeddings.length} of ${needed} good frames of a face in time`);
      await nextFrame(source);
      const frame = this.grabber.grab(source, 'source');
      try {
        const faces = await this.faces(frame);
        const face = faces[biggest(faces)];
        if (!face) {
          this.emit({ type: 'quality', quality: undefined, accepted: embeddings.length, needed });
          continue;
        }
        const [pose] = await this.options.mesh.poses(frame.full(), [{ box: face.box, eyes: [face.landmarks[0], face.landmarks[1]] }]);
        const quality = await faceQuality(frame.full(), face.box, pose!, this.options.quality);
        if (quality.problems.length === 0 && n - lastTaken >= 2) {
          const [embedded] = await this.options.pipeline.embedDetected(frame.full(), [face], { detectionSize: Infinity });
          embeddings.push(embedded!.embedding);
          lastTaken = n;
        }
        this.emit({ type: 'quality', quality, accepted: embeddings.length, needed });
      } finally {
        frame.dispose();
      }
    }
    await this.options.gallery.enroll(label, embeddings);
    this.emit({ type: 'enrolled', label, embeddings: embeddings.length });
    return embeddings.length;
  }

  /**
   * One unlock attempt on `source`: resolves `unlocked` once the same tracked face has matched one enrolled
   * person on `matchFrames` embeddings in a row and answered the challenge (announced by a `challenge` event);
   * refused when the time is up or `signal` fires. Never throws for a refusal.
   */
  async unlock(source: BrowserImageSource, options: FaceUnlockRunOptions = {}): Promise<UnlockResult> {
    const { gallery, pipeline, mesh } = this.options;
    const threshold = this.options.threshold ?? defaultUnlockThreshold(gallery);
    const challenges = this.options.challenges ?? (['blink', 'turn-left', 'turn-right'] as const);
    const challenge = challenges[Math.min(challenges.length - 1, Math.floor((this.options.random ?? Math.random)() * challenges.length))]!;
    const start = performance.now();
    const timeout = options.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const decision = new UnlockDecision({ gallery, threshold, matchFrames: this.matchFrames });
    let watcher = new ChallengeWatcher(challenge, this.options.liveness);
    let sawFace = false;
    this.emit({ type: 'challenge', challenge });
    const end = (result: Omit<UnlockResult, 'challenge' | 'ms'>): UnlockResult => {
      const ms = performance.now() - start;
      this.emit(result.unlocked ? { type: 'unlocked', label: result.label!, score: threshold, ms } : { type: 'refused', reason: result.reason!, ms });
      return { ...result, challenge, ms };
    };
    for (;;) {
      if (options.signal?.aborted) return end({ unlocked: false, reason: 'aborted' });
      if (performance.now() - start > timeout) return end({ unlocked: false, reason: !sawFace ? 'no-face' : decision.bestMatches >= this.matchFrames ? 'liveness' : 'not-recognized' });
      await nextFrame(source);
      const frame = this.grabber.grab(source, 'source');
      try {
        const faces = await this.faces(frame);
        const step = await decision.step((performance.now() - start) / 1000, faces, async (face) => {
          const [embedded] = await pipeline.embedDetected(frame.full(), [face], { detectionSize: Infinity });
          return embedded!.embedding;
        });
        if (!step) continue;
        sawFace = true;
        // Another face (or the same one lost and found as a new track) answers the challenge from the start.
        if (step.newTrack) watcher = new ChallengeWatcher(challenge, this.options.liveness);
        const { face, trackId, label, score, matches } = step;
        const [pose] = await mesh.poses(frame.full(), [{ box: face.box, eyes: [face.landmarks[0], face.landmarks[1]] }]);
        const live = watcher.observe(pose!);
        this.emit({ type: 'progress', trackId, label, score, matches, needed: this.matchFrames, live, pose: pose! });
        if (live && step.recognized) return end({ unlocked: true, label });
      } finally {
        frame.dispose();
      }
    }
  }

  private emit(event: FaceUnlockEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** The faces of the frame, in frame pixels. */
  private async faces(frame: GrabbedFrame): Promise<DetectedFace[]> {
    const { scaleX: sx, scaleY: sy } = frame;
    const found = await this.options.pipeline.detector.detect(frame.detection, { minFaceSize: Math.max(20, this.minFaceSize * sx * 0.8), scoreThreshold: 0.6 });
    return found.map((d) => ({
      box: { x: d.box.x / sx, y: d.box.y / sy, width: d.box.width / sx, height: d.box.height / sy },
      score: d.score,
      landmarks: fiveFromBlazeFace(d.keypoints.map((p) => ({ x: p.x / sx, y: p.y / sy }))),
    }));
  }
}
