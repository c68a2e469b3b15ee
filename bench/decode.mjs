// Decode speed, sharp vs the pure-JS decoders, on a 1080p and a 24-megapixel JPEG made from a fixture face (plus
// noise, so the JPEGs cost what photos cost), and a 24 MP photo end to end (file → main face embedded): readImage
// (decoded whole) and openImage (sharp: decoded shrunk for detection, the face cut from the full photo), with the
// CPU time and each path's peak RSS in a fresh process. Writes bench-results/decode.json. Usage: pnpm bench:decode
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { cosineSimilarity, decodeImageAsync, initBackend, loadFacePipeline, openImage, readImage } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Run as a script (not imported by bench/lighting.mjs for measureDecode1080pJpeg). */
const isMain = Boolean(process.argv[1]) && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
/** How the photo file is read: [reader, decoder]. */
const READS = { read_sharp: [readImage, 'sharp'], open_sharp: [openImage, 'sharp'], open_js: [openImage, 'js'] };

// Child mode (`decode.mjs --rss <read> <file>`): loads the pipeline, says "ready", then reads and embeds one photo;
// the parent samples its RSS from /proc meanwhile (its own peak would be the pipeline's load).
if (isMain && process.argv[2] === '--rss') {
  const [, , , read, file] = process.argv;
  await initBackend('wasm');
  const pipeline = await loadFacePipeline();
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log('ready');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const [reader, decoder] = READS[read];
  if (!(await pipeline.embedMainFace(await reader(file, { decoder })))) throw new Error('no face found in the benchmark photo');
  pipeline.dispose();
  process.exit(0);
}

/** RSS of process `pid` in MB (Linux /proc), or undefined. */
function rssMb(pid) {
  try {
    return (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 2 ** 20;
  } catch {
    return undefined;
  }
}

/** RSS (MB) of a child once the pipeline is loaded, and its peak while it reads and embeds the photo with `read`. */
function photoRss(read, file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--rss', read, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ready, peak = 0;
    const timer = setInterval(() => {
      const rss = rssMb(child.pid);
      if (ready !== undefined && rss !== undefined) peak = Math.max(peak, rss);
    }, 5);
    child.stdout.on('data', (chunk) => {
      if (ready === undefined && String(chunk).includes('ready')) ready = rssMb(child.pid) ?? 0;
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0 || ready === undefined) reject(new Error(`rss child (${read}) exited with ${code}`));
      else resolve({ loaded: Math.round(ready), peak: Math.round(peak) });
    });
  });
}
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

/** Median wall ms (and median CPU ms of this process, every thread) of `runs` calls after one warm-up. */
async function medianTimes(runs, fn) {
  await fn();
  const times = [], cpu = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now(), used = process.cpuUsage();
    await fn();
    times.push(performance.now() - start);
    const { user, system } = process.cpuUsage(used);
    cpu.push((user + system) / 1000);
  }
  const median = (xs) => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] * 10) / 10;
  return { ms: median(times), cpu_ms: median(cpu) };
}

/** Median ms of `runs` calls after one warm-up. */
async function medianMs(runs, fn) {
  return (await medianTimes(runs, fn)).ms;
}

/**
 * Median decode ms of a 1920×1080 JPEG made as above, with sharp and with the pure-JS decoder (what
 * bench/lighting.mjs records as `decode_ms_1080p_jpeg`).
 * @param {{ runs?: number }} [opts] timed runs per decoder after one warm-up (default 7).
 */
export async function measureDecode1080pJpeg(opts = {}) {
  const bytes = await photo(1920, 1080);
  const timing = {};
  for (const decoder of ['sharp', 'js']) timing[decoder] = await medianMs(opts.runs ?? 7, () => decodeImageAsync(bytes, '1080p.jpg', { decoder }));
  return timing;
}

async function main() {
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
      const e2e = {}, e2eCpu = {};
      for (const decoder of ['sharp', 'js']) {
        ({ ms: e2e[decoder], cpu_ms: e2eCpu[decoder] } = await medianTimes(3, async () => {
          const embedded = await pipeline.embedMainFace(await readImage(file, { decoder }));
          if (!embedded) throw new Error('no face found in the benchmark photo');
        }));
      }
      result.embed_main_face_ms_24mp_jpeg_file = { ...e2e, backend: backend.backend, details: backend.details };
      result.embed_main_face_cpu_ms_24mp_jpeg_file = e2eCpu;
      console.log(`readImage + embedMainFace, 6000x4000 JPEG file: sharp ${e2e.sharp} ms, js ${e2e.js} ms`);
      const open = {}, cpu = {};
      for (const decoder of ['sharp', 'js']) {
        ({ ms: open[decoder], cpu_ms: cpu[decoder] } = await medianTimes(decoder === 'sharp' ? 7 : 3, async () => {
          const embedded = await pipeline.embedMainFace(await openImage(file, { decoder }));
          if (!embedded) throw new Error('no face found in the benchmark photo');
        }));
      }
      result.embed_main_face_ms_24mp_jpeg_open = open;
      result.embed_main_face_cpu_ms_24mp_jpeg_open = cpu;
      console.log(`openImage + embedMainFace, 6000x4000 JPEG file: sharp ${open.sharp} ms (CPU ${cpu.sharp} ms), js ${open.js} ms (CPU ${cpu.js} ms)`);
    } finally {
      pipeline.dispose();
    }
    if (existsSync('/proc/self/statm')) {
      const peak = {};
      for (const read of Object.keys(READS)) {
        const { loaded, peak: top } = await photoRss(read, file);
        peak.pipeline_loaded ??= loaded;
        peak[read] = top;
        peak[`${read}_added`] = top - loaded;
      }
      result.peak_rss_mb_24mp_jpeg = peak;
      console.log(`RSS (MB) of a fresh process with the pipeline loaded, and its peak while reading + embedding the 6000x4000 photo: ${JSON.stringify(peak)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Alignment: LFW images blown up into 6000×4000 photos (face ~880 px: cut from a shrunk decode; ~330 px: cut at full
  // resolution), embedded through openImage and through readImage (decoded whole): cosine to each other and to the
  // 250×250 original's embedding. DECODE_LFW_PHOTOS images (default 8; 0 skips), from FACEREC_DATASETS/lfw-dev.
  const lfwImages = path.join(process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets'), 'lfw-dev/images');
  const lfwCount = Number(process.env.DECODE_LFW_PHOTOS ?? 8);
  if (lfwCount > 0 && existsSync(lfwImages)) {
    const people = readdirSync(lfwImages).sort().filter((_, i) => i % 97 === 0).slice(0, lfwCount);
    const dirLfw = mkdtempSync(path.join(os.tmpdir(), 'facerec-decode-lfw-'));
    await initBackend('wasm');
    const pipeline = await loadFacePipeline();
    const stats = { embedder_threshold: pipeline.embedder.spec.threshold };
    try {
      for (const zoom of [8, 3]) {
        const rows = [];
        for (const person of people) {
          const source = path.join(lfwImages, person, readdirSync(path.join(lfwImages, person)).sort()[0]);
          const side = 250 * zoom;
          const big = await sharp(source).resize(side, side).toColourspace('srgb').extend({
            left: 3000 - side / 2, right: 3000 - side / 2, top: 2000 - side / 2, bottom: 2000 - side / 2, background: { r: 120, g: 110, b: 100 },
          }).removeAlpha().jpeg({ quality: 90 }).toBuffer();
          const file = path.join(dirLfw, `${person}.jpg`);
          writeFileSync(file, big);
          const original = await pipeline.embedMainFace(await readImage(source));
          const opened = await pipeline.embedMainFace(await openImage(file));
          const whole = await pipeline.embedMainFace(await readImage(file));
          if (!original || !opened || !whole) continue;
          rows.push([cosineSimilarity(opened.embedding, whole.embedding), cosineSimilarity(opened.embedding, original.embedding), cosineSimilarity(whole.embedding, original.embedding)]);
        }
        const mean = (k) => Math.round((rows.reduce((sum, r) => sum + r[k], 0) / rows.length) * 1e4) / 1e4;
        const min = (k) => Math.round(Math.min(...rows.map((r) => r[k])) * 1e4) / 1e4;
        stats[`face_${Math.round(110 * zoom)}px`] = {
          photos: rows.length, open_vs_read_mean: mean(0), open_vs_read_min: min(0), open_vs_original_mean: mean(1), read_vs_original_mean: mean(2),
        };
      }
    } finally {
      pipeline.dispose();
      rmSync(dirLfw, { recursive: true, force: true });
    }
    result.lfw_big_photo_embedding_cosine = stats;
    console.log(`LFW faces in 6000x4000 photos, embedding cosine (openImage vs readImage vs the 250x250 original): ${JSON.stringify(stats)}`);
  }
  result.machine.load_average_1min_after = os.loadavg()[0];
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/decode.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('wrote bench-results/decode.json');
}

if (isMain) await main();
