// Video benchmark: `facerec watch`'s loop (watchVideo, default preset) on a 1280×720 25 fps clip of ≥ 20 s built from
// lfw-dev people (up to 3 faces at once; enrolled people, watched people and strangers walk through and stand), against
// the naive loop of @vladmandic/face-api (detect + landmarks + descriptor on every frame), same decoder, same backend.
// Writes bench-results/video.json. Usage: pnpm bench:video   (env: FACEREC_DATASETS, VIDEO_SECONDS=24,
// FACEAPI_FRAMES=100: face-api runs on the first n frames only, as it is ~20× slower; VIDEO_KEEP=1 keeps the clip).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom, findFfmpeg, Gallery, initBackend, loadFacePipeline, openVideo, readImage, watchVideo } from '@facerec/node';
import { repoRoot, writeResult } from './lib.mjs';

const run = promisify(execFile);
const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const images = path.join(datasets, 'lfw-dev', 'images');
const SECONDS = Number(process.env.VIDEO_SECONDS ?? 24);
const FACEAPI_FRAMES = Number(process.env.FACEAPI_FRAMES ?? 100);
const WIDTH = 1280, HEIGHT = 720, FPS = 25, PHOTO = 240, LANES = 3;
const ENROLLED = 8, STRANGERS = 4, WATCHED = 2;

const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));
const loadStart = load();
console.log(`load average at start ${loadStart.join(' ')}; ${os.availableParallelism()} cores`);

// People: lfw-dev people with ≥ 3 photos, a seeded choice. The clip shows each one's first photo; the enrolled are
// enrolled with their 2nd and 3rd (other photos of the same person, as a real gallery would hold).
const random = createRandom(2026);
const candidates = readdirSync(images).filter((name) => readdirSync(path.join(images, name)).length >= 3).sort();
for (let i = candidates.length - 1; i > 0; i--) {
  const k = Math.floor(random.uniform(0, 1) * (i + 1));
  [candidates[i], candidates[k]] = [candidates[k], candidates[i]];
}
const people = candidates.slice(0, ENROLLED + STRANGERS).map((name) => ({ name, files: readdirSync(path.join(images, name)).sort().map((f) => path.join(images, name, f)) }));
const enrolled = people.slice(0, ENROLLED);
const watchlist = enrolled.slice(0, WATCHED).map((p) => p.name);

// The schedule: three lanes (rows of the frame, no overlap), each with one person at a time who walks across (in or
// out by an edge) or stands a few seconds, then a gap. At most 3 faces per frame.
// Who comes next: every person in turn (a seeded order, repeated), so the watched, the enrolled and the strangers all show up.
const order = [...people];
let turn = 0;
const nextPerson = () => order[turn++ % order.length];
const appearances = [];
for (let lane = 0; lane < LANES; lane++) {
  let t = 0.2 + random.uniform(0, 1.5);
  while (t < SECONDS - 2) {
    const person = nextPerson();
    const y0 = lane * PHOTO;
    if (random.uniform(0, 1) < 0.65) {
      const speed = random.uniform(120, 240) * (random.uniform(0, 1) < 0.5 ? 1 : -1);
      const x0 = speed > 0 ? -PHOTO : WIDTH;
      const duration = (WIDTH + PHOTO) / Math.abs(speed);
      appearances.push({ person: person.name, file: person.files[0], from: t, to: Math.min(SECONDS, t + duration), x0, y0, vx: speed });
      t += duration;
    } else {
      const duration = random.uniform(2.5, 5);
      appearances.push({ person: person.name, file: person.files[0], from: t, to: Math.min(SECONDS, t + duration), x0: random.uniform(0, WIDTH - PHOTO), y0, vx: 0 });
      t += duration;
    }
    t += random.uniform(0.6, 2);
  }
}
const round = (x) => Math.round(x * 1000) / 1000;

const ffmpeg = await findFfmpeg();
const work = mkdtempSync(path.join(os.tmpdir(), 'facerec-bench-video-'));
const clip = path.join(work, 'clip.mp4');
{
  const t0 = performance.now();
  const inputs = ['-f', 'lavfi', '-i', `color=c=0x4a5a6a:s=${WIDTH}x${HEIGHT}:r=${FPS}:d=${SECONDS}`];
  const filters = [];
  let last = '0:v';
  appearances.forEach((a, i) => {
    inputs.push('-loop', '1', '-framerate', String(FPS), '-i', a.file);
    filters.push(`[${i + 1}:v]scale=${PHOTO}:${PHOTO},format=yuv420p[p${i}]`);
    filters.push(`[${last}][p${i}]overlay=x='${a.x0}+${a.vx}*(t-${a.from})':y=${a.y0}:enable='between(t,${a.from},${a.to})':eval=frame[v${i}]`);
    last = `v${i}`;
  });
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', filters.join(';'), '-map', `[${last}]`, '-t', String(SECONDS), '-r', String(FPS), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-g', String(2 * FPS), '-pix_fmt', 'yuv420p', clip], { maxBuffer: 1 << 24 });
  console.log(`clip: ${WIDTH}×${HEIGHT}, ${FPS} fps, ${SECONDS} s, ${appearances.length} appearances of ${new Set(appearances.map((a) => a.person)).size} people (made in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

/** The appearance whose photo holds point (x, y) at time t (the face is the middle of its photo). */
function appearanceAt(t, x, y) {
  return appearances.find((a) => t >= a.from - 0.02 && t <= a.to + 0.02 && Math.abs(x - (a.x0 + a.vx * (t - a.from) + PHOTO / 2)) < PHOTO / 2 && Math.abs(y - (a.y0 + PHOTO / 2)) < PHOTO / 2);
}
/** Faces on screen at time t by the ground truth: photo centre inside the frame. */
function facesAt(t) {
  return appearances.filter((a) => t >= a.from && t < a.to && a.x0 + a.vx * (t - a.from) + PHOTO / 2 > 0 && a.x0 + a.vx * (t - a.from) + PHOTO / 2 < WIDTH).length;
}

const backend = await initBackend('wasm');
const results = { clip: { width: WIDTH, height: HEIGHT, fps: FPS, seconds: SECONDS, appearances: appearances.length, people: people.length, enrolled: ENROLLED, watchlist, schedule: appearances.map((a) => ({ ...a, file: path.relative(datasets, a.file), from: round(a.from), to: round(a.to), x0: Math.round(a.x0), vx: Math.round(a.vx) })) }, backend: backend.backend };

// facerec: the default preset's gallery, the watch loop end to end (ffmpeg decoding included).
{
  const pipeline = await loadFacePipeline({ preset: 'default' });
  const gallery = new Gallery(pipeline);
  for (const p of enrolled) await gallery.enroll(p.name, await Promise.all(p.files.slice(1, 3).map((f) => readImage(f))));
  await gallery.match([new Float32Array(gallery.dimensions).fill(1)]);
  const events = [];
  const frameTimes = [];
  const perTrack = new Map(); // track id -> appearances its boxes fell in, frame by frame
  let drawn = 0, truth = 0;
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  let last = t0;
  const stats = await watchVideo(clip, {
    pipeline, gallery, watchlist,
    onEvent: (e) => void events.push(e),
    onFrame: (frame, tracks) => {
      drawn += tracks.length;
      truth += facesAt(frame.t);
      for (const tr of tracks) {
        const a = appearanceAt(frame.t, tr.box.x + tr.box.width / 2, tr.box.y + tr.box.height / 2);
        const list = perTrack.get(tr.trackId) ?? [];
        if (a && list[list.length - 1] !== a) list.push(a);
        perTrack.set(tr.trackId, list);
      }
    },
    onProgress: () => {
      const now = performance.now();
      frameTimes.push(now - last);
      last = now;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  // Identity: a track belongs to the first appearance its boxes fell in; every later change of appearance is an ID switch.
  const ends = events.filter((e) => e.type === 'track_end');
  let switches = 0, named = 0;
  const tracksOf = new Map();
  for (const end of ends) {
    const seen = perTrack.get(end.track_id) ?? [];
    switches += Math.max(0, seen.length - 1);
    const a = seen[0];
    if (!a) continue;
    tracksOf.set(a, (tracksOf.get(a) ?? 0) + 1);
    const expected = enrolled.some((p) => p.name === a.person) ? a.person : 'unknown';
    if (end.label === expected) named++;
  }
  const fragmented = [...tracksOf.values()].reduce((s, n) => s + n - 1, 0);
  results.tracks_detail = ends.map((end) => {
    const seen = perTrack.get(end.track_id) ?? [];
    return { track_id: end.track_id, label: end.label, first_t: end.first_t, last_t: end.last_t, frames: end.frames, appearances: seen.map((a) => appearances.indexOf(a)) };
  });
  const missed = appearances.filter((a) => !tracksOf.has(a)).length;
  const alerts = events.filter((e) => e.type === 'watchlist');
  const falseAlerts = alerts.filter((e) => {
    const a = perTrack.get(e.track_id)?.[0];
    return !a || a.person !== e.label || !watchlist.includes(a.person);
  }).length;
  const watchedAppearances = appearances.filter((a) => watchlist.includes(a.person)).length;
  const sorted = frameTimes.slice(1).sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
  const fps = stats.frames / seconds;
  Object.assign(results, {
    fps: round(fps),
    realtime_factor: round(fps / FPS),
    ms_per_frame_p50: round(pct(50)),
    ms_per_frame_p95: round(pct(95)),
    faces_per_frame: round(drawn / stats.frames),
    faces_per_frame_truth: round(truth / stats.frames),
    tracks: ends.length,
    tracks_named_correctly: named,
    id_switches: switches,
    track_fragments: fragmented,
    appearances_missed: missed,
    watchlist_alerts: alerts.length,
    watched_appearances: watchedAppearances,
    false_watchlist_alerts: falseAlerts,
    frames: stats.frames,
    embedded: stats.embedded,
    // Where the time went, ms per frame: waiting for ffmpeg's next frame, detection, embedding, gallery matching, the rest.
    ms_per_frame_by_stage: Object.fromEntries(Object.entries(stats.ms).map(([k, v]) => [k, round(v / stats.frames)])),
    tensors_leaked: tf.memory().numTensors - tensorsBefore,
    preset: 'default',
  });
  console.log(`facerec watch: ${results.fps} fps (${results.realtime_factor}× real time), ${results.ms_per_frame_p50} / ${results.ms_per_frame_p95} ms per frame (p50 / p95); ` +
    `${results.tracks} tracks for ${appearances.length} appearances, ${named} named correctly, ${switches} ID switches, ${fragmented} fragments, ${falseAlerts} false alerts of ${alerts.length}; ` +
    `stages ${JSON.stringify(results.ms_per_frame_by_stage)}`);
  gallery.dispose();
  pipeline.dispose();
}

// face-api as its users run video in Node: every frame through detectAllFaces + landmarks + descriptors (its SSD
// MobileNet v1 detector at minConfidence 0.5), on the same frames from the same decoder and the same WASM backend.
if (FACEAPI_FRAMES > 0) {
  const require = createRequire(import.meta.url);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  let frames = 0, faces = 0, truth = 0;
  const times = [];
  const t0 = performance.now();
  for await (const frame of openVideo(clip)) {
    const f0 = performance.now();
    const input = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
    const found = await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptors();
    input.dispose();
    times.push(performance.now() - f0);
    faces += found.length;
    truth += facesAt(frame.t);
    if (++frames >= FACEAPI_FRAMES) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  const sorted = times.slice(1).sort((a, b) => a - b);
  results.faceapi = {
    frames,
    fps: round(frames / seconds),
    realtime_factor: round(frames / seconds / FPS),
    ms_per_frame_p50: round(sorted[Math.floor(sorted.length / 2)]),
    faces_per_frame: round(faces / frames),
    faces_per_frame_truth: round(truth / frames),
    loop: 'detectAllFaces(SsdMobilenetv1, minConfidence 0.5).withFaceLandmarks().withFaceDescriptors() on every frame',
  };
  console.log(`face-api naive loop (first ${frames} frames): ${results.faceapi.fps} fps, ${results.faceapi.faces_per_frame} faces per frame (truth ${results.faceapi.faces_per_frame_truth})`);
}

results.loadavg = { start: loadStart, end: load() };
const file = writeResult('video', results);
console.log(`wrote ${path.relative(repoRoot, file)}; load average at end ${results.loadavg.end.join(' ')}`);
if (process.env.VIDEO_KEEP) console.log(`clip kept: ${clip}`);
else rmSync(work, { recursive: true, force: true });
