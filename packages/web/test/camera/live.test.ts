// Live recognition in real Chromium: the fake camera plays two real people (one enrolled, one a stranger); a canvas source for many frames.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, LiveRecognizer, openCamera, recognizeVideo, UNKNOWN, type FacePipeline, type Gallery, type LiveFrame } from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enrolledGallery, lfwPhoto, photoBitmap, servedPipeline } from './helpers.js';

let pipeline: FacePipeline;
let gallery: Gallery;

beforeAll(async () => {
  await initBackend('wasm');
  pipeline = await servedPipeline('default');
  // The camera shows Abel_Pacheco_0001 (enrolled from his other photos) and Akhmed_Zakayev (enrolled nowhere).
  gallery = await enrolledGallery(pipeline, {
    Abel_Pacheco: ['Abel_Pacheco_0002.jpg', 'Abel_Pacheco_0004.jpg'],
    Amelia_Vega: ['Amelia_Vega_0001.jpg'],
  });
  // The gallery keeps its matrix on the backend after the first match: made here, not counted as a leak.
  await gallery.match([new Float32Array(gallery.dimensions).fill(1 / Math.sqrt(gallery.dimensions))]);
});

afterAll(() => {
  gallery?.dispose();
  pipeline?.dispose();
});

describe('recognizeVideo on a camera', () => {
  test('two people at once: the enrolled one named, the stranger unknown, each on one track, drawn on the overlay', async () => {
    const camera = await openCamera({ width: 640, height: 480 });
    expect([camera.video.videoWidth, camera.video.videoHeight]).toEqual([640, 480]);
    const overlay = document.createElement('canvas');
    const frames: LiveFrame[] = [];
    const tensors = tf.engine().state.numTensors;
    const loop = recognizeVideo(camera.video, {
      pipeline,
      gallery,
      overlay,
      onFaces: (frame) => {
        frames.push(frame);
        if (frames.length >= 24) loop.stop();
      },
    });
    await loop.done;
    camera.close();
    expect(tf.engine().state.numTensors).toBe(tensors);
    const last = frames[frames.length - 1]!;
    expect(last.faces).toHaveLength(2);
    const [left, right] = [...last.faces].sort((a, b) => a.box.x - b.box.x);
    expect(left!.label).toBe('Abel_Pacheco');
    expect(left!.unknown).toBe(false);
    expect(left!.score).toBeGreaterThanOrEqual(gallery.threshold);
    expect(right!.label).toBe(UNKNOWN);
    expect(right!.unknown).toBe(true);
    expect(left!.trackId).not.toBe(right!.trackId);
    // Each face kept its track from its first confirmed frame: two tracks in all, never renamed.
    const ids = new Set(frames.flatMap((f) => f.faces.map((face) => face.trackId)));
    expect(ids.size).toBe(2);
    for (const f of frames) for (const face of f.faces) if (face.named) expect(face.label).toBe(face.trackId === left!.trackId ? 'Abel_Pacheco' : UNKNOWN);
    // Embedded when each track appeared (and when its face got clearly better), not on every frame.
    const embedded = frames.reduce((n, f) => n + f.embedded, 0);
    expect(embedded).toBeGreaterThanOrEqual(2);
    expect(embedded).toBeLessThanOrEqual(8);
    // The overlay holds the frame's boxes: green (known) on the left face, orange (unknown) on the right.
    const ctx = overlay.getContext('2d')!;
    expect([overlay.width, overlay.height]).toEqual([640, 480]);
    const pixel = (x: number, y: number) => [...ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data];
    expect(pixel(left!.box.x + 1, left!.box.y + left!.box.height / 2)).toEqual([0, 230, 118, 255]);
    expect(pixel(right!.box.x + 1, right!.box.y + right!.box.height / 2)).toEqual([255, 145, 0, 255]);
  });
});

describe('LiveRecognizer on a canvas', () => {
  test('1,000 frames of a moving face: one track, named, no tensor leaked at any point', async () => {
    const photo = await photoBitmap(await lfwPhoto('Abel_Pacheco_0001.jpg'));
    const canvas = new OffscreenCanvas(320, 240);
    const ctx = canvas.getContext('2d')!;
    const live = new LiveRecognizer({ pipeline, gallery, minFaceSize: 50 });
    const tensors = tf.engine().state.numTensors;
    const ids = new Set<number>();
    let named = 0;
    const growth: number[] = [];
    for (let f = 0; f < 1000; f++) {
      ctx.fillStyle = '#666';
      ctx.fillRect(0, 0, 320, 240);
      ctx.drawImage(photo, 60 + Math.round(30 * Math.sin(f / 20)), 20 + Math.round(10 * Math.cos(f / 15)), 200, 200);
      const frame = await live.process(canvas, f / 15);
      for (const face of frame.faces) {
        ids.add(face.trackId);
        if (face.label === 'Abel_Pacheco') named++;
      }
      if (f % 100 === 99) growth.push(tf.engine().state.numTensors - tensors);
    }
    live.reset();
    photo.close();
    expect(tf.engine().state.numTensors).toBe(tensors);
    expect(growth).toEqual(Array(10).fill(0));
    expect([...ids]).toEqual([1]);
    expect(named).toBeGreaterThanOrEqual(975);
  });
});
