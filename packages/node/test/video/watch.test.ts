// watchVideo on real faces: clips made from LFW photos (a file, an image folder, a live HTTP stream), events checked against the clip's ground truth.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, imageToTensor, initBackend, loadFacePipeline, readImage, watchVideo, type FacePipeline, type Gallery, type WatchEvent } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { freePort, ffmpegChildren, serveLive } from './streams.js';
import { expectEventsMatchScene, MAIN_CLIP, makeClip, makeGallery, SHORT_CLIP, WATCHED } from './scene.js';

const run = promisify(execFile);
let dir = '';
let pipeline: FacePipeline;
let gallery: Gallery;
let main = '';
let short = '';

beforeAll(async () => {
  await initBackend('wasm');
  dir = await makeTempDir('facerec-watch-');
  main = path.join(dir, 'main.mp4');
  short = path.join(dir, 'short.mkv');
  [pipeline] = await Promise.all([loadFacePipeline({ preset: 'fast' }), makeClip(main, MAIN_CLIP), makeClip(short, SHORT_CLIP)]);
  gallery = await makeGallery(pipeline);
  // The gallery keeps its matrix on the backend after the first match: made now, so runs below start level.
  await gallery.match([new Float32Array(gallery.dimensions).fill(1)]);
});

afterAll(async () => {
  gallery?.dispose();
  pipeline?.dispose();
  await removeTempDirs();
});

describe('watchVideo', () => {
  it('makes one track per appearance, names the enrolled, leaves the stranger unknown, alerts on the watched only, and leaks no tensor', async () => {
    const events: WatchEvent[] = [];
    const tensors: number[] = [];
    const before = tf.memory().numTensors;
    const stats = await watchVideo(main, {
      pipeline, gallery, watchlist: [WATCHED],
      detection: { minFaceSize: 40 }, detectEvery: 1,
      onEvent: (e) => void events.push(e),
      onProgress: () => void tensors.push(tf.memory().numTensors),
    });
    expectEventsMatchScene(events, MAIN_CLIP, [WATCHED]);
    expect(stats.frames).toBe(MAIN_CLIP.fps * MAIN_CLIP.duration);
    expect(stats.tracks).toBe(MAIN_CLIP.appearances.length);
    // Embedding is for what the tracker needs: a few times per track, not per frame.
    expect(stats.embedded).toBeLessThanOrEqual(4 * stats.tracks);
    // Not one tensor more on any frame, nor after.
    expect(new Set(tensors)).toEqual(new Set([before]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('works on a folder of numbered images', async () => {
    const folder = path.join(dir, 'frames');
    await mkdir(folder);
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', short, path.join(folder, 'f%d.png')]);
    const events: WatchEvent[] = [];
    await watchVideo(folder, { pipeline, gallery, watchlist: [WATCHED], video: { folderFps: SHORT_CLIP.fps }, detection: { minFaceSize: 40 }, detectEvery: 1, onEvent: (e) => void events.push(e) });
    expectEventsMatchScene(events, SHORT_CLIP, [WATCHED]);
  });

  it('works on a live HTTP stream, and ends every track before reporting a stream that does not come back', async () => {
    const server = serveLive(short, await freePort());
    const events: WatchEvent[] = [];
    try {
      // A few quick attempts: the first may come before the server listens; after the clip it stays away. Every
      // frame is kept: ffmpeg hands over the first seconds of a stream at once after probing it, and a live
      // source would drop that backlog (this clip is only 2.5 s long).
      const video = { reconnectAttempts: 3, reconnectDelayMs: 150, dropWhenBehind: false };
      const watching = watchVideo(server.url, { pipeline, gallery, watchlist: [WATCHED], video, detection: { minFaceSize: 40 }, detectEvery: 1, onEvent: (e) => void events.push(e) });
      await expect(watching).rejects.toThrow(/live\.ts: lost, and not back after 3 attempts/);
      await server.done;
    } finally {
      server.child.kill('SIGKILL');
    }
    expectEventsMatchScene(events, SHORT_CLIP, [WATCHED]);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('refuses a watchlist label that is not in the gallery', async () => {
    await expect(watchVideo(short, { pipeline, gallery, watchlist: ['Nobody'] })).rejects.toThrow(/"Nobody" is not enrolled/);
  });
});

describe('the pipeline parts the watch loop uses', () => {
  it('detectInWindows finds a face only in a window around it; embedDetected embeds found faces as embedFaces does', async () => {
    const photo = await readImage(lfwImage(WATCHED, 1));
    const tensor = imageToTensor(photo);
    try {
      // The LFW face is in the middle of the 250-pixel photo.
      expect(await pipeline.detector.detectInWindows(tensor, [{ x: 40, y: 40, size: 170 }])).toHaveLength(1);
      expect(await pipeline.detector.detectInWindows(tensor, [{ x: 0, y: 0, size: 60 }])).toHaveLength(0);
      expect(await pipeline.detector.detectInWindows(tensor, [])).toEqual([]);
    } finally {
      tensor.dispose();
    }
    const [embedded] = await pipeline.embedFaces(photo);
    const [again] = await pipeline.embedDetected(photo, [embedded!]);
    expect(cosineSimilarity(again!.embedding, embedded!.embedding)).toBeGreaterThan(0.999);
  });
});
