// The watch loop: frames → faces → tracks → named tracks → events (track_start, identified, watchlist, track_end), with optional drawing of each frame.
import { FaceTracker, InvalidArgumentError, UNKNOWN, type FaceTrackerOptions, type FacePipeline, type Gallery, type TrackInfo, type TrackMatch } from '@facerec/core';
import { eventBox, roundScore, roundTime, type WatchEvent } from './events.js';
import { FrameFaces, type FrameFacesOptions } from './faces.js';
import { openVideo, type OpenVideoOptions, type VideoFrame, type VideoInfo } from './reader.js';

/** A face drawn on a frame: a confirmed track seen on it, with its name so far. */
export interface FrameTrack {
  readonly trackId: number;
  readonly box: TrackInfo['box'];
  /** The track's label, `'unknown'`, or undefined before its first vote. */
  readonly label: string | undefined;
  readonly watched: boolean;
}

/** Figures of a watch run, for progress output and the final summary. */
export interface WatchStats {
  /** Frames processed, and seconds of video they cover. */
  readonly frames: number;
  readonly t: number;
  /** Frames per second processed since the start (end to end, decoding included). */
  readonly fps: number;
  /** Confirmed tracks now, and since the start. */
  readonly activeTracks: number;
  readonly tracks: number;
  /** Tracks named so far (not unknown), and watchlist events. */
  readonly identified: number;
  readonly alerts: number;
  /** Faces embedded so far. */
  readonly embedded: number;
  /** Frames a live source dropped because processing was behind. */
  readonly dropped: number;
  /**
   * Where the time went, in milliseconds since the start: waiting for decoded frames, detecting (shrinking the
   * frame included), embedding, matching against the gallery, and the rest (tracking, events, `onFrame`).
   */
  readonly ms: { readonly decode: number; readonly detect: number; readonly embed: number; readonly match: number; readonly other: number };
}

/** Options of {@link watchVideo}. */
export interface WatchOptions {
  /** Detects and embeds faces; the gallery's embedder. */
  readonly pipeline: FacePipeline;
  /** Who faces are. */
  readonly gallery: Gallery;
  /** Labels that raise a `watchlist` event; each must be enrolled in the gallery. */
  readonly watchlist?: readonly string[];
  /** Similarity threshold for a name; default the gallery's. */
  readonly threshold?: number;
  /** How the video is read (fps, size, reconnection...) when `source` is a path or URL. */
  readonly video?: OpenVideoOptions;
  /** Detection on frames (detection size, smallest face, scan pace, score). */
  readonly detection?: FrameFacesOptions;
  /**
   * Run the detector on every n-th frame (1: every frame). On the frames between, tracks move as predicted
   * (constant velocity) and nothing is detected, embedded or reported: a face is followed 12.5 times a second
   * at 25 fps, which is plenty for people walking, at half the work. Default 2.
   */
  readonly detectEvery?: number;
  /** Tracker tuning; `sameThreshold` defaults to the gallery's threshold. */
  readonly tracker?: Omit<FaceTrackerOptions, 'match'>;
  /** Receives every event as it happens (awaited: events stay in order). */
  readonly onEvent?: (event: WatchEvent) => void | Promise<void>;
  /**
   * Saves a snapshot of a face being named and returns the file's path (put in the event), or undefined for
   * none. Called with the frame the face was embedded on.
   */
  readonly snapshot?: (frame: VideoFrame, track: TrackInfo) => Promise<string | undefined>;
  /** Called after each frame with the tracks seen on it (to draw or record the frame). */
  readonly onFrame?: (frame: VideoFrame, tracks: readonly FrameTrack[]) => void | Promise<void>;
  /** Called with the figures after each frame. */
  readonly onProgress?: (stats: WatchStats, info: VideoInfo | undefined) => void;
  /** Ends the run: the frame in hand is finished, every track ends, and watchVideo resolves. */
  readonly signal?: AbortSignal;
}

/**
 * The one place `watch` asks the gallery who faces are: the mean embeddings of tracks that got a new
 * embedding, matched in one call. (Kept apart so the gallery's result type touches nothing else.)
 */
async function matchGallery(gallery: Gallery, embeddings: readonly Float32Array[], threshold: number | undefined): Promise<TrackMatch[]> {
  const results = await gallery.match(embeddings, threshold === undefined ? { topK: 1 } : { topK: 1, threshold });
  return results.map((r) => ({ label: r.label, score: r.score }));
}

/**
 * Watches a video for faces: each face is followed as a track (one per appearance), embedded only when its
 * track needs it, named by a vote over its embeddings, and reported through `onEvent` as `track_start`,
 * `identified`, `watchlist` (watched people only) and `track_end`. When the source ends, fails or `signal`
 * aborts, every open track ends with its `track_end` first; a failing source then rethrows its error
 * (VideoSourceError for a truncated file, after its frames).
 * @returns The run's figures.
 */
export async function watchVideo(source: string | AsyncIterable<VideoFrame>, options: WatchOptions): Promise<WatchStats> {
  const { pipeline, gallery, threshold, signal } = options;
  const detectEvery = options.detectEvery ?? 2;
  if (!(Number.isInteger(detectEvery) && detectEvery >= 1)) throw new InvalidArgumentError('detectEvery', `must be a positive integer, got ${String(detectEvery)}`);
  const labels = new Set(await gallery.labels());
  const watchlist = new Set(options.watchlist ?? []);
  for (const label of watchlist) {
    if (!labels.has(label)) throw new InvalidArgumentError('watchlist', `"${label}" is not enrolled in the gallery (it has ${[...labels].join(', ') || 'nobody'})`);
  }
  const reader = typeof source === 'string' ? openVideo(source, { ...options.video, ...(signal ? { signal } : {}) }) : undefined;
  const frames: AsyncIterable<VideoFrame> = reader ?? (source as AsyncIterable<VideoFrame>);
  const ms = { decode: 0, detect: 0, embed: 0, match: 0, other: 0 };
  const timed = async <T>(part: keyof typeof ms, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      ms[part] += performance.now() - t0;
    }
  };
  const newTracker = (frame: VideoFrame) =>
    new FaceTracker({
      sameThreshold: threshold ?? gallery.threshold,
      frameSize: { width: frame.width, height: frame.height },
      ...options.tracker,
      match: (embeddings) => timed('match', () => matchGallery(gallery, embeddings, threshold)),
    });
  let tracker: FaceTracker | undefined;
  const started = performance.now();
  const counts = { frames: 0, t: 0, tracks: 0, identified: 0, alerts: 0, embedded: 0 };
  const alerted = new Set<string>();
  const emit = async (event: WatchEvent) => options.onEvent?.(event);
  const stats = (): WatchStats => {
    const elapsed = performance.now() - started;
    const other = elapsed - ms.decode - ms.detect - ms.embed - ms.match;
    return {
      ...counts, fps: elapsed > 0 ? (counts.frames * 1000) / elapsed : 0, activeTracks: tracker?.active().length ?? 0, dropped: reader?.dropped ?? 0,
      ms: { ...ms, other: Math.max(0, other) },
    };
  };
  const endTracks = async (ended: readonly TrackInfo[]) => {
    for (const track of ended) {
      await emit({ type: 'track_end', track_id: track.id, label: track.label ?? null, first_t: roundTime(track.firstT), last_t: roundTime(track.lastT), frames: track.frames });
    }
  };

  let faces: FrameFaces | undefined;
  const iterator = frames[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await timed('decode', () => iterator.next());
      if (next.done) break;
      const frame = next.value;
      if (signal?.aborted) break;
      faces ??= new FrameFaces(pipeline, frame.width, frame.height, options.detection);
      tracker ??= newTracker(frame);
      if (counts.frames % detectEvery !== 0) {
        // A frame between detections: the faces are where their tracks predict.
        counts.frames++;
        counts.t = frame.t;
        if (options.onFrame) await options.onFrame(frame, tracker.predicted(frame.t).map(({ track, box }) => frameTrack(track, box, watchlist)));
        options.onProgress?.(stats(), reader?.info);
        continue;
      }
      const analyzer = faces;
      const expected = tracker.expected(frame.t);
      const found = await timed('detect', () => analyzer.detect(frame, expected));
      const step = await tracker.update({ t: frame.t, detections: found, embed: (indices) => timed('embed', () => analyzer.embed(frame, indices.map((j) => found[j]!))) });
      counts.frames++;
      counts.t = frame.t;
      counts.embedded += step.embedded;
      await endTracks(step.ended);
      for (const track of step.started) {
        counts.tracks++;
        await emit({ type: 'track_start', track_id: track.id, t: roundTime(track.firstT), box: eventBox(track.firstBox) });
      }
      for (const track of step.named) {
        const label = track.label!;
        if (label !== UNKNOWN) counts.identified++;
        const snapshot = options.snapshot ? await options.snapshot(frame, track) : undefined;
        const common = { track_id: track.id, label, score: roundScore(track.labelScore), t: roundTime(frame.t), ...(snapshot ? { snapshot } : {}) };
        await emit({ type: 'identified', ...common });
        const key = `${track.id}\u0000${label}`;
        if (watchlist.has(label) && !alerted.has(key)) {
          alerted.add(key);
          counts.alerts++;
          await emit({ type: 'watchlist', ...common });
        }
      }
      if (options.onFrame) {
        const byId = new Map(step.tracks.map((t) => [t.id, t]));
        const drawn = step.detectionTracks.flatMap((id) => {
          const track = id > 0 ? byId.get(id) : undefined;
          return track ? [frameTrack(track, track.box, watchlist)] : [];
        });
        await options.onFrame(frame, drawn);
      }
      options.onProgress?.(stats(), reader?.info);
    }
  } finally {
    // The source ended, failed or was stopped: every open track still gets its track_end.
    await iterator.return?.(undefined);
    if (tracker) await endTracks(tracker.finish());
    await reader?.close();
  }
  return stats();
}

function frameTrack(track: TrackInfo, box: TrackInfo['box'], watchlist: ReadonlySet<string>): FrameTrack {
  return { trackId: track.id, box, label: track.label, watched: track.label !== undefined && watchlist.has(track.label) };
}
