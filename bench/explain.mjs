// Faithfulness of facerec's match explanations: the deletion test on lfw-dev pairs (same-person pairs and the
// highest-scoring different-person pairs). For each pair and each face, the face's regions are blanked (grey 128)
// most important first, 1/16 of the face per step, the other face kept whole; the similarity is re-embedded after
// each step. The curves of one face are normalised together, 1 at the start and 0 at the lowest similarity any order
// reached on that face, n_k = (s_k − floor) / (s_0 − floor) (not the all-grey face: dlib scores a grey face 0.85–0.89
// against anyone, as high as a look-alike, and scattered grey cells drop it lower than a whole grey face does),
// and its area over the blanked fraction 0..1 (trapezoids) is the deletion AUC: lower = the map found what the
// similarity rests on sooner. Orders compared: the embedder's gradient methods (dlib: integrated gradients, gradient ×
// input, Grad-CAM; faceres: Grad-CAM), occlusion, random (seeded), and a centre prior (cells nearest the centre of the
// five landmarks first). Each method runs with explainMatch's defaults. The `_gradcam` keys hold the gradient method
// the library uses by default for the embedder (`gradcam_key_method` names it: integrated gradients for dlib);
// Grad-CAM's own numbers, where it is not that method, are under `_gradcam_layer`. Also the time of explainMatch per pair (landmarks
// given): wall and CPU (process.cpuUsage, both WASM threads), medians over the pairs.
// EXPLAIN_TIMING=N: only the timing, N runs of each gradient method on each pair (no deletion test), written to
// bench-results/explain-timing.json: the command for a quiet machine is
//   EXPLAIN_TIMING=10 EXPLAIN_SAME=2 EXPLAIN_DIFFERENT=2 EXPLAIN_CANDIDATES=40 pnpm bench:explain
// Usage: pnpm bench:explain   env: FACEREC_DATASETS (default ../shared/datasets), EXPLAIN_PRESET (default),
//   EXPLAIN_SAME (same-person pairs, default 20), EXPLAIN_DIFFERENT (top different-person pairs, default 20),
//   EXPLAIN_CANDIDATES (different-person pairs scored to pick them, default 300), EXPLAIN_STAGE (Grad-CAM
//   layer; a comma list compares more layers), EXPLAIN_SKIP_OCCLUSION=1, EXPLAIN_DOCS=1 (write docs/explain-match.png and docs/explain-lookalike.png instead; =with: and then run the test),
//   EXPLAIN_OCCLUSION (occlusion layouts `g<grid>p<patchCells>r<rounds>`, e.g. g8p1r4; default explainMatch's own; a comma
//   list compares more, the first under the `_occlusion` keys), EXPLAIN_DEV=1 (dev pairs for choosing a design, disjoint
//   from the measured ones: same-person pairs from the 201st of the interleaved list on, different-person candidates
//   from the 301st on; results go to explain-<preset>-dev-<pairs>.json).
// A non-default preset with the standard 20 + 20 pairs also writes its results into explain.json under the key
// `<preset>` (e.g. `faceres`); a default run keeps that key.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_EXPLAIN_METHODS, encodePng, explainMatch, explanationPicture, GRADCAM_STAGES, initBackend, lfwImagePath, loadFacePipeline, parseLfwPairs, readImage, upsampleHeatMap } from '@facerec/node';
import { templateInPixels } from '@facerec/core/internal';
import { repoRoot, writeResult } from './lib.mjs';

const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const lfw = path.join(datasets, 'lfw-dev');
const preset = process.env.EXPLAIN_PRESET ?? 'default';
const nSame = Number(process.env.EXPLAIN_SAME ?? 20);
const nDifferent = Number(process.env.EXPLAIN_DIFFERENT ?? 20);
const nCandidates = Number(process.env.EXPLAIN_CANDIDATES ?? 300);
const stages = (process.env.EXPLAIN_STAGE ?? '').split(',').filter(Boolean);
const stage = stages[0];
const skipOcclusion = process.env.EXPLAIN_SKIP_OCCLUSION === '1';
const timingRuns = Number(process.env.EXPLAIN_TIMING ?? 0);
const dev = process.env.EXPLAIN_DEV === '1';
// Dev split offsets: the measured pairs come from the first 10 × EXPLAIN_SAME same-person pairs (20 → 200) and the first
// EXPLAIN_CANDIDATES different-person pairs (300) of the interleaved lists; dev pairs start after both.
const DEV_SAME_FROM = 200, DEV_DIFFERENT_FROM = 300;
/** An occlusion layout from `g<grid>p<patchCells>r<rounds>` (any part may be left out: explainMatch's default). */
const parseLayout = (spec) => {
  const m = /^(?:g(\d+))?(?:p(\d+))?(?:r(\d+))?$/.exec(spec);
  if (!m) throw new Error(`EXPLAIN_OCCLUSION: "${spec}" is not g<grid>p<patchCells>r<rounds>`);
  return { ...(m[1] ? { grid: Number(m[1]) } : {}), ...(m[2] ? { patchCells: Number(m[2]) } : {}), ...(m[3] ? { rounds: Number(m[3]) } : {}) };
};
// EXPLAIN_VARIANTS='{"name": {explainMatch options}, …}': more maps to compare in the same run (reported under `variants`).
const variants = JSON.parse(process.env.EXPLAIN_VARIANTS ?? '{}');
const occlusionSpecs = (process.env.EXPLAIN_OCCLUSION ?? '').split(',').filter(Boolean);
const occlusionLayouts = occlusionSpecs.map(parseLayout);
const GRID = 16; // ranking grid over the crop: 256 cells, 16 per step
const STEPS = 16;
const FILL = 128;

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const backend = await initBackend('wasm');
console.log(`backend ${backend.backend}; preset ${preset}; load average ${load()}; ${os.cpus().length} cores`);
const loadStart = os.loadavg();
const pipeline = await loadFacePipeline({ preset });
const embedder = pipeline.embedder;
const size = embedder.spec.inputSize;
const identity = templateInPixels(embedder.spec.template, size);

// Pairs: the first same-person pairs of each fold in turn, and the highest-scoring of the first different-person ones.
const all = parseLfwPairs(readFileSync(path.join(lfw, 'pairs.txt'), 'utf8'));
const byFold = (same) => { const folds = new Map(); for (const p of all.filter((q) => q.same === same)) { if (!folds.has(p.fold)) folds.set(p.fold, []); folds.get(p.fold).push(p); } return [...folds.values()]; };
const interleave = (folds, n) => { const out = []; for (let i = 0; out.length < n && folds.some((f) => i < f.length); i++) for (const f of folds) if (i < f.length && out.length < n) out.push(f[i]); return out; };
const faces = new Map();
async function face(ref) {
  const file = lfwImagePath(ref.name, ref.index);
  if (!faces.has(file)) {
    const image = await readImage(path.join(lfw, 'images', file));
    const found = await pipeline.embedMainFace(image);
    faces.set(file, found ? { image, landmarks: found.landmarks, embedding: found.embedding } : null);
  }
  return faces.get(file);
}
const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const candidates = dev ? interleave(byFold(false), DEV_DIFFERENT_FROM + nCandidates).slice(DEV_DIFFERENT_FROM) : interleave(byFold(false), nCandidates);
const scored = [];
for (const p of candidates) {
  const [a, b] = [await face(p.a), await face(p.b)];
  if (a && b) scored.push({ pair: p, score: dot(a.embedding, b.embedding) });
}
scored.sort((x, y) => y.score - x.score);
// Same-person pairs in which a face is not found are skipped (the next ones are taken).
const sameFound = [];
for (const p of dev ? interleave(byFold(true), DEV_SAME_FROM + 10 * nSame).slice(DEV_SAME_FROM) : interleave(byFold(true), 10 * nSame)) {
  if (sameFound.length >= nSame) break;
  if ((await face(p.a)) && (await face(p.b))) sameFound.push(p);
}
const pairs = [...sameFound.map((p) => ({ pair: p, kind: 'same' })), ...scored.slice(0, nDifferent).map((s) => ({ pair: s.pair, kind: 'different' }))];
console.log(`${pairs.length} ${dev ? 'dev ' : ''}pairs (${nSame} same-person, the ${nDifferent} highest-scoring of ${scored.length} different-person: scores ${scored[0]?.score.toFixed(3)}..${scored[nDifferent - 1]?.score.toFixed(3)}); load ${load()}`);

// EXPLAIN_DOCS=1: the README's example pictures, a true match (the first same-person pair) and a look-alike (the
// highest-scoring different-person pair), then stop; EXPLAIN_DOCS=with: the pictures, then the deletion test.
if (process.env.EXPLAIN_DOCS === '1' || process.env.EXPLAIN_DOCS === 'with') {
  for (const [kind, name] of [['same', 'explain-match'], ['different', 'explain-lookalike']]) {
    const { pair } = pairs.find((p) => p.kind === kind);
    const [a, b] = [await face(pair.a), await face(pair.b)];
    // The embedder's default method (DEFAULT_EXPLAIN_METHODS).
    const ex = await explainMatch(pipeline, { image: a.image, landmarks: a.landmarks }, { image: b.image, landmarks: b.landmarks });
    const captions = [pair.a, pair.b].map((r) => `${r.name} ${r.index}`);
    writeFileSync(path.join(repoRoot, 'docs', `${name}.png`), encodePng(explanationPicture(ex, { captions, panel: 200 })));
    console.log(`docs/${name}.png: ${captions.join(' vs ')}, ${ex.method}, similarity ${ex.score.toFixed(3)}`);
  }
  if (process.env.EXPLAIN_DOCS === '1') {
    pipeline.dispose();
    process.exit(0);
  }
}

// The gradient methods and occlusion, each with its defaults (Grad-CAM: EXPLAIN_STAGE or the embedder's layer). The
// first is the library's default gradient method for this embedder (reported under the `_gradcam` keys).
const defaultGradient = DEFAULT_EXPLAIN_METHODS[embedder.spec.name] ?? 'gradcam';
const inputGradients = defaultGradient === 'gradcam' ? [] : ['integrated-gradients', 'gradient-x-input'];
const gradientMethods = [...new Set([defaultGradient, ...inputGradients, 'gradcam'])];
/** The result-key suffix of a method: `gradcam` for the default gradient method, `gradcam_layer` for Grad-CAM when it is not. */
const keyOf = (m) => (m === defaultGradient ? 'gradcam' : m === 'gradcam' ? 'gradcam_layer' : m.replace(/-/g, '_'));
const methods = skipOcclusion ? gradientMethods : [...gradientMethods, 'occlusion'];
const optionsOf = (method) => ({ method, ...(stage && method === 'gradcam' ? { stage } : {}), ...(method === 'occlusion' ? occlusionLayouts[0] : {}) });
/** explainMatch's wall and CPU time (ms; CPU of the whole process: both WASM threads). */
async function timed(inputs, method) {
  return timedWith(inputs, optionsOf(method));
}
async function timedWith(inputs, options) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const ex = await explainMatch(pipeline, inputs[0], inputs[1], options);
  const cpu = process.cpuUsage(c0);
  return { ex, wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
}
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const r = (x) => Math.round(x * 10000) / 10000;

// EXPLAIN_TIMING=N: N runs per gradient method and pair (after one warm-up each), medians; then stop.
if (timingRuns > 0) {
  const times = {};
  for (const { pair } of pairs) {
    const [a, b] = [await face(pair.a), await face(pair.b)];
    const inputs = [{ image: a.image, landmarks: a.landmarks }, { image: b.image, landmarks: b.landmarks }];
    for (const method of gradientMethods) {
      await timed(inputs, method);
      for (let i = 0; i < timingRuns; i++) { const t = await timed(inputs, method); (times[method] ??= { wall: [], cpu: [] }).wall.push(t.wall); times[method].cpu.push(t.cpu); }
    }
  }
  const result = {
    ...Object.fromEntries(gradientMethods.flatMap((m) => [[`ms_per_pair_${keyOf(m)}`, r(median(times[m].wall))], [`cpu_ms_per_pair_${keyOf(m)}`, r(median(times[m].cpu))]])),
    gradcam_key_method: defaultGradient,
    pairs: pairs.length, runs_per_pair: timingRuns, preset, threads: backend.details.threads ?? null,
    loadavg_start: loadStart.map((l) => r(l)), loadavg_end: os.loadavg().map((l) => r(l)), backend: backend.backend,
  };
  for (const m of gradientMethods) console.log(`${m.padEnd(20)} median ${result[`ms_per_pair_${keyOf(m)}`].toFixed(1)} ms wall, ${result[`cpu_ms_per_pair_${keyOf(m)}`].toFixed(1)} ms CPU per pair`);
  console.log(`load ${load()}; wrote ${path.relative(repoRoot, writeResult('explain-timing', result))}`);
  pipeline.dispose();
  process.exit(0);
}

// Seeded random orders (mulberry32).
let seed = 17;
const random = () => { seed = (seed + 0x6d2b79f5) | 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const cx = identity.reduce((s, p) => s + p.x, 0) / identity.length / size, cy = identity.reduce((s, p) => s + p.y, 0) / identity.length / size;
const centreOrder = [...Array(GRID * GRID).keys()].sort((i, j) => {
  const d = (k) => ((k % GRID + 0.5) / GRID - cx) ** 2 + ((Math.floor(k / GRID) + 0.5) / GRID - cy) ** 2;
  return d(i) - d(j);
});
/** Cells of the ranking grid, most important first, from a map (its raw values upsampled to the grid). */
const orderOf = (map) => { const v = upsampleHeatMap({ rows: map.rows, cols: map.cols, values: map.raw }, GRID, GRID); return [...v.keys()].sort((i, j) => v[j] - v[i]); };
const randomOrder = () => { const o = [...Array(GRID * GRID).keys()]; for (let i = o.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [o[i], o[j]] = [o[j], o[i]]; } return o; };

/** The deletion curve of one face (RawImage crop) against a target embedding, blanking cells in `order`: similarities at each step. */
async function deletionCurve(crop, target, order) {
  const perStep = (GRID * GRID) / STEPS;
  const frames = new Float32Array((STEPS + 1) * size * size * 3);
  const pixels = Float32Array.from(crop.data);
  for (let k = 0; k <= STEPS; k++) {
    if (k > 0) {
      for (const cell of order.slice((k - 1) * perStep, k * perStep)) {
        const gx = cell % GRID, gy = Math.floor(cell / GRID);
        const x0 = Math.round((gx * size) / GRID), x1 = Math.round(((gx + 1) * size) / GRID);
        for (let y = Math.round((gy * size) / GRID); y < Math.round(((gy + 1) * size) / GRID); y++) pixels.fill(FILL, (y * size + x0) * 3, (y * size + x1) * 3);
      }
    }
    frames.set(pixels, k * size * size * 3);
  }
  const batch = tf.tensor4d(frames, [STEPS + 1, size, size, 3]);
  const embeddings = await embedder.embedCrops(batch);
  batch.dispose();
  const s = embeddings.map((e) => dot(e, target));
  if (process.env.EXPLAIN_DEBUG) console.log(debugName, s.map((v) => v.toFixed(3)).join(' '));
  return s;
}

let debugName = '';
const sums = {};
const ms = {};
const cpuMs = {};
const byKind = { same: {}, different: {} };
let done = 0;
for (const { pair, kind } of pairs) {
  const [a, b] = [await face(pair.a), await face(pair.b)];
  const inputs = [{ image: a.image, landmarks: a.landmarks }, { image: b.image, landmarks: b.landmarks }];
  const explanations = {};
  for (const method of methods) {
    const t = await timed(inputs, method);
    explanations[method] = t.ex;
    (ms[method] ??= []).push(t.wall);
    (cpuMs[method] ??= []).push(t.cpu);
  }
  for (const extra of stages.slice(1)) explanations[`gradcam@${extra}`] = await explainMatch(pipeline, inputs[0], inputs[1], { method: 'gradcam', stage: extra });
  for (const [name, options] of Object.entries(variants)) {
    const t = await timedWith(inputs, options);
    explanations[name] = t.ex;
    (ms[name] ??= []).push(t.wall);
    (cpuMs[name] ??= []).push(t.cpu);
  }
  if (!skipOcclusion) {
    for (const [i, spec] of occlusionSpecs.entries()) {
      if (i === 0) continue;
      const t = await timedWith(inputs, { method: 'occlusion', ...occlusionLayouts[i] });
      explanations[`occlusion@${spec}`] = t.ex;
      (ms[`occlusion@${spec}`] ??= []).push(t.wall);
      (cpuMs[`occlusion@${spec}`] ??= []).push(t.cpu);
    }
  }
  const crops = explanations.gradcam.faces.map((f) => f.face);
  const pairTensor = tf.tensor4d(Float32Array.from([...crops[0].data, ...crops[1].data]), [2, size, size, 3]);
  const cropEmbeddings = await embedder.embedCrops(pairTensor);
  pairTensor.dispose();
  for (const side of [0, 1]) {
    const target = cropEmbeddings[1 - side];
    const orders = { random: randomOrder(), center: centreOrder };
    for (const [name, ex] of Object.entries(explanations)) orders[name] = orderOf(ex.faces[side].map);
    const curves = {};
    for (const [name, order] of Object.entries(orders)) {
      debugName = `${kind} ${side} ${name}`.padEnd(22);
      curves[name] = await deletionCurve(crops[side], target, order);
    }
    // One normalisation per face for all orders: 1 at the start, 0 at the lowest similarity any order reached.
    const floor = Math.min(...Object.values(curves).flat());
    for (const [name, s] of Object.entries(curves)) {
      const n = s.map((v) => (v - floor) / (s[0] - floor));
      let auc = 0;
      for (let k = 0; k < STEPS; k++) auc += (n[k] + n[k + 1]) / 2 / STEPS;
      (sums[name] ??= []).push(auc);
      (byKind[kind][name] ??= []).push(auc);
    }
  }
  done++;
  if (done % 5 === 0 || done === pairs.length) console.log(`  ${done}/${pairs.length} pairs; load ${load()}`);
}
// The gradient methods' times come from a pass of their own over the pairs, one method at a time: in the loop above
// each call follows occlusion's 160 re-embeddings per face, whose garbage collection lands in it (about +10% here).
// Their times in that loop stay in `*_interleaved`.
const interleaved = {};
for (const method of gradientMethods) {
  interleaved[method] = { wall: ms[method], cpu: cpuMs[method] };
  ms[method] = [];
  cpuMs[method] = [];
  for (const { pair } of pairs) {
    const [a, b] = [await face(pair.a), await face(pair.b)];
    const t = await timed([{ image: a.image, landmarks: a.landmarks }, { image: b.image, landmarks: b.landmarks }], method);
    ms[method].push(t.wall);
    cpuMs[method].push(t.cpu);
  }
}
console.log(`timed the gradient methods apart; load ${load()}`);
const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
const extra = gradientMethods.filter((m) => m !== defaultGradient);
const result = {
  deletion_auc_gradcam: r(mean(sums[defaultGradient])),
  deletion_auc_occlusion: sums.occlusion ? r(mean(sums.occlusion)) : null,
  deletion_auc_random: r(mean(sums.random)),
  deletion_auc_center: r(mean(sums.center)),
  ms_per_pair_gradcam: r(median(ms[defaultGradient])),
  ms_per_pair_occlusion: ms.occlusion ? r(median(ms.occlusion)) : null,
  pairs: pairs.length,
  gradcam_key_method: defaultGradient,
  ...Object.fromEntries(extra.flatMap((m) => [[`deletion_auc_${keyOf(m)}`, r(mean(sums[m]))], [`ms_per_pair_${keyOf(m)}`, r(median(ms[m]))]])),
  ...Object.fromEntries(methods.map((m) => [`cpu_ms_per_pair_${m === 'occlusion' ? 'occlusion' : keyOf(m)}`, r(median(cpuMs[m]))])),
  ...Object.fromEntries(gradientMethods.map((m) => [`ms_per_pair_${keyOf(m)}_interleaved`, r(median(interleaved[m].wall))])),
  preset,
  gradcam_stage: explainStage(),
  ...Object.fromEntries(stages.slice(1).map((st) => [`deletion_auc_gradcam@${st}`, r(mean(sums[`gradcam@${st}`]))])),
  ...(skipOcclusion ? {} : { occlusion_layout: occlusionSpecs[0] ?? 'default' }),
  ...Object.fromEntries(skipOcclusion ? [] : occlusionSpecs.slice(1).flatMap((sp) => [[`deletion_auc_occlusion@${sp}`, r(mean(sums[`occlusion@${sp}`]))], [`ms_per_pair_occlusion@${sp}`, r(median(ms[`occlusion@${sp}`]))], [`cpu_ms_per_pair_occlusion@${sp}`, r(median(cpuMs[`occlusion@${sp}`]))]])),
  ...(Object.keys(variants).length ? { variants: Object.fromEntries(Object.entries(variants).map(([v, o]) => [v, { options: o, deletion_auc: r(mean(sums[v])), ms_per_pair: r(median(ms[v])), cpu_ms_per_pair: r(median(cpuMs[v])) }])) } : {}),
  by_kind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([m, xs]) => [m, r(mean(xs))]))])),
  protocol: `deletion test: ${GRID}×${GRID} cells blanked grey (${FILL}) most important first, ${STEPS} steps, one face at a time against the other; curve normalised per face (s_k - floor)/(s_0 - floor), floor = the lowest similarity any order reached on that face, AUC by trapezoids over the blanked fraction; mean over ${pairs.length * 2} faces. ms_per_pair: median explainMatch wall time with landmarks given (gradient methods: a pass of their own over the pairs after the deletion test, one method at a time; *_interleaved: their calls within the deletion loop, each after the previous pair's occlusion); cpu_ms_per_pair: median process CPU time of the same calls (both WASM threads).`,
  loadavg_start: loadStart.map((l) => r(l)),
  loadavg_end: os.loadavg().map((l) => r(l)),
  backend: backend.backend,
};
function explainStage() { return stage ?? GRADCAM_STAGES[embedder.spec.name]?.stage; }
const standard = !stage && !dev && Object.keys(variants).length === 0 && nSame === 20 && nDifferent === 20 && occlusionSpecs.length <= 1;
const name = preset === 'default' && standard ? 'explain' : `explain-${preset}${dev ? '-dev' : ''}${stage ? `-${stage.replace(/\W/g, '_')}` : ''}-${pairs.length}`;
const mainFile = path.join(repoRoot, 'bench-results', 'explain.json');
const previous = existsSync(mainFile) ? JSON.parse(readFileSync(mainFile, 'utf8')) : {};
// The default preset's run keeps the other presets' entries of explain.json; another preset's standard run updates its own.
const file = writeResult(name, preset === 'default' && standard ? { ...result, ...Object.fromEntries(Object.entries(previous).filter(([k, v]) => k !== 'by_kind' && v && typeof v === 'object' && !Array.isArray(v))) } : result);
if (preset !== 'default' && standard) writeResult('explain', { ...previous, [preset]: { ...result, machine: undefined, date: new Date().toISOString() } });
const row = (label, v, t) => console.log(`${label.padEnd(22)} ${v.toFixed(3).padStart(8)}   ${(v / result.deletion_auc_random).toFixed(2).padStart(6)}   ${t}`);
console.log(`\ndeletion AUC (lower = more faithful), ${preset}, ${pairs.length} pairs, load ${load()}`);
console.log(`${'order'.padEnd(22)} ${'AUC'.padStart(8)}   ${'×rand'.padStart(6)}   ms/pair`);
for (const m of gradientMethods) row(m, result[`deletion_auc_${keyOf(m)}`], `${result[`ms_per_pair_${keyOf(m)}`].toFixed(1)} (CPU ${result[`cpu_ms_per_pair_${keyOf(m)}`].toFixed(1)})`);
if (sums.occlusion) row(`occlusion ${occlusionSpecs[0] ?? ''}`.trim(), result.deletion_auc_occlusion, `${result.ms_per_pair_occlusion.toFixed(1)} (CPU ${result.cpu_ms_per_pair_occlusion.toFixed(1)})`);
for (const sp of skipOcclusion ? [] : occlusionSpecs.slice(1)) row(`occlusion ${sp}`, result[`deletion_auc_occlusion@${sp}`], `${result[`ms_per_pair_occlusion@${sp}`].toFixed(1)} (CPU ${result[`cpu_ms_per_pair_occlusion@${sp}`].toFixed(1)})`);
for (const [v, x] of Object.entries(result.variants ?? {})) row(v.slice(0, 22), x.deletion_auc, `${x.ms_per_pair.toFixed(1)} (CPU ${x.cpu_ms_per_pair.toFixed(1)})`);
for (const st of stages.slice(1)) row(`${st}`.slice(0, 22), result[`deletion_auc_gradcam@${st}`], '-');
row('random', result.deletion_auc_random, '-');
row('centre', result.deletion_auc_center, '-');
console.log('peers (face-api.js, human, face_recognition, deepface, insightface): not available (none explains a match)');
console.log(`wrote ${path.relative(repoRoot, file)}`);
pipeline.dispose();
