// Live recognition in a Web Worker in real Chromium: names from frames the page posts, the page's thread stays free, typed errors cross over, dispose ends the worker.
import {
  createRecognitionWorker,
  initBackend,
  InvalidImageError,
  ModelFormatError,
  RecognitionWorkerError,
  UNKNOWN,
  type FacePipeline,
  type Gallery,
  type LiveFrame,
  type RecognitionWorker,
} from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { enrolledGallery, lfwPhoto, photoBitmap, servedPipeline } from '../camera/helpers.js';

const FRAMES = 6;
let pipeline: FacePipeline;
let gallery: Gallery;
let scene: OffscreenCanvas;

beforeAll(async () => {
  await initBackend('wasm');
  pipeline = await servedPipeline('fast');
  gallery = await enrolledGallery(pipeline, {
    Abel_Pacheco: ['Abel_Pacheco_0002.jpg', 'Abel_Pacheco_0004.jpg'],
    Amelia_Vega: ['Amelia_Vega_0001.jpg'],
  });
  // Abel_Pacheco (enrolled from his other photos) on the left, Akhmed_Zakayev (enrolled nowhere) on the right.
  scene = new OffscreenCanvas(640, 480);
  const ctx = scene.getContext('2d')!;
  ctx.fillStyle = '#777';
  ctx.fillRect(0, 0, 640, 480);
  for (const [file, x] of [['Abel_Pacheco_0001.jpg', 10], ['Akhmed_Zakayev_0001.jpg', 330]] as const) {
    const photo = await photoBitmap(await lfwPhoto(file));
    ctx.drawImage(photo, x, 90, 300, 300);
    photo.close();
  }
});

afterAll(() => {
  gallery?.dispose();
  pipeline?.dispose();
});

/** Runs `work` while a 5 ms interval ticks on the page's thread; the longest gap between ticks is how long the page was blocked. */
async function whileTicking<T>(work: () => Promise<T>): Promise<{ result: T; longestGapMs: number; ticks: number; ms: number }> {
  const start = performance.now();
  let last = start;
  let longestGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    ticks++;
  }, 5);
  try {
    const result = await work();
    longestGapMs = Math.max(longestGapMs, performance.now() - last);
    return { result, longestGapMs, ticks, ms: performance.now() - start };
  } finally {
    clearInterval(timer);
  }
}

/** A playing <video> of the scene: a canvas stream, repainted every 30 ms so the stream has new frames. */
async function sceneVideo(): Promise<{ element: HTMLVideoElement; stop: () => void }> {
  const canvas = document.createElement('canvas');
  canvas.width = scene.width;
  canvas.height = scene.height;
  const ctx = canvas.getContext('2d')!;
  const paint = () => ctx.drawImage(scene, 0, 0);
  paint();
  const timer = setInterval(paint, 30);
  const stream = canvas.captureStream(30);
  const element = document.createElement('video');
  element.muted = true;
  element.srcObject = stream;
  await element.play();
  return {
    element,
    stop: () => {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

/** Posts the scene FRAMES times (1/15 s apart) and returns each frame's answer. */
async function recognizeScene(recognition: RecognitionWorker): Promise<LiveFrame[]> {
  const frames: LiveFrame[] = [];
  for (let f = 0; f < FRAMES; f++) frames.push(await recognition.process(scene, f / 15));
  return frames;
}

function expectNamed(frames: readonly LiveFrame[]): void {
  const last = frames[frames.length - 1]!;
  expect(last.faces).toHaveLength(2);
  const [left, right] = [...last.faces].sort((a, b) => a.box.x - b.box.x);
  expect(left!.label).toBe('Abel_Pacheco');
  expect(left!.score).toBeGreaterThanOrEqual(gallery.threshold);
  expect(right!.label).toBe(UNKNOWN);
  expect(right!.unknown).toBe(true);
  expect(left!.trackId).not.toBe(right!.trackId);
  expect([last.width, last.height]).toEqual([640, 480]);
}

describe('createRecognitionWorker', () => {
  test('in a worker: the enrolled face named, the stranger unknown, the page never blocked, no tensor leaked, dispose ends the worker', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const overlay = document.createElement('canvas');
    const recognition = await createRecognitionWorker({ modelUrl: __FACEREC_MODEL_URLS__, preset: 'fast', gallery, backend: 'wasm', overlay });
    try {
      expect(recognition.mode).toBe('worker');
      expect(recognition.fallbackReason).toBeUndefined();
      expect(recognition.info.backend).toBe('wasm');
      const worker = await whileTicking(() => recognizeScene(recognition));
      expectNamed(worker.result);
      // The worker's engine holds the same tensors after more frames (the gallery's matrix is made on the first).
      const tensors = await recognition.tensors();
      await recognition.process(scene, FRAMES / 15);
      await recognition.process(scene, (FRAMES + 1) / 15);
      expect(await recognition.tensors()).toBe(tensors);
      // Errors: a malformed gallery is refused in the worker (typed), which goes on with the old one; an empty
      // frame is refused on the page, before it is sent.
      await expect(recognition.setGallery({ index: { format: 'other' } as never, embeddings: new Float32Array(0) })).rejects.toThrow(ModelFormatError);
      await expect(recognition.process(new OffscreenCanvas(0, 0))).rejects.toThrow(InvalidImageError);
      expect((await recognition.process(scene, (FRAMES + 2) / 15)).faces.map((f) => f.label).sort()).toEqual(['Abel_Pacheco', UNKNOWN]);
      // run(): every new frame of a <video> (a canvas stream repainted with the scene) until both faces are named.
      expect((await recognition.reset()).length).toBe(2);
      const video = await sceneVideo();
      const named: LiveFrame[] = [];
      const loop = recognition.run(video.element, {
        onFaces: (frame) => {
          if (frame.faces.filter((f) => f.named).length === 2 || loop.frames >= 15) named.push(frame);
          if (named.length > 0) loop.stop();
        },
      });
      await loop.done;
      video.stop();
      expectNamed(named);

      // The same frames on the page's thread (the fallback when the browser has no Worker): the page blocks for a whole frame.
      const savedWorker = globalThis.Worker;
      (globalThis as { Worker?: unknown }).Worker = undefined;
      let page: RecognitionWorker;
      try {
        page = await createRecognitionWorker({ modelUrl: __FACEREC_MODEL_URLS__, preset: 'fast', gallery, backend: 'wasm' });
      } finally {
        globalThis.Worker = savedWorker;
      }
      expect(page.mode).toBe('main-thread');
      expect(page.fallbackReason).toBe('this browser has no Web Workers');
      const main = await whileTicking(() => recognizeScene(page));
      await page.dispose();
      expectNamed(main.result);
      const said = (r: typeof main) => `longest block ${r.longestGapMs.toFixed(1)} ms, ${r.ticks} ticks of 5 ms in ${r.ms.toFixed(0)} ms`;
      console.info(`${FRAMES} frames in the worker: ${said(worker)}; on the page's thread: ${said(main)}`);
      // On the page's thread a frame holds the page for its whole length (WASM's awaits resolve without a task in between).
      expect(worker.longestGapMs).toBeLessThan(main.longestGapMs / 2);
      expect(worker.ticks).toBeGreaterThan(5 * main.ticks + 20);
    } finally {
      await recognition.dispose();
    }
    expect(terminate).toHaveBeenCalledTimes(1);
    terminate.mockRestore();
    await expect(recognition.process(scene)).rejects.toThrow(RecognitionWorkerError);
  });

  test('a missing model folder and a worker script that cannot load: typed errors, not silence', async () => {
    const missing = createRecognitionWorker({ modelUrl: '/no-such-models', preset: 'fast', gallery, backend: 'wasm' });
    await expect(missing).rejects.toThrow(ModelFormatError);
    await expect(missing).rejects.toThrow(/no-such-models/);
    const broken = createRecognitionWorker({ modelUrl: __FACEREC_MODEL_URLS__, gallery, worker: () => new Worker('/no-such-worker.js', { type: 'module' }) });
    await expect(broken).rejects.toThrow(RecognitionWorkerError);
  });
});
