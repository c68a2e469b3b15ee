// Benchmark page part (driven by bench/web.mjs): face unlock's accept rates over lfw-dev sequences, with FaceUnlock's own decision code.
import * as tf from '@tensorflow/tfjs-core';
import { fiveFromBlazeFace } from '@facerec/core/internal';
import { DEFAULT_MATCH_FRAMES, decodeImageFile, defaultUnlockThreshold, Gallery, imageToTensor, initBackend, loadFacePipelineFromUrl, UnlockDecision, type DetectedFace } from '@facerec/web';

/** One lfw-dev person: name and photo URLs. */
export interface UnlockPerson {
  readonly name: string;
  readonly photos: readonly string[];
}

/** What the unlock benchmark measured (keys as in bench-results/web.json). */
export interface UnlockBenchResult {
  genuine_accept_rate: number;
  false_accept_rate: number;
  attempts: number;
  genuine_attempts: number;
  impostor_attempts: number;
  false_accepts: number;
  ms_to_unlock_p50: number;
  /** Camera frames until the unlock (p50): what ms_to_unlock_p50 is on a machine of another speed. */
  frames_to_unlock_p50: number;
  frames_per_attempt: number;
  threshold: number;
  match_frames: number;
  people: number;
  photos: number;
  detect_ms_p50: number;
  embed_ms_p50: number;
  /** Other settings on the same sequences (UNLOCK_GRID), to choose the defaults. */
  sweep?: UnlockSweepRow[];
}

/** One setting of the sweep. */
export interface UnlockSweepRow {
  threshold: number;
  match_frames: number;
  genuine_accept_rate: number;
  false_accept_rate: number;
  ms_to_unlock_p50: number;
}

/** A photo on a camera frame, once: its face as FaceUnlock detects it, its embedding, and what each cost. */
interface Shot {
  face: DetectedFace;
  embedding: Float32Array;
  detectMs: number;
  embedMs: number;
}

/** A seeded generator (mulberry32): the same sequences on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CAMERA_MS = 1000 / 30;
const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Each photo drawn at 250 px in the middle of a 640×480 frame, found as FaceUnlock finds faces, and embedded. */
async function shoot(pipeline: Awaited<ReturnType<typeof loadFacePipelineFromUrl>>, url: string): Promise<Shot | undefined> {
  const image = await decodeImageFile(new File([await (await fetch(url)).blob()], url.split('/').pop()!));
  const data = new ImageData(image.width, image.height);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) data.data[p * 4 + c] = image.data[p * image.channels + (image.channels === 1 ? 0 : c)]!;
    data.data[p * 4 + 3] = 255;
  }
  const canvas = new OffscreenCanvas(640, 480);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#666';
  ctx.fillRect(0, 0, 640, 480);
  ctx.drawImage(await createImageBitmap(data), 195, 115, 250, 250);
  const start = performance.now();
  const frame = imageToTensor({ data: ctx.getImageData(0, 0, 640, 480).data, width: 640, height: 480, channels: 4 }, url);
  try {
    // FaceUnlock's detection: faces of at least 0.8 × its 80 px quality minimum, score ≥ 0.6, five landmarks from BlazeFace's.
    const found = await pipeline.detector.detect(frame, { minFaceSize: 64, scoreThreshold: 0.6 });
    const faces = found.map((d) => ({ box: d.box, score: d.score, landmarks: fiveFromBlazeFace(d.keypoints) }));
    const detected = performance.now();
    const face = faces.sort((a, b) => b.box.width - a.box.width)[0];
    if (!face) return undefined;
    const [embedded] = await pipeline.embedDetected(frame, [face], { detectionSize: Infinity });
    return { face, embedding: embedded!.embedding, detectMs: detected - start, embedMs: performance.now() - detected };
  } finally {
    frame.dispose();
  }
}

/**
 * One attempt: `frames` camera frames showing photos of `pool` in a random order, each held 1–4 frames (the same
 * photo is the same frame: its embedding is reused), fed to FaceUnlock's {@link UnlockDecision}. Resolves the
 * simulated ms until it recognised the face (each frame costs its photo's measured detection, plus its
 * embedding when the tracker asked for one, and at least a camera frame), or undefined when it never did.
 */
async function attempt(gallery: Gallery, pool: readonly Shot[], frames: number, rand: () => number, threshold: number, matchFrames: number): Promise<{ ms: number; frames: number } | undefined> {
  const decision = new UnlockDecision({ gallery, threshold, matchFrames });
  let shot = pool[0]!;
  let left = 0;
  let ms = 0;
  for (let f = 0; f < frames; f++) {
    if (left-- === 0) {
      shot = pool[Math.floor(rand() * pool.length)]!;
      left = Math.floor(rand() * 4);
    }
    let embedded = false;
    const step = await decision.step(f / 30, [shot.face], async () => ((embedded = true), shot.embedding));
    ms += Math.max(CAMERA_MS, shot.detectMs + (embedded ? shot.embedMs : 0));
    if (step?.recognized) return { ms, frames: f + 1 };
  }
  return undefined;
}

/**
 * Face unlock's recognition over lfw-dev: each person is enrolled alone (a device's owner) from 1–3 photos
 * (half of theirs, at most 3); genuine attempts show their other photos, impostor attempts every other
 * person's photos, `frames` frames each (60: 2 s of a 30 fps camera, or FaceUnlock's 10 s limit at 6 frames/s).
 * Liveness is left out (every frame counts as live): it is measured by the camera tests.
 */
export async function runUnlock(modelUrl: Record<string, string>, people: readonly UnlockPerson[], genuinePerPerson: number, frames: number, grid: ReadonlyArray<{ margin: number; matchFrames: number }> = []): Promise<UnlockBenchResult> {
  await initBackend('wasm');
  const pipeline = await loadFacePipelineFromUrl({ modelUrl });
  const shots: Shot[][] = [];
  let photos = 0;
  for (const person of people) {
    const got: Shot[] = [];
    for (const url of person.photos) {
      const shot = await shoot(pipeline, url);
      photos++;
      if (shot) got.push(shot);
    }
    shots.push(got);
  }
  const all = shots.flat();
  const evaluate = async (margin: number, matchFrames: number) => {
    const rand = random(12);
    let genuine = 0, accepted = 0, impostor = 0, falseAccepts = 0, threshold = Number.NaN;
    const unlockMs: number[] = [];
    const unlockFrames: number[] = [];
    for (let p = 0; p < shots.length; p++) {
      const mine = shots[p]!;
      if (mine.length < 2) continue;
      const enrolled = Math.min(3, Math.floor(mine.length / 2));
      const gallery = new Gallery(pipeline);
      try {
        await gallery.enroll(people[p]!.name, mine.slice(0, enrolled).map((s) => s.embedding));
        threshold = Math.min(0.99, defaultUnlockThreshold(gallery) + margin);
        for (let g = 0; g < genuinePerPerson; g++) {
          genuine++;
          const got = await attempt(gallery, mine.slice(enrolled), frames, rand, threshold, matchFrames);
          if (got !== undefined) {
            accepted++;
            unlockMs.push(got.ms);
            unlockFrames.push(got.frames);
          }
        }
        for (let q = 0; q < shots.length; q++) {
          if (q === p || shots[q]!.length === 0) continue;
          impostor++;
          if ((await attempt(gallery, shots[q]!, frames, rand, threshold, matchFrames)) !== undefined) falseAccepts++;
        }
      } finally {
        gallery.dispose();
      }
    }
    return { genuine, accepted, impostor, falseAccepts, threshold, unlockMs, unlockFrames };
  };
  const r = await evaluate(0, DEFAULT_MATCH_FRAMES);
  const sweep: UnlockSweepRow[] = [];
  for (const { margin, matchFrames } of grid) {
    const g = await evaluate(margin, matchFrames);
    sweep.push({ threshold: round(g.threshold, 3), match_frames: matchFrames, genuine_accept_rate: round(g.accepted / g.genuine, 4), false_accept_rate: round(g.falseAccepts / g.impostor, 5), ms_to_unlock_p50: round(quantile(g.unlockMs, 0.5), 0) });
  }
  pipeline.dispose();
  if (tf.memory().numTensors > 0) console.warn(`unlock bench: ${tf.memory().numTensors} tensors left`);
  return {
    genuine_accept_rate: round(r.accepted / r.genuine, 4),
    false_accept_rate: round(r.falseAccepts / r.impostor, 5),
    attempts: r.genuine + r.impostor,
    genuine_attempts: r.genuine,
    impostor_attempts: r.impostor,
    false_accepts: r.falseAccepts,
    ms_to_unlock_p50: round(quantile(r.unlockMs, 0.5), 0),
    frames_to_unlock_p50: quantile(r.unlockFrames, 0.5),
    frames_per_attempt: frames,
    threshold: round(r.threshold, 3),
    match_frames: DEFAULT_MATCH_FRAMES,
    people: people.length,
    photos,
    detect_ms_p50: round(quantile(all.map((s) => s.detectMs), 0.5), 1),
    embed_ms_p50: round(quantile(all.map((s) => s.embedMs), 0.5), 1),
    ...(sweep.length > 0 ? { sweep } : {}),
  };
}
