// Decode speed, sharp vs the pure-JS decoders, on a 1080p and a 24-megapixel JPEG made from a fixture face (plus
// noise, so the JPEGs cost what photos cost), and readImage + embedMainFace end to end on the 6000×4000 file with sharp.
// Writes bench-results/decode.json. Usage: pnpm bench:decode
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImageAsync, initBackend, loadFacePipeline, readImage } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const face = path.join(root, 'fixtures/lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg');

/** A width×height JPEG (quality 90): the face scaled to fill the height, centred on grey, with ±12 levels of noise. */
async function photo(width, height) {
  const scaled = await sharp(face).resize(height, height).toColourspace('srgb').extend({
    left: Math.floor((width - height) / 2), right: Math.ceil((width - height) / 2), background: { r: 120, g: 110, b: 100 },
  }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { data, info } = scaled;
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, data[i] + ((seed >>> 24) % 25) - 12));
  }
  return new Uint8Array(await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 90 }).toBuffer());
}

/** Median ms of `runs` calls after one warm-up. */
async function medianMs(runs, fn) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

const result = { machine: { cpus: os.cpus().length, load_average_1min: os.loadavg()[0], node: process.version, sharp: sharp.versions.sharp, libvips: sharp.versions.vips } };
const sizes = { '1080p': [1920, 1080, 7], '24mp': [6000, 4000, 3] };
const files = {};
for (const [name, [w, h, runs]] of Object.entries(sizes)) {
  const bytes = await photo(w, h);
  files[name] = bytes;
  const timing = {};
  for (const decoder of ['sharp', 'js']) timing[decoder] = await medianMs(runs, () => decodeImageAsync(bytes, `${name}.jpg`, { decoder }));
  result[`decode_ms_${name}_jpeg`] = timing;
  console.log(`${w}x${h} JPEG (${(bytes.length / 1e6).toFixed(1)} MB): sharp ${timing.sharp} ms, js ${timing.js} ms`);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'facerec-decode-'));
try {
  const file = path.join(dir, 'photo-6000x4000.jpg');
  writeFileSync(file, files['24mp']);
  const backend = await initBackend('wasm');
  const pipeline = await loadFacePipeline();
  try {
    const e2e = {};
    for (const decoder of ['sharp', 'js']) {
      e2e[decoder] = await medianMs(3, async () => {
        const embedded = await pipeline.embedMainFace(await readImage(file, { decoder }));
        if (!embedded) throw new Error('no face found in the benchmark photo');
      });
    }
    result.embed_main_face_ms_24mp_jpeg_file = { ...e2e, backend: backend.backend, details: backend.details };
    console.log(`readImage + embedMainFace, 6000x4000 JPEG file: sharp ${e2e.sharp} ms, js ${e2e.js} ms`);
  } finally {
    pipeline.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
result.machine.load_average_1min_after = os.loadavg()[0];
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/decode.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('wrote bench-results/decode.json');
