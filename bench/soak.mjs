// Soak test (not in CI): long runs must stay flat, and kill -9 at any moment of a write must lose nothing.
// 1. 10,000 identify calls, then 1,000 enrol/remove cycles with a gallery (every 100th also saves and reloads it),
//    sampling tf numTensors, RSS and heap; fails unless they stay flat (tolerances in FLAT below).
// 2. kill -9 at random moments of every write path (model save, gallery save, `facerec enroll`, 50 times each):
//    after each kill everything saved before must load intact, and after the next save no temp or lock file is left.
// Usage: pnpm soak   (env: SOAK_SCALE=0.1 scales every count; SOAK_KILLS=50 per write path; SOAK_PRESET=fast;
//        SOAK_BACKEND=wasm). Writes bench-results/soak.json; exits 1 when a check fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Gallery, UNKNOWN, fileSystemHandler, initBackend, loadFacePipeline, loadGallery, readImage, saveGallery, updateGallery } from '@facerec/node';
import { repoRoot, writeResult } from './lib.mjs';

const scale = Number(process.env.SOAK_SCALE ?? 1);
const count = (n) => Math.max(1, Math.round(n * scale));
const IDENTIFY_CALLS = count(10_000);
const ENROL_CYCLES = count(1_000);
const KILLS = Number(process.env.SOAK_KILLS ?? count(50));
const preset = process.env.SOAK_PRESET ?? 'fast';
/** Flat means: after warm-up, the end (median of the last 3 samples) exceeds the start (median of the first 3) by at most this. */
const FLAT = { numTensors: 0, rssMB: 64, heapMB: 16 };
const orl = path.join(repoRoot, 'examples', 'data', 'orl');
const cli = path.join(repoRoot, 'packages', 'node', 'dist', 'cli.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'facerec-soak-'));
const started = performance.now();
const failures = [];
const fail = (message) => {
  failures.push(message);
  console.log(`FAIL: ${message}`);
};
const MB = 2 ** 20;
const median3 = (xs) => [...xs].sort((a, b) => a - b)[1] ?? xs[0];

function sample(step) {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { step, numTensors: tf.memory().numTensors, rssMB: +(rss / MB).toFixed(1), heapMB: +(heapUsed / MB).toFixed(1) };
}

/** Growth from the first to the last samples after warm-up, and whether it is within FLAT. */
function flatness(name, samples) {
  const start = samples.slice(0, 3);
  const end = samples.slice(-3);
  const growth = {};
  for (const key of Object.keys(FLAT)) {
    growth[key] = +(median3(end.map((s) => s[key])) - median3(start.map((s) => s[key]))).toFixed(1);
    if (growth[key] > FLAT[key]) fail(`${name}: ${key} grew by ${growth[key]} (allowed ${FLAT[key]})`);
  }
  return growth;
}

// ---------- 1. identify and enrol/remove soak ----------
const backend = await initBackend(process.env.SOAK_BACKEND ?? 'wasm');
console.log(`soak: scale ${scale}, ${IDENTIFY_CALLS} identify calls, ${ENROL_CYCLES} enrol/remove cycles, ${KILLS} kills per write path; backend ${backend.backend}, preset ${preset}; node ${process.version}, ${os.availableParallelism()} cores; gc ${globalThis.gc ? 'exposed' : 'not exposed (run with --expose-gc)'}`);
const pipeline = await loadFacePipeline({ preset });
const photo = (person, i) => readImage(path.join(orl, `s${person}`, `${i}.pgm`));
const gallery = new Gallery(pipeline);
for (let person = 1; person <= 20; person++) await gallery.enroll(`s${person}`, [await photo(person, 1), await photo(person, 2)]);
// Half the probes are enrolled people, half strangers.
const probes = [];
for (let person = 1; person <= 40; person++) probes.push({ label: person <= 20 ? `s${person}` : UNKNOWN, image: await photo(person, 10) });

const identify = { calls: IDENTIFY_CALLS, samples: [], correct: 0 };
const warmIdentify = Math.max(20, Math.round(IDENTIFY_CALLS * 0.05));
const everyIdentify = Math.max(1, Math.round(IDENTIFY_CALLS / 40));
let t = performance.now();
for (let i = 1; i <= IDENTIFY_CALLS; i++) {
  const probe = probes[i % probes.length];
  const faces = await gallery.identify(probe.image);
  if (faces[0]?.label === probe.label) identify.correct++;
  if (i >= warmIdentify && (i - warmIdentify) % everyIdentify === 0) {
    const s = sample(i);
    identify.samples.push(s);
    console.log(`identify ${i}/${IDENTIFY_CALLS}: numTensors ${s.numTensors}, RSS ${s.rssMB} MB, heap ${s.heapMB} MB`);
  }
}
identify.msPerCall = +((performance.now() - t) / IDENTIFY_CALLS).toFixed(1);
identify.growth = flatness('identify', identify.samples);

const enrolRemove = { cycles: ENROL_CYCLES, samples: [], saves: 0 };
const galleryDir = path.join(work, 'cycles', 'gallery');
const warmCycles = Math.max(10, Math.round(ENROL_CYCLES * 0.05));
const everyCycle = Math.max(1, Math.round(ENROL_CYCLES / 40));
t = performance.now();
for (let c = 1; c <= ENROL_CYCLES; c++) {
  const person = 21 + (c % 20);
  const label = `visitor${c}`;
  await gallery.enroll(label, [await photo(person, 1 + (c % 9))]);
  await gallery.identify(probes[c % probes.length].image); // the matrix is uploaded again after each change
  if (!(await gallery.remove(label))) fail(`enrol/remove: ${label} was not enrolled`);
  if (c % 100 === 0) {
    await saveGallery(gallery, galleryDir);
    const back = await loadGallery(galleryDir);
    const [backSize, size] = [(await back.count()).embeddings, (await gallery.count()).embeddings];
    if (backSize !== size) fail(`enrol/remove: reloaded gallery has ${backSize} embeddings, not ${size}`);
    back.dispose();
    enrolRemove.saves++;
  }
  if (c >= warmCycles && (c - warmCycles) % everyCycle === 0) {
    const s = sample(c);
    enrolRemove.samples.push(s);
    console.log(`enrol/remove ${c}/${ENROL_CYCLES}: numTensors ${s.numTensors}, RSS ${s.rssMB} MB, heap ${s.heapMB} MB`);
  }
}
enrolRemove.msPerCycle = +((performance.now() - t) / ENROL_CYCLES).toFixed(1);
enrolRemove.growth = flatness('enrol/remove', enrolRemove.samples);
gallery.dispose();
pipeline.dispose();

// ---------- 2. kill -9 at random moments of every write path ----------
/** Runs a child; `onLine` sees each stdout line. Kills it (SIGKILL) after `killAfterMs` when given. */
function child(args, { killAfterMs, onLine = () => {}, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let err = '';
    let killed = false;
    const kill = () => {
      killed = true;
      proc.kill('SIGKILL');
    };
    const timers = [setTimeout(kill, timeoutMs)];
    proc.stdout.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) onLine(line, kill, timers);
    });
    proc.stderr.on('data', (d) => (err += d));
    if (killAfterMs !== undefined) timers.push(setTimeout(kill, killAfterMs));
    proc.on('exit', (code) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, killed, err, pid: proc.pid });
    });
  });
}

/** Entries beside `target` other than itself: temp folders, old folders, lock files. */
const besides = (target) => readdirSync(path.dirname(target)).filter((name) => name !== path.basename(target));

/** Whether process `pid` left a temp folder or its lock beside `target`. */
function leftBy(target, pid) {
  return besides(target).some((name) => {
    if (name.includes(`-${pid}-`)) return true;
    if (!name.endsWith('.lock')) return false;
    try {
      return JSON.parse(readFileSync(path.join(path.dirname(target), name), 'utf8')).pid === pid;
    } catch {
      return false;
    }
  });
}

/** Kills one child at a random moment after it says `ready`, up to `maxDelayMs` later. */
function killAtRandom(script, args, maxDelayMs, onSaved) {
  const delay = Math.random() * maxDelayMs;
  return child(['--input-type=module', '-e', script, ...args], {
    onLine: (line, kill, timers) => {
      if (line === 'ready') timers.push(setTimeout(kill, delay));
      else if (line.startsWith('saved ')) onSaved(line.slice(6));
    },
  });
}

/** Per write path: kills, kills that landed inside a write (left a temp folder or lock behind), losses, leftovers. */
function killReport(name) {
  return { name, kills: 0, killedMidWrite: 0, lost: 0, leftAfterNextSave: 0 };
}

// Model saves: version v has every weight equal to v and says so in its metadata.
const modelScript = `
  import * as tf from '@tensorflow/tfjs-core';
  import * as tfl from '@tensorflow/tfjs-layers';
  import { fileSystemHandler, initBackend } from '@facerec/node';
  await initBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [512], units: 1024 })] });
  console.log('ready');
  for (let v = Number(process.argv[2]); ; v++) {
    model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, v)));
    model.setUserDefinedMetadata({ version: v });
    await model.save(fileSystemHandler(process.argv[1]));
    console.log('saved ' + v);
  }
`;
async function soakModelSaves() {
  const report = killReport('model save');
  const dir = path.join(work, 'model-kills', 'model');
  let confirmed = 0;
  for (let k = 0; k < KILLS; k++) {
    await killAtRandom(modelScript, [dir, String(confirmed + 1)], 600, (v) => (confirmed = Math.max(confirmed, Number(v))));
    report.kills++;
    if (besides(dir).length > 0) report.killedMidWrite++;
    if (confirmed === 0) continue;
    let model;
    try {
      model = await tfl.loadLayersModel(fileSystemHandler(dir));
    } catch (error) {
      report.lost++;
      fail(`model save kill ${k}: the saved model does not load (${error.message})`);
      continue;
    }
    const version = model.getUserDefinedMetadata()?.version;
    const mixed = model.getWeights().some((w) => w.dataSync().some((x) => x !== version));
    if (!(version >= confirmed) || mixed) {
      report.lost++;
      fail(`model save kill ${k}: loaded version ${version}${mixed ? ' with weights of another version' : ''}, last confirmed ${confirmed}`);
    }
    confirmed = Math.max(confirmed, version);
    await model.save(fileSystemHandler(dir)); // the next save
    model.dispose();
    const left = besides(dir);
    if (left.length > 0) {
      report.leftAfterNextSave++;
      fail(`model save kill ${k}: left after the next save: ${left.join(', ')}`);
    }
  }
  return report;
}

// Gallery saves: the child adds a person with 20 embeddings and saves, again and again; each saved person must survive.
const galleryScript = `
  import { Gallery, loadGallery, saveGallery } from '@facerec/node';
  import { existsSync } from 'node:fs';
  const [dir, round] = process.argv.slice(1);
  const unit = () => { const v = Float32Array.from({ length: 128 }, () => Math.random() - 0.5); const n = Math.hypot(...v); return v.map((x) => x / n); };
  const g = existsSync(dir) ? await loadGallery(dir) : new Gallery(undefined, { embedder: 'soak', dimensions: 128, threshold: 0.5 });
  console.log('ready');
  for (let i = 0; ; i++) {
    const label = 'r' + round + 'p' + i;
    await g.enroll(label, Array.from({ length: 20 }, unit));
    await saveGallery(g, dir);
    console.log('saved ' + label);
  }
`;
async function soakGallerySaves() {
  const report = killReport('gallery save');
  const dir = path.join(work, 'gallery-kills', 'gallery');
  const confirmed = new Set();
  for (let k = 0; k < KILLS; k++) {
    await killAtRandom(galleryScript, [dir, String(k)], 400, (label) => confirmed.add(label));
    report.kills++;
    if (besides(dir).length > 0) report.killedMidWrite++;
    if (confirmed.size === 0) continue;
    await checkGallery(report, `gallery save kill ${k}`, dir, confirmed);
  }
  report.people = confirmed.size;
  return report;
}

/** Every confirmed label is in the gallery; after one more save nothing but the gallery is left beside it. */
async function checkGallery(report, what, dir, confirmed) {
  try {
    const saved = await loadGallery(dir);
    const labels = new Set(saved.labels());
    const missing = [...confirmed].filter((l) => !labels.has(l));
    if (missing.length > 0) {
      report.lost += missing.length;
      fail(`${what}: lost ${missing.join(', ')}`);
    }
    saved.dispose();
    await updateGallery(dir, undefined, () => undefined); // the next save, under the lock
  } catch (error) {
    report.lost++;
    fail(`${what}: ${error.message}`);
    return;
  }
  const left = besides(dir);
  if (left.length > 0) {
    report.leftAfterNextSave++;
    fail(`${what}: left after the next save: ${left.join(', ')}`);
  }
}

// `facerec enroll`: each round one enrolment is killed at a random moment while another runs to the end
// (taking over the killed one's lock when it held it). Most of an enrolment is loading models and embedding;
// the kill moment is drawn from the second half of a typical run, where the lock and the save happen.
async function soakEnrol() {
  const report = { ...killReport('enroll'), concurrentCompleted: 0, killedAfterSuccess: 0 };
  const dir = path.join(work, 'enrol-kills', 'gallery');
  const flags = ['--preset', preset, '--backend', 'wasm', '--threads', '1'];
  const confirmed = new Set();
  const durations = [];
  const enroll = async (label, person, killAfterMs) => {
    const t0 = performance.now();
    const args = [cli, 'enroll', dir, label, path.join(orl, `s${person}`, `${1 + (person % 10)}.pgm`), ...flags];
    const result = await child(args, killAfterMs === undefined ? {} : { killAfterMs });
    if (result.code === 0) durations.push(performance.now() - t0);
    return result;
  };
  const first = await enroll('first', 1);
  if (first.code !== 0) fail(`enroll: the first enrolment failed: ${first.err}`);
  else confirmed.add('first');
  for (let k = 0; k < KILLS; k++) {
    const typical = [...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)] ?? 6000;
    const killed = enroll(`killed${k}`, 1 + (k % 40), typical * (0.5 + 0.7 * Math.random())).then((r) => {
      // Looked at before the concurrent enrolment's save cleans up after it.
      if (r.killed && leftBy(dir, r.pid)) report.killedMidWrite++;
      return r;
    });
    const [gone, other] = await Promise.all([killed, enroll(`other${k}`, 1 + ((k + 20) % 40))]);
    report.kills++;
    if (!gone.killed && gone.code === 0) {
      report.killedAfterSuccess++;
      confirmed.add(`killed${k}`);
    }
    if (other.code === 0) {
      confirmed.add(`other${k}`);
      report.concurrentCompleted++;
    } else fail(`enroll round ${k}: the concurrent enrolment failed (${other.code}): ${other.err.trim().split('\n').pop()}`);
    await checkGallery(report, `enroll kill ${k}`, dir, confirmed);
  }
  report.msPerEnrol = Math.round([...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)]);
  return report;
}

t = performance.now();
const kills = [await soakModelSaves(), await soakGallerySaves(), await soakEnrol()];
for (const r of kills) console.log(`${r.name}: ${r.kills} kills, ${r.killedMidWrite} left a temp folder or lock behind, ${r.lost} lost, ${r.leftAfterNextSave} left after the next save`);
const killSeconds = Math.round((performance.now() - t) / 1000);
rmSync(work, { recursive: true, force: true });

const file = writeResult('soak', {
  scale,
  backend: backend.backend,
  preset,
  gcExposed: Boolean(globalThis.gc),
  flatTolerance: FLAT,
  identify,
  enrolRemove,
  kills,
  killSeconds,
  seconds: Math.round((performance.now() - started) / 1000),
  failures,
  pass: failures.length === 0,
});
console.log(`${failures.length === 0 ? 'PASS' : `FAIL (${failures.length})`}: wrote ${path.relative(repoRoot, file)} in ${Math.round((performance.now() - started) / 1000)} s`);
process.exitCode = failures.length === 0 ? 0 : 1;
