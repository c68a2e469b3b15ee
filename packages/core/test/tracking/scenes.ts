// Synthetic video scenes for the tracker tests: people as moving boxes with per-person embeddings, and what the tracker made of them.
import { createRandom, FaceTracker, type Box, type FaceTrackerOptions, type TrackInfo, type TrackMatch } from '@facerec/core';

/** A person in a scene: where their face is on each frame (undefined: not visible). */
export interface Actor {
  readonly name: string;
  readonly at: (frame: number) => Box | undefined;
}

/** What a run of the tracker over a scene gave. */
export interface SceneRun {
  /** Per person, the track ids their detections were given (0 = not yet confirmed), frame by frame. */
  readonly ids: Map<string, number[]>;
  readonly started: TrackInfo[];
  readonly ended: TrackInfo[];
  readonly named: TrackInfo[];
  /** Embeddings asked for, in all. */
  readonly embedded: number;
}

const DIMENSIONS = 64;

/**
 * Embeddings that behave like dlib's: everyone shares a common direction (different people score ~0.8),
 * the same person scores ~0.97 between frames; the same-person threshold is then 0.9.
 */
export class FakeEmbedder {
  readonly sameThreshold = 0.9;
  private readonly random = createRandom(7);
  private readonly common = this.unit();
  private readonly identities = new Map<string, Float32Array>();

  of(name: string): Float32Array {
    let id = this.identities.get(name);
    if (!id) {
      id = this.unit();
      this.identities.set(name, id);
    }
    const noise = this.unit();
    return normalise(Float32Array.from(id, (v, i) => 0.9 * this.common[i]! + 0.45 * v + 0.08 * noise[i]!));
  }

  /** Matches against the people in `enrolled`: best cosine to their clean identity, 'unknown' below the threshold. */
  matcher(enrolled: readonly string[]): (embeddings: readonly Float32Array[]) => Promise<TrackMatch[]> {
    const refs = enrolled.map((name) => ({ name, e: normalise(Float32Array.from(this.identity(name), (v, i) => 0.9 * this.common[i]! + 0.45 * v)) }));
    return (embeddings) =>
      Promise.resolve(
        embeddings.map((e) => {
          let best = { label: 'unknown', score: -1 };
          for (const r of refs) {
            const s = dot(e, r.e);
            if (s > best.score) best = { label: r.name, score: s };
          }
          return best.score >= this.sameThreshold ? best : { label: 'unknown', score: best.score };
        }),
      );
  }

  private identity(name: string): Float32Array {
    this.of(name);
    return this.identities.get(name)!;
  }

  private unit(): Float32Array {
    return normalise(Float32Array.from({ length: DIMENSIONS }, () => this.random.normal()));
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function normalise(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  return v.map((x) => x / n);
}

/**
 * Runs a tracker over `frames` frames at `fps`. Detections are shuffled each frame (order must not matter) and
 * jittered by a pixel or two; `embedder` (when given) embeds what the tracker asks for.
 */
export async function runScene(actors: readonly Actor[], frames: number, options: FaceTrackerOptions & { embedder?: FakeEmbedder; fps?: number } = {}): Promise<SceneRun> {
  const { embedder, fps = 25, ...trackerOptions } = options;
  const tracker = new FaceTracker(trackerOptions);
  const random = createRandom(3);
  const ids = new Map<string, number[]>(actors.map((a) => [a.name, []]));
  const started: TrackInfo[] = [];
  const ended: TrackInfo[] = [];
  const named: TrackInfo[] = [];
  let embedded = 0;
  for (let f = 0; f < frames; f++) {
    const visible = actors.flatMap((a) => {
      const box = a.at(f);
      return box ? [{ name: a.name, box: jitter(box, () => random.uniform(0, 1)) }] : [];
    });
    // Fisher–Yates with the seeded generator.
    for (let i = visible.length - 1; i > 0; i--) {
      const k = Math.floor(random.uniform(0, 1) * (i + 1));
      [visible[i], visible[k]] = [visible[k]!, visible[i]!];
    }
    const step = await tracker.update({
      t: f / fps,
      detections: visible.map((v) => ({ box: v.box, score: 0.9 })),
      ...(embedder ? { embed: (indices: readonly number[]) => Promise.resolve(indices.map((j) => embedder.of(visible[j]!.name))) } : {}),
    });
    embedded += step.embedded;
    visible.forEach((v, j) => ids.get(v.name)!.push(step.detectionTracks[j]!));
    started.push(...step.started);
    ended.push(...step.ended);
    named.push(...step.named);
  }
  ended.push(...tracker.finish());
  return { ids, started, ended, named, embedded };
}

function jitter(box: Box, uniform: () => number): Box {
  const j = () => (uniform() - 0.5) * 3;
  return { x: box.x + j(), y: box.y + j(), width: box.width + j(), height: box.height + j() };
}

/** A face of `size` moving from (x0, y0) at (vx, vy) pixels per frame, visible on frames [from, to). */
export function mover(name: string, x0: number, y0: number, vx: number, vy: number, from = 0, to = Infinity, size = 80): Actor {
  return { name, at: (f) => (f >= from && f < to ? { x: x0 + vx * (f - from), y: y0 + vy * (f - from), width: size, height: size } : undefined) };
}

/** Distinct non-zero track ids in a list. */
export function trackIds(ids: readonly number[]): number[] {
  return [...new Set(ids.filter((id) => id > 0))];
}
