// No real face lost to the face checks: on every lfw-dev photo, whether the photo's subject (a box overlapping its
// centre) is still found by a preset's checked detection (`pipeline.detect`), against the detector's own checks alone
// (`pipeline.detector.detect`: nested boxes and keypoint geometry). Prints one JSON line.
// Usage: node bench/lighting-lfw-found.mjs   (after `pnpm build`; env: FACEREC_DATASETS, LFW_FOUND_PRESET=fast)
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, iou, loadFacePipeline, readImage } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const datasets = process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets');
const preset = process.env.LFW_FOUND_PRESET ?? 'fast';
/** Where an LFW photo's subject is: the centre of the 250×250 picture. */
const subject = { x: 70, y: 70, width: 110, height: 110 };

await initBackend('wasm');
const pipeline = await loadFacePipeline({ preset });
const dir = path.join(datasets, 'lfw-dev', 'images');
const files = readdirSync(dir).sort().flatMap((p) => readdirSync(path.join(dir, p)).sort().map((f) => path.join(dir, p, f)));
const found = { detector: 0, checked: 0 };
const detections = { detector: 0, checked: 0 };
const lost = [];
const cpu = process.cpuUsage();
for (const file of files) {
  const image = await readImage(file);
  const tensor = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, image.channels]);
  const rough = await pipeline.detector.detect(tensor);
  tensor.dispose();
  const checked = await pipeline.detect(image);
  detections.detector += rough.length;
  detections.checked += checked.length;
  const a = rough.some((d) => iou(d.box, subject) > 0.3);
  const b = checked.some((d) => iou(d.box, subject) > 0.3);
  found.detector += a;
  found.checked += b;
  if (a && !b) lost.push(path.basename(file));
}
pipeline.dispose();
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ preset, images: files.length, subject_found: found, detections, lost, cpu_s: Math.round((used.user + used.system) / 1e5) / 10, load_average: os.loadavg() }));
process.exit(0);
