// False faces in real scenes: group photos and LFW photos with people in the background, every face labelled by hand
// (bench/scene-labels.json). Counts the labelled faces found, the detections that are no labelled face, and how many of
// those a gallery of the photos' people names. measureScenes() is imported by bench:lighting; run alone
// (`node bench/lighting-scenes.mjs`, after `pnpm build`) it prints the current defaults beside the previous ones.
// Env: FACEREC_DATASETS (the folder holding lfw-dev; without it only the face-api photos are used), SCENE_PRESETS=default,fast.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FACE_PRESETS, Gallery, initBackend, iou, loadFacePipeline, readImage } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** Detection options of facerec before the face checks (issue 15): score 0.5, every box kept. */
export const PREVIOUS_DEFAULTS = Object.freeze({ scoreThreshold: 0.5, faceChecks: false });

/** A detection counts as a labelled face when its box overlaps the label's by at least this IoU (and no other detection took it). */
const MATCH_IOU = 0.4;

/** The labelled photos whose files are here: face-api's demo photos always, lfw-dev's when the datasets folder has it. */
export function scenePhotos(datasets = process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets')) {
  const labels = JSON.parse(readFileSync(path.join(root, 'bench', 'scene-labels.json'), 'utf8'));
  const folders = { 'face-api': path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'lfw-dev': path.join(datasets, 'lfw-dev', 'images') };
  return labels.photos
    .map((p) => ({ ...p, path: path.join(folders[p.source], p.file), faces: p.faces.map(toBox), ignore: (p.ignore ?? []).map(toBox) }))
    .filter((p) => existsSync(p.path));
}

const toBox = ([x, y, width, height]) => ({ x, y, width, height });

/** Whether at least half of `box` lies in one of the ignore regions (a blurred, profile or mostly hidden face). */
function ignored(box, regions) {
  return regions.some((r) => {
    const w = Math.min(box.x + box.width, r.x + r.width) - Math.max(box.x, r.x);
    const h = Math.min(box.y + box.height, r.y + r.height) - Math.max(box.y, r.y);
    return w > 0 && h > 0 && (w * h) / (box.width * box.height) >= 0.5;
  });
}

/** Greedy matching, best overlap first: which detections are labelled faces. */
function matchFaces(boxes, labels) {
  const pairs = [];
  boxes.forEach((b, i) => labels.forEach((l, j) => { const o = iou(b, l); if (o >= MATCH_IOU) pairs.push({ i, j, o }); }));
  pairs.sort((a, b) => b.o - a.o);
  const det = new Map(), used = new Set();
  for (const { i, j } of pairs) if (!det.has(i) && !used.has(j)) { det.set(i, j); used.add(j); }
  return det;
}

/**
 * Runs the pipeline on every labelled photo as `Gallery.identify` does (every face found, embedded, matched):
 * the gallery holds each labelled face that was found, under its own name. A real face found counts once; a
 * detection mostly inside an ignore region does not count; every other detection is a false face, named when the gallery gives it a name (score at or above the threshold).
 * @param {{ preset?: string, pipeline?: import('@facerec/node').FacePipeline, detect?: import('@facerec/node').DetectOptions, datasets?: string }} opts
 * @returns {Promise<{ scene_faces_found: number, scene_faces: number, scene_false_faces: number, scene_false_faces_named: number, scene_photos: number, false_faces: Array<object>, cpu_ms_per_photo: number, wall_ms_per_photo: number }>}
 *   `cpu_ms_per_photo` / `wall_ms_per_photo`: `embedFaces` alone, per photo (CPU of all the process's threads).
 */
export async function measureScenes(opts = {}) {
  const photos = scenePhotos(opts.datasets);
  const pipeline = opts.pipeline ?? (await loadFacePipeline({ preset: opts.preset ?? 'default' }));
  const detect = opts.detect ?? {};
  const gallery = new Gallery(pipeline);
  try {
    const found = [];
    // Time of embedFaces alone (decoding and matching left out): CPU of every thread of the process, and wall.
    let cpuMs = 0, wallMs = 0;
    for (const photo of photos) {
      const image = await readImage(photo.path);
      const cpu0 = process.cpuUsage(), wall0 = performance.now();
      const faces = await pipeline.embedFaces(image, detect);
      const cpu = process.cpuUsage(cpu0);
      cpuMs += (cpu.user + cpu.system) / 1000;
      wallMs += performance.now() - wall0;
      const matched = matchFaces(faces.map((f) => f.box), photo.faces);
      found.push({ photo, faces, matched });
      for (const [i, j] of matched) await gallery.enroll(`${photo.file}#${j}`, [faces[i].embedding]);
    }
    let real = 0, labelled = 0;
    const falseFaces = [];
    for (const { photo, faces, matched } of found) {
      labelled += photo.faces.length;
      real += matched.size;
      const others = faces.filter((f, i) => !matched.has(i) && !ignored(f.box, photo.ignore));
      const names = others.length > 0 ? await gallery.match(others.map((f) => f.embedding)) : [];
      others.forEach((f, k) => falseFaces.push({
        photo: photo.file, box: Object.fromEntries(Object.entries(f.box).map(([key, v]) => [key, Math.round(v)])), score: +f.score.toFixed(3),
        named: names[k].unknown ? null : names[k].label, similarity: +names[k].score.toFixed(3),
      }));
    }
    return {
      scene_faces_found: real, scene_faces: labelled, scene_false_faces: falseFaces.length,
      scene_false_faces_named: falseFaces.filter((f) => f.named !== null).length, scene_photos: photos.length, false_faces: falseFaces,
      cpu_ms_per_photo: Math.round(cpuMs / photos.length), wall_ms_per_photo: Math.round(wallMs / photos.length),
    };
  } finally {
    gallery.dispose();
    if (!opts.pipeline) pipeline.dispose();
  }
}

/**
 * Both detection recipes on each preset, printed side by side with `embedFaces`' CPU and wall ms per photo; a preset
 * whose face mesh only checks unsure detections (`fast`, `mobileface`) also runs with `meshCheck: false`, its check
 * before session 8 (the detector's second look). Returns the rows.
 */
export async function compareScenes(presets = ['default', 'fast'], opts = {}) {
  const rows = [];
  for (const preset of presets) {
    const variants = [['', {}]];
    if (FACE_PRESETS[preset]?.meshCheck) variants.push([' (second look)', { meshCheck: false }]);
    for (const [name, load] of variants) {
      const pipeline = await loadFacePipeline({ preset, ...load });
      try {
        const recipes = name === '' ? [['previous defaults', PREVIOUS_DEFAULTS], ['defaults', {}]] : [[`defaults${name}`, {}]];
        for (const [recipe, detect] of recipes) {
          const r = await measureScenes({ ...opts, pipeline, detect });
          rows.push({ preset, recipe, ...r, load: os.loadavg()[0] });
          for (const f of r.false_faces) console.log(`  ${preset} ${recipe}: false face in ${f.photo} at ${f.box.x},${f.box.y} ${f.box.width}×${f.box.height}, score ${f.score}${f.named ? `, named ${f.named} (${f.similarity})` : ''}`);
        }
      } finally {
        pipeline.dispose();
      }
    }
  }
  console.log(`\npreset      detection                  photos  faces found  false faces  named  CPU ms/photo  wall ms/photo  load`);
  for (const r of rows) {
    console.log(`${r.preset.padEnd(11)} ${r.recipe.padEnd(26)} ${String(r.scene_photos).padStart(6)}  ${`${r.scene_faces_found}/${r.scene_faces}`.padStart(11)}  ${String(r.scene_false_faces).padStart(11)}  ${String(r.scene_false_faces_named).padStart(5)}  ${String(r.cpu_ms_per_photo).padStart(12)}  ${String(r.wall_ms_per_photo).padStart(13)}  ${r.load.toFixed(1)}`);
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const backend = await initBackend('wasm');
  console.log(`backend ${backend.backend}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} cores`);
  await compareScenes((process.env.SCENE_PRESETS ?? 'default,fast').split(','));
}
