// bench:search's data: real dlib embeddings of lfw-dev faces (cached), and distractors drawn from a Gaussian fitted to them.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, loadFacePipeline, readImage } from '@facerec/node';
import { repoRoot } from './lib.mjs';

export const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const D = 128;

/**
 * Every lfw-dev photo's dlib embedding (default preset, main face or the centre), in folder order:
 * `{ people: string[], person: Int32Array (row → people index), embeddings: Float32Array [rows × 128] }`.
 * Embedding 3,811 photos takes minutes on 2 cores, so the result is cached in the OS temp folder.
 */
export async function lfwEmbeddings({ log = console.log } = {}) {
  const images = path.join(datasets, 'lfw-dev', 'images');
  const cache = path.join(os.tmpdir(), 'facerec-bench-search-lfw-dlib.json');
  if (existsSync(cache)) {
    const c = JSON.parse(readFileSync(cache, 'utf8'));
    return { people: c.people, person: Int32Array.from(c.person), embeddings: Float32Array.from(c.embeddings) };
  }
  if (!existsSync(images)) throw new Error(`${images} not found: set FACEREC_DATASETS to the folder holding lfw-dev`);
  await initBackend('wasm');
  const pipeline = await loadFacePipeline({ preset: 'default' });
  const people = readdirSync(images).sort();
  const files = people.flatMap((p, i) => readdirSync(path.join(images, p)).sort().map((f) => ({ i, file: path.join(images, p, f) })));
  const person = [];
  const rows = [];
  let last = performance.now();
  for (const [k, { i, file }] of files.entries()) {
    const raw = await readImage(file);
    const image = tf.tidy(() => tf.tensor3d(new Float32Array(raw.data), [raw.height, raw.width, raw.channels]));
    try {
      const face = await pipeline.embedMainFaceOrCentre(image);
      person.push(i);
      rows.push(face.embedding);
    } finally {
      image.dispose();
    }
    if (performance.now() - last > 20_000) {
      last = performance.now();
      log(`  embedded ${k + 1}/${files.length} lfw-dev photos`);
    }
  }
  pipeline.dispose();
  const embeddings = new Float32Array(rows.length * D);
  rows.forEach((e, r) => embeddings.set(e, r * D));
  mkdirSync(path.dirname(cache), { recursive: true });
  writeFileSync(`${cache}.tmp`, JSON.stringify({ people, person: [...person], embeddings: [...embeddings] }));
  renameSync(`${cache}.tmp`, cache);
  return { people, person: Int32Array.from(person), embeddings };
}

/** A seeded uniform in [0, 1) (mulberry32), so a run's distractors are the same every time. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sampler (Box–Muller) over `uniform`. */
function normal(uniform) {
  let spare;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * The mean and a square root of the covariance (Cholesky factor, lower triangular, row-major) of one
 * embedding per person, so each identity counts once. Sampling mean + L·z and normalising gives vectors
 * whose cosine to real faces is distributed like a real stranger's.
 */
export function fitGaussian(embeddings, rowsUsed) {
  const n = rowsUsed.length;
  const mean = new Float64Array(D);
  for (const r of rowsUsed) for (let j = 0; j < D; j++) mean[j] += embeddings[r * D + j] / n;
  const cov = new Float64Array(D * D);
  for (const r of rowsUsed) {
    for (let i = 0; i < D; i++) {
      const di = embeddings[r * D + i] - mean[i];
      for (let j = 0; j <= i; j++) cov[i * D + j] += (di * (embeddings[r * D + j] - mean[j])) / (n - 1);
    }
  }
  // Cholesky with a tiny ridge (128 dimensions from ~2,000 people is well conditioned, the ridge is insurance).
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * D + j] + (i === j ? 1e-9 : 0);
      for (let k = 0; k < j; k++) s -= L[i * D + k] * L[j * D + k];
      L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * D + j];
    }
  }
  return { mean, L };
}

/** `count` distractors from the fitted Gaussian, each L2-normalised, into `out` from row `at`. */
export function sampleDistractors({ mean, L }, count, out, at, seed = 7) {
  const z = new Float64Array(D);
  const gauss = normal(seeded(seed));
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < D; j++) z[j] = gauss();
    let norm = 0;
    const base = (at + r) * D;
    for (let i = 0; i < D; i++) {
      let v = mean[i];
      for (let k = 0; k <= i; k++) v += L[i * D + k] * z[k];
      out[base + i] = v;
      norm += v * v;
    }
    const s = 1 / Math.sqrt(norm);
    for (let i = 0; i < D; i++) out[base + i] *= s;
  }
}

/** Cosine of rows `a` and `b` of two [×128] matrices. */
export function cosine(x, a, y, b) {
  let s = 0;
  for (let j = 0; j < D; j++) s += x[a * D + j] * y[b * D + j];
  return s;
}

/** Histogram of `values` in 40 bins over [-0.2, 1], as fractions, with the mean and the 99.9th percentile. */
export function histogram(values) {
  const bins = new Array(40).fill(0);
  for (const v of values) bins[Math.min(39, Math.max(0, Math.floor(((v + 0.2) / 1.2) * 40)))]++;
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), bins: bins.map((b) => +(b / values.length).toFixed(5)) };
}
