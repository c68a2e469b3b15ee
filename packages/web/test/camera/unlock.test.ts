// Face unlock in real Chromium: still photos on the fake camera are refused (liveness), strangers are refused, a real head turn (ORL photos of one person turning) unlocks.
import { decodePnm, FaceMesh, FaceUnlock, Gallery, initBackend, openCamera, type FacePipeline, type FaceUnlockEvent } from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enrolledGallery, photoBitmap, servedPipeline } from './helpers.js';

let pipeline: FacePipeline;
let mesh: FaceMesh;

beforeAll(async () => {
  await initBackend('wasm');
  pipeline = await servedPipeline('default');
  mesh = await FaceMesh.load({ modelUrl: __FACEREC_MODEL_URLS__ });
});

afterAll(() => {
  mesh?.dispose();
  pipeline?.dispose();
});

async function orlBitmap(person: number, index: number): Promise<ImageBitmap> {
  const response = await fetch(`${__FACEREC_ORL_URL__}/s${person}/${index}.pgm`);
  return photoBitmap(decodePnm(new Uint8Array(await response.arrayBuffer()), `s${person}/${index}.pgm`));
}

describe('FaceUnlock', () => {
  test('still photos moved about on the camera: recognised on every frame, never live, not unlocked; strangers refused as not recognised', async () => {
    const camera = await openCamera();
    // Both people on the camera are enrolled: whichever face is followed, it matches; only liveness can refuse it.
    const both = await enrolledGallery(pipeline, { Abel_Pacheco: ['Abel_Pacheco_0002.jpg', 'Abel_Pacheco_0004.jpg'], Akhmed_Zakayev: ['Akhmed_Zakayev_0002.jpg', 'Akhmed_Zakayev_0003.jpg'] });
    // Counted in frames, not seconds (a loaded machine is slow): 16 frames of the still photos, challenge turn-left.
    // (Blinks are checked on mesh poses in test/unit/liveness.test.ts.)
    const unlock = new FaceUnlock({ pipeline, gallery: both, mesh, random: () => 0.5, timeoutMs: 120_000 });
    const events: FaceUnlockEvent[] = [];
    const stop = new AbortController();
    unlock.on((e) => {
      events.push(e);
      if (events.filter((x) => x.type === 'progress').length >= 16) stop.abort();
    });
    const result = await unlock.unlock(camera.video, { signal: stop.signal });
    expect(result).toMatchObject({ unlocked: false, reason: 'aborted', challenge: 'turn-left' });
    expect(events[0]).toEqual({ type: 'challenge', challenge: 'turn-left' });
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e] : []));
    // Recognised all along (one person, enough matches in a row), never live: the photo never turned its head.
    expect(new Set(progress.map((e) => e.trackId)).size).toBe(1);
    expect(Math.max(...progress.map((e) => e.matches))).toBeGreaterThanOrEqual(3);
    expect(progress.every((e) => !e.live)).toBe(true);
    // A photo's head turn stays what it was printed with (the turn of Abel's photo is ≈ 0.19), however the photo moves.
    const yaws = progress.map((e) => e.pose.yaw);
    expect(Math.max(...yaws) - Math.min(...yaws)).toBeLessThan(0.06);
    both.dispose();
    // With neither person enrolled, the time runs out on "not recognised".
    const others = await enrolledGallery(pipeline, { Amelia_Vega: ['Amelia_Vega_0001.jpg'] });
    const strangers = new FaceUnlock({ pipeline, gallery: others, mesh, timeoutMs: 4000 });
    const labels: string[] = [];
    strangers.on((e) => e.type === 'progress' && labels.push(e.label));
    expect(await strangers.unlock(camera.video)).toMatchObject({ unlocked: false, reason: 'not-recognized' });
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((l) => l === 'unknown')).toBe(true);
    others.dispose();
    camera.close();
  });

  test('enrolment with quality checks, then a real head turn answers the challenge and unlocks', async () => {
    const canvas = new OffscreenCanvas(480, 360);
    const ctx = canvas.getContext('2d')!;
    const show = (bitmap: ImageBitmap) => {
      ctx.fillStyle = '#555';
      ctx.fillRect(0, 0, 480, 360);
      ctx.drawImage(bitmap, 102, 12, 276, 336);
    };
    // ORL s1: photos 8 and 9 face the camera (enrolled); 1, 3, 7 face it too; in 5 the head is turned to the person's left.
    const [p1, p3, p5, p7, p8, p9] = await Promise.all([1, 3, 5, 7, 8, 9].map((i) => orlBitmap(1, i)));
    const gallery = new Gallery(pipeline);
    const unlock = new FaceUnlock({ pipeline, gallery, mesh, challenges: ['turn-left'], timeoutMs: 60_000, quality: { minFaceSize: 120 } });
    const events: FaceUnlockEvent[] = [];
    unlock.on((e) => events.push(e));
    let n = 0;
    const enrolFrames = [p8!, p9!];
    const off = unlock.on((e) => {
      if (e.type === 'quality') show(enrolFrames[++n % 2]!);
    });
    show(p8!);
    expect(await unlock.enroll('s1', canvas, { frames: 2 })).toBe(2);
    off();
    const quality = events.flatMap((e) => (e.type === 'quality' && e.quality ? [e.quality] : []));
    expect(quality.length).toBeGreaterThanOrEqual(2);
    expect(quality[0]!.problems).toEqual([]);
    expect(await gallery.labels()).toEqual(['s1']);
    // The unlock sequence: facing the camera (1, 3, 7), the head turned (5), facing it again.
    let frame = 0;
    const sequence = (k: number) => (k < 6 ? [p1, p3, p7][k % 3] : k < 10 ? p5 : [p1, p3, p7][k % 3])!;
    show(sequence(0));
    unlock.on((e) => {
      if (e.type === 'progress') show(sequence(++frame));
    });
    const result = await unlock.unlock(canvas);
    expect(result).toMatchObject({ unlocked: true, label: 's1', challenge: 'turn-left' });
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e] : []));
    expect(new Set(progress.map((e) => e.trackId)).size).toBe(1);
    expect(progress.at(-1)!.matches).toBeGreaterThanOrEqual(3);
    // A quality refusal: the same face far too small for the limits.
    const tiny = new FaceUnlock({ pipeline, gallery: new Gallery(pipeline), mesh, quality: { minFaceSize: 400 } });
    await expect(tiny.enroll('x', canvas, { frames: 1, timeoutMs: 1500 })).rejects.toThrow(/0 of 1 good frames/);
    gallery.dispose();
    [p1, p3, p5, p7, p8, p9].forEach((b) => b!.close());
  });
});
