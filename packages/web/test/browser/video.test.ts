// The frame loop on a real <video> (a canvas stream): one frame in flight at most, fps, stop by AbortSignal.
import { initBackend, runFrameLoop, startRecognitionLoop, warmup } from '@facerec/web';
import type { LocatedRecognition } from '@facerec/web';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { randomRecognizer } from './helpers/faces.js';

let cleanup: Array<() => void> = [];

/** A playing 160×120 video whose frames a canvas paints at 60 Hz. */
async function liveVideo(): Promise<HTMLVideoElement> {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 120;
  const ctx = canvas.getContext('2d')!;
  let n = 0;
  const paint = setInterval(() => {
    ctx.fillStyle = `rgb(${(n += 7) % 256}, 120, 60)`;
    ctx.fillRect(0, 0, 160, 120);
  }, 16);
  const stream = canvas.captureStream(60);
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  cleanup.push(() => {
    clearInterval(paint);
    video.pause();
    stream.getTracks().forEach((t) => t.stop());
  });
  await video.play();
  return video;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

describe('runFrameLoop', () => {
  test.each(['video-frame', 'animation-frame'] as const)('%s: never more than one frame in flight, fps, abort', async (scheduler) => {
    const video = await liveVideo();
    const controller = new AbortController();
    let inFlight = 0;
    let maxInFlight = 0;
    const times: number[] = [];
    const loop = runFrameLoop(video, async (frame) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      times.push(frame.mediaTime);
      await sleep(40); // slower than the 60 Hz video: frames must be skipped, not queued
      inFlight -= 1;
    }, { signal: controller.signal, scheduler });
    expect(loop.scheduler).toBe(scheduler);
    await sleep(1200);
    controller.abort();
    await loop.done;
    const frames = loop.frames;
    await sleep(200);
    expect(loop.running).toBe(false);
    expect(loop.frames).toBe(frames); // nothing ran after abort
    expect(maxInFlight).toBe(1);
    expect(frames).toBeGreaterThan(5);
    expect(loop.fps).toBeGreaterThan(5);
    expect(loop.fps).toBeLessThan(1000 / 40 + 1); // bounded by the handler, so frames were dropped
    expect(loop.lastFrameMs).toBeGreaterThanOrEqual(39);
  });

  test('a throwing handler stops the loop and rejects done', async () => {
    const video = await liveVideo();
    const loop = runFrameLoop(video, (frame) => {
      if (frame.index === 2) throw new Error('boom');
    });
    await expect(loop.done).rejects.toThrow('boom');
    expect(loop.running).toBe(false);
    expect(loop.frames).toBe(2);
  });

  test('an already aborted signal never starts', async () => {
    const video = await liveVideo();
    let calls = 0;
    const loop = runFrameLoop(video, () => void (calls += 1), { signal: AbortSignal.abort() });
    await loop.done;
    await sleep(100);
    expect(calls).toBe(0);
  });
});

describe('startRecognitionLoop', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  test('recognises the centre box of each frame and reports fps', async () => {
    const video = await liveVideo();
    const recognizer = await randomRecognizer({ channels: 1, size: 24 });
    const warm = await warmup(recognizer, { width: 160, height: 120, box: { x: 32, y: 12, width: 96, height: 96 } });
    expect(warm.milliseconds.length).toBe(2);
    const seen: LocatedRecognition[][] = [];
    const controller = new AbortController();
    const loop = startRecognitionLoop(video, recognizer, {
      signal: controller.signal,
      onFaces: (faces, frame) => {
        seen.push(faces);
        expect(frame.frames).toBe(seen.length - 1);
      },
    });
    await sleep(800);
    controller.abort();
    await loop.done;
    recognizer.dispose();
    expect(seen.length).toBeGreaterThan(2);
    // The default locator: a centred square of 0.8 × the shorter side.
    expect(seen[0]![0]!.box).toEqual({ x: 32, y: 12, width: 96, height: 96 });
    expect(recognizer.ready).toBe(false);
    expect(loop.fps).toBeGreaterThan(0);
  });
});
