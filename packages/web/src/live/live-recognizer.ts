// LiveRecognizer: every face of every frame found, followed by core's FaceTracker, embedded only when its track needs it and named by the gallery's vote.
import {
  FaceTracker,
  InvalidArgumentError,
  UNKNOWN,
  WindowPlanner,
  type DetectedFace,
  type FacePipeline,
  type FaceTrackerOptions,
  type Gallery,
  type RecognizedFace,
  type TrackInfo,
  type TrackMatch,
} from '@facerec/core';
import { fiveFromBlazeFace } from '@facerec/core/internal';
import type { BrowserImageSource } from '../input/index.js';
import { FrameGrabber, type GrabbedFrame } from './frame-grabber.js';

/** Default {@link LiveRecognizerOptions.detectionSize}. */
const DEFAULT_LIVE_DETECTION_SIZE = 320;

/** A face on a live frame: who it is (the vote of its track) and where, plus the track that follows it. */
export interface LiveFace extends RecognizedFace {
  /** The track's id: the same face keeps it from frame to frame (1, 2, 3... in order of appearance). */
  readonly trackId: number;
  /** False until the track's first vote (then `label` is `'unknown'` and `candidates` empty). */
  readonly named: boolean;
  /** Embeddings the track's vote is over. */
  readonly embeddings: number;
}

/** What one frame gave. */
export interface LiveFrame {
  /** The faces on the frame that belong to a confirmed track, in the detector's order. */
  readonly faces: LiveFace[];
  /** Tracks confirmed, (re)named and ended on this frame. */
  readonly started: readonly TrackInfo[];
  readonly named: readonly TrackInfo[];
  readonly ended: readonly TrackInfo[];
  /** Faces embedded on this frame (0 on most frames). */
  readonly embedded: number;
  /** The frame's size in pixels. */
  readonly width: number;
  readonly height: number;
}

/** The live loop's tuning: plain data, so a worker session takes the same options (`createRecognitionWorker`). */
export interface LiveTuning {
  /** Similarity at or above which a track is named; default the gallery's threshold. */
  readonly threshold?: number;
  /**
   * Longest side of the copy the detector runs on (frames are shrunk to it). Default 320: the detector sees
   * 128-pixel windows, and on a 640×480 frame the smallest it scans (5 × 60-pixel faces) is 150 pixels of a
   * 320 copy, still above the network's own size; a bigger copy costs more to make and read, for nothing.
   */
  readonly detectionSize?: number;
  /** Smallest face to find, in frame pixels. Default 60. */
  readonly minFaceSize?: number;
  /** Frames over which the whole frame is scanned for new faces (a slice each frame; tracked faces are looked for every frame). Default 4. */
  readonly scanFrames?: number;
  /** Least detector score of a face (0..1). Default 0.6. */
  readonly scoreThreshold?: number;
  /** Tracker tuning (`minHits`, `reembedEvery`...); `sameThreshold` defaults to the gallery's threshold. */
  readonly tracker?: Omit<FaceTrackerOptions, 'match' | 'frameSize'>;
}

/** Options of {@link LiveRecognizer}. */
export interface LiveRecognizerOptions extends LiveTuning {
  /** Detects and embeds faces: the gallery's embedder. */
  readonly pipeline: FacePipeline;
  /** Who the faces are. */
  readonly gallery: Gallery;
}

/**
 * Recognises the faces of a video frame by frame. Each face is a track (core's {@link FaceTracker}): it is
 * embedded when it appears, again when its face gets clearly better (bigger, sharper detection) or every
 * `tracker.reembedEvery` frames, never on every frame; its name is the gallery's match of the mean of its
 * embeddings, changed only when two votes agree. The detector looks around every tracked face on every frame
 * and scans a slice of the frame for new ones ({@link WindowPlanner}). Call {@link LiveRecognizer.process} with
 * each frame (a `<video>`, a canvas, an `ImageBitmap`...), in time order.
 */
export class LiveRecognizer {
  private readonly grabber: FrameGrabber;
  private readonly minFaceSize: number;
  private readonly scanFrames: number;
  private readonly scoreThreshold: number;
  private tracker: FaceTracker | undefined;
  private planner: WindowPlanner | undefined;
  private size = { width: 0, height: 0 };

  /** @throws InvalidArgumentError for a bad option, or a gallery of another embedder than the pipeline's. */
  constructor(readonly options: LiveRecognizerOptions) {
    if (!options?.pipeline || !options.gallery) throw new InvalidArgumentError('options', 'need a pipeline and a gallery');
    const { pipeline, gallery } = options;
    if (pipeline.embedder.spec.name !== gallery.embedderName) {
      throw new InvalidArgumentError('gallery', `holds ${gallery.embedderName} embeddings but the pipeline makes ${pipeline.embedder.spec.name}`);
    }
    this.grabber = new FrameGrabber(options.detectionSize ?? DEFAULT_LIVE_DETECTION_SIZE);
    this.minFaceSize = options.minFaceSize ?? 60;
    this.scanFrames = options.scanFrames ?? 4;
    this.scoreThreshold = options.scoreThreshold ?? 0.6;
    if (!(Number.isFinite(this.minFaceSize) && this.minFaceSize > 0)) throw new InvalidArgumentError('minFaceSize', `must be a positive number of pixels, got ${String(this.minFaceSize)}`);
    if (!(this.scoreThreshold >= 0 && this.scoreThreshold <= 1)) throw new InvalidArgumentError('scoreThreshold', `must be in [0, 1], got ${String(this.scoreThreshold)}`);
    if (options.threshold !== undefined && !(options.threshold >= -1 && options.threshold <= 1)) {
      throw new InvalidArgumentError('threshold', `must be a cosine similarity in [-1, 1], got ${String(options.threshold)}`);
    }
    // Checks the tracker options now, not on the first frame.
    new FaceTracker(this.trackerOptions({ width: 1, height: 1 }));
  }

  /** Confirmed tracks now (seen on the last frame, or lost for a moment). */
  tracks(): TrackInfo[] {
    return this.tracker?.active() ?? [];
  }

  /** Forgets every track (a new video, a cut); returns the tracks that ended. */
  reset(): TrackInfo[] {
    const ended = this.tracker?.finish() ?? [];
    this.tracker = undefined;
    this.planner = undefined;
    this.size = { width: 0, height: 0 };
    return ended;
  }

  /**
   * Finds, follows and names the faces of one frame. `t` is the frame's time in seconds (default now); it
   * must not go back. All tensors are freed before this returns.
   * @throws InvalidImageError for a source with no frame yet.
   */
  async process(source: BrowserImageSource, t = performance.now() / 1000): Promise<LiveFrame> {
    const frame = this.grabber.grab(source, 'frame');
    try {
      if (frame.width !== this.size.width || frame.height !== this.size.height) this.start(frame);
      const tracker = this.tracker!;
      const detected = await this.detect(frame, tracker.expected(t));
      const step = await tracker.update({ t, detections: detected, embed: (indices) => this.embed(frame, indices.map((j) => detected[j]!)) });
      const byId = new Map(step.tracks.map((track) => [track.id, track]));
      const faces: LiveFace[] = [];
      step.detectionTracks.forEach((id, j) => {
        const track = id > 0 ? byId.get(id) : undefined;
        if (track) faces.push(liveFace(track, detected[j]!));
      });
      return { faces, started: step.started, named: step.named, ended: step.ended, embedded: step.embedded, width: frame.width, height: frame.height };
    } finally {
      frame.dispose();
    }
  }

  private trackerOptions(frameSize: { width: number; height: number }): FaceTrackerOptions {
    const { gallery, threshold } = this.options;
    const match = async (embeddings: readonly Float32Array[]): Promise<TrackMatch[]> => {
      const results = await gallery.match(embeddings, threshold === undefined ? { topK: 1 } : { topK: 1, threshold });
      return results.map((r) => ({ label: r.label, score: r.score }));
    };
    return { sameThreshold: threshold ?? gallery.threshold, ...this.options.tracker, frameSize, match };
  }

  /** A new video (or a new frame size): new tracks, new detection windows. */
  private start(frame: GrabbedFrame): void {
    this.tracker?.finish();
    this.size = { width: frame.width, height: frame.height };
    this.tracker = new FaceTracker(this.trackerOptions(this.size));
    const { width: w, height: h } = frame.detectionPixels;
    // BlazeFace sees faces down to a fifth of its 128-pixel window: smaller ones in the copy cannot be found anyway.
    const minInCopy = Math.max(this.minFaceSize * frame.scaleX, 128 / 5);
    this.planner = new WindowPlanner(w, h, { minFaceSize: minInCopy, scanFrames: this.scanFrames });
  }

  /** Faces in the windows around the expected ones and this frame's scan slice, in frame pixels. */
  private async detect(frame: GrabbedFrame, expected: ReadonlyArray<{ readonly box: DetectedFace['box']; readonly missed: number }>): Promise<DetectedFace[]> {
    const { scaleX: sx, scaleY: sy } = frame;
    const windows = this.planner!.windows(expected.map((e) => ({ box: { x: e.box.x * sx, y: e.box.y * sy, width: e.box.width * sx, height: e.box.height * sy }, missed: e.missed })));
    const found = await this.options.pipeline.detector.detectInWindows(frame.detectionPixels, windows, { scoreThreshold: this.scoreThreshold });
    return found
      .filter((d) => d.box.width / sx >= this.minFaceSize * 0.8)
      .map((d) => ({
        box: { x: d.box.x / sx, y: d.box.y / sy, width: d.box.width / sx, height: d.box.height / sy },
        score: d.score,
        landmarks: fiveFromBlazeFace(d.keypoints.map((p) => ({ x: p.x / sx, y: p.y / sy }))),
      }));
  }

  private async embed(frame: GrabbedFrame, faces: readonly DetectedFace[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const embedded = await this.options.pipeline.embedDetected(frame.full(), faces, { detectionSize: Infinity });
    return embedded.map((f) => f.embedding);
  }
}

/** A track's vote as a {@link RecognizedFace} on the detection that continued it. */
function liveFace(track: TrackInfo, face: DetectedFace): LiveFace {
  const named = track.label !== undefined;
  const known = named && track.label !== UNKNOWN;
  return {
    trackId: track.id,
    named,
    embeddings: track.embeddings,
    label: known ? track.label! : UNKNOWN,
    score: Number.isNaN(track.labelScore) ? -1 : track.labelScore,
    unknown: !known,
    candidates: known ? [{ label: track.label!, score: track.labelScore }] : [],
    box: face.box,
    landmarks: face.landmarks,
    detectionScore: face.score,
  };
}
