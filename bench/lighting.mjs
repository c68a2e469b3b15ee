// bench:lighting — recognition under hard light, the new default recipe (Tan–Triggs + lighting augmentation) beside
// the previous one (no illumination step, 'faces' augmentation), in the same run:
//   Yale: train on the 9 conditions without side light, test on leftlight + rightlight (30 photos), seed CNN and the
//         pretrained few-shot path (class means), the latter with each illumination normalisation before embedding;
//   ORL: bench:orl's protocol (first 5 photos train, last 5 test), and the same test photos relit (synthetic harsh
//         directional light and shadows, see relight());
//   plus the scene, exposure and decode numbers of the other issue-15 benches when their modules are present (scenes and
//   exposure on the `default` and `fast` presets, scenes also with the detection options before the face checks), and
//   LFW from bench-results/lfw.json. Writes bench-results/lighting.json.
// The pretrained few-shot path runs with the default head and, side by side, the head before session 8 (cosines only).
// The seed CNN runs with its defaults (session 9: the texture match fused with its probabilities) and, from the same
// trained weights, without the texture match (its answers before session 9); ORL also relit by one lamp
// (bench/relight.mjs, harsh, extreme and rear).
// Usage: pnpm bench:lighting   (env: FACEREC_DATASETS, BENCH_SEEDS=1,2,3, LIGHTING_SKIP=orl,pretrained,...,
//        LIGHTING_PRETRAINED_METHODS=none,clahe,..., LIGHTING_SIBLINGS=0 keeps the detection keys of the last run,
//        LIGHTING_RECIPES=new trains the seed CNN with the new recipe only: the previous recipe's keys are then null)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, describeBackendSelection, initBackend, loadFacePipeline, loadImageFolder, normalizeIllumination, preprocessBatch, readImage } from '@facerec/node';
import { machine, median, printTable, repoRoot, writeResult } from './lib.mjs';
import { relightFace } from './relight.mjs';

const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
const SKIP = new Set((process.env.LIGHTING_SKIP ?? '').split(',').filter(Boolean));
const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const SIDE_LIT = new Set(['leftlight', 'rightlight']);

/**
 * The recipes compared: the previous default (no illumination step, no texture match) and the new one
 * (FaceRecognizer's defaults, also measured without its texture match).
 */
const ALL_RECIPES = {
  previous: { options: { illumination: null, texture: null }, fit: {} },
  new: { options: {}, fit: {} },
};
const RECIPES = Object.fromEntries((process.env.LIGHTING_RECIPES ?? 'previous,new').split(',').map((name) => [name, ALL_RECIPES[name]]));

/**
 * A harsh relighting of a gray face, seeded by `k`: light from a direction drawn around the face (left/right
 * mostly), a Lambertian-like fall-off to 6% on the far side, a soft cast shadow over up to half of the face, and
 * a gamma in [0.6, 1.8]. Not the training augmentation's model (a different fall-off, shadow and exposure).
 */
export function relight(image, k) {
  const { width, height, channels, data } = image;
  let s = (k + 1) * 2654435761 >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 3266489917) >>> 0) / 4294967296);
  const angle = (rnd() < 0.5 ? 0 : Math.PI) + (rnd() - 0.5) * 1.6;
  const [lx, ly] = [Math.cos(angle), Math.sin(angle)];
  const shadowAngle = angle + Math.PI + (rnd() - 0.5) * 1.2;
  const [sx, sy] = [Math.cos(shadowAngle), Math.sin(shadowAngle)];
  const shadowDepth = 0.4 + 0.5 * rnd();
  const shadowEdge = (rnd() - 0.5) * 0.5;
  const gamma = 0.6 + 1.2 * rnd();
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (2 * x) / (width - 1) - 1;
      const v = (2 * y) / (height - 1) - 1;
      const lambert = Math.max(0, Math.min(1, 0.5 + 0.8 * (u * lx + v * ly)));
      const light = (0.06 + 0.94 * lambert ** 1.4) * (1 - shadowDepth / (1 + Math.exp(-(u * sx + v * sy - shadowEdge) / 0.06)));
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        out[i] = Math.round(255 * Math.min(1, ((data[i] / 255) * light) ** gamma));
      }
    }
  }
  return { width, height, channels, data: out };
}

/** Yale: `{ label, condition, image }` for every photo, in file order. */
async function loadYale(dir) {
  const photos = [];
  for (const subject of readdirSync(dir).filter((d) => d.startsWith('subject')).sort()) {
    for (const file of readdirSync(path.join(dir, subject)).sort()) {
      photos.push({ label: subject, condition: file.split('.')[1], image: await readImage(path.join(dir, subject, file)), source: file });
    }
  }
  return photos;
}

/**
 * Accuracy of a seed CNN trained with `recipe` on `train`, on each named test set, with training wall and CPU seconds;
 * for a model with a texture match also `no_texture`: the same weights answering by their probabilities alone.
 */
async function cnnAccuracy(recipe, train, tests, seed) {
  const cpu0 = process.cpuUsage();
  const recognizer = new FaceRecognizer({ architecture: 'seed-cnn', inputSize: [64, 64], channels: 1, seed, ...recipe.options });
  const result = await recognizer.fit(train, recipe.fit);
  const cpu = process.cpuUsage(cpu0);
  const out = { seconds: result.seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6, load_average: os.loadavg()[0] };
  for (const [name, set] of Object.entries(tests)) out[name] = (await recognizer.evaluate(set)).accuracy;
  const bare = await withoutTexture(recognizer);
  if (bare) {
    out.no_texture = {};
    for (const [name, set] of Object.entries(tests)) out.no_texture[name] = (await bare.evaluate(set)).accuracy;
    bare.dispose();
  }
  recognizer.dispose();
  return out;
}

/** `recognizer` saved and loaded again without its texture match (as a model saved before it existed), or undefined when it has none. */
async function withoutTexture(recognizer) {
  let artifacts;
  await recognizer.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const { texture, ...metadata } = artifacts.userDefinedMetadata.facerec;
  return texture ? FaceRecognizer.load(tf.io.fromMemory({ ...artifacts, userDefinedMetadata: { facerec: metadata } })) : undefined;
}

/** The median of `runs`' `key` (a test set), or of their `no_texture` answers with `bare`. */
const medianOf = (runs, key, bare = false) => median(runs.map((r) => (bare ? r.no_texture?.[key] : r[key])));

/** A gray or RGB RawImage passed through an illumination normalisation (Tan–Triggs rescaled to 0..255). */
function normalizedImage(image, method) {
  return tf.tidy(() => {
    const t = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, image.channels]);
    let y = normalizeIllumination(t, method);
    if (method === 'tan-triggs') y = tf.mul(tf.add(y, 10), 255 / 20);
    return { width: image.width, height: image.height, channels: image.channels, data: Float32Array.from(y.dataSync()) };
  });
}

/**
 * The class-mean head as it was before session 8 (cosines only, no crop geometry): texture off, and the backbone
 * made to report every face as not found, so no crop geometry is learnt (the old head did not look).
 */
const previousHead = (pipeline) => ({
  options: { texture: null },
  backbone: { embedder: pipeline.embedder, refiner: pipeline.refiner, embedMainFaceOrCentre: async (image) => ({ ...(await pipeline.embedMainFaceOrCentre(image)), found: false }) },
});

/**
 * Class-mean accuracy of the pretrained pipeline on `test` after fitting on `train`, each image normalised first;
 * the default head, or the previous one with `previous`.
 */
async function pretrainedAccuracy(pipeline, train, test, method, previous = false) {
  const prep = (set) => set.map((d) => ({ ...d, image: method === 'none' ? d.image : normalizedImage(d.image, method) }));
  const head = previous ? previousHead(pipeline) : { options: {}, backbone: pipeline };
  const recognizer = new FaceRecognizer({ backbone: head.backbone, head: 'class-mean', ...head.options });
  await recognizer.fit(prep(train));
  const { accuracy } = await recognizer.evaluate(prep(test));
  recognizer.dispose();
  return accuracy;
}

/**
 * Nearest class mean (cosine) on the recipe's 64×64 gray inputs, without a CNN: how far the preprocessing alone
 * separates people (the simple classifier Tan & Triggs measured with).
 */
async function classMeanOnPixels(illumination, train, tests) {
  const config = { inputSize: [64, 64], channels: 1, normalization: 'standardize', ...(illumination ? { illumination } : {}) };
  const labels = [...new Set(train.map((d) => d.label))];
  const features = (set) => tf.tidy(() => {
    const x = tf.reshape(preprocessBatch(set.map((d) => d.image), config), [set.length, -1]);
    return tf.div(x, tf.norm(x, 2, 1, true));
  });
  const means = tf.tidy(() => {
    const f = features(train);
    const rows = labels.map((l) => tf.mean(tf.gather(f, train.flatMap((d, i) => (d.label === l ? [i] : []))), 0));
    const m = tf.stack(rows);
    return tf.div(m, tf.norm(m, 2, 1, true));
  });
  const out = {};
  for (const [name, set] of Object.entries(tests)) {
    const best = tf.tidy(() => tf.argMax(tf.matMul(features(set), means, false, true), 1));
    const predicted = await best.data();
    best.dispose();
    out[name] = set.filter((d, i) => labels[predicted[i]] === d.label).length / set.length;
  }
  means.dispose();
  return out;
}

/**
 * Imports `file`'s export `name` when a sibling bench module declares it, else undefined. The source is read first:
 * importing a bench script without that export would run its whole benchmark.
 */
async function optionalExport(file, name) {
  const full = path.join(repoRoot, 'bench', file);
  if (!existsSync(full) || !new RegExp(`export\\s+(async\\s+)?function\\s+${name}\\b`).test(readFileSync(full, 'utf8'))) return undefined;
  const module = await import(pathToFileURL(full).href);
  return typeof module[name] === 'function' ? module[name] : undefined;
}

/** A committed result file of another bench, or undefined. */
const previousResult = (name) => {
  const file = path.join(repoRoot, 'bench-results', `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};
/**
 * With LIGHTING_SIBLINGS=0 the detection keys (scenes, exposure) are not measured: they are carried over from
 * bench-results/lighting.json as it stands at each write, so a detection run that updates them meanwhile is kept.
 */
const DETECTION_KEY = /^(scene_|lfw_(dark|bright|normal)_detection|lfw_exposure_detail|exposure_|date_detection)/;
function carryDetectionKeys(into) {
  const now = previousResult('lighting');
  if (process.env.LIGHTING_SIBLINGS !== '0' || !now) return into;
  const carried = Object.fromEntries(Object.entries(now).filter(([k]) => DETECTION_KEY.test(k)));
  return {
    ...into, ...carried,
    protocol: { ...into.protocol, ...(now.protocol?.lfw_exposure ? { lfw_exposure: now.protocol.lfw_exposure } : {}) },
    detection_keys_source: 'LIGHTING_SIBLINGS=0: the scene_* and lfw_*_detection_misses* keys were not measured by this run; they are carried over from bench-results/lighting.json as it stood when this run wrote it (see scene_source, exposure_source)',
  };
}

const selection = await initBackend('auto');
console.log(`bench:lighting on ${machine()}\nbackend: ${describeBackendSelection(selection)}\nload average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const result = { protocol: {}, backend: selection.backend, seeds: SEEDS, load_average_start: os.loadavg() };
/** Writes what is measured so far (atomically), so a failure later in the run keeps it. */
const save = () => writeResult('lighting', carryDetectionKeys({ ...result, load_average_now: os.loadavg() }));

// Yale.
const yale = await loadYale(path.join(datasets, 'yale'));
const yaleTrain = yale.filter((p) => !SIDE_LIT.has(p.condition));
const yaleTest = yale.filter((p) => SIDE_LIT.has(p.condition));
result.protocol.yale = `train on the ${yaleTrain.length} photos without side light (15 people, 9 conditions), test on the ${yaleTest.length} leftlight/rightlight photos; whole 320×243 photos`;
const orlData = SKIP.has('orl') ? undefined : await loadImageFolder(path.join(datasets, 'orl'), { split: { type: 'first', count: 5 } });
const orlRelit = orlData?.test.map((d, i) => ({ ...d, image: relight(d.image, i) }));
result.protocol.orl_relit = 'ORL test photos (last 5 per person) relit by relight() in bench/lighting.mjs: directional light from a random side falling to 6%, a soft cast shadow taking 40–90%, gamma 0.6–1.8';
const orlLamp = Object.fromEntries(['harsh', 'extreme', 'rear'].map((severity) => [severity, orlData?.test.map((d, i) => ({ ...d, image: relightFace(d.image, i, severity) }))]));
result.protocol.orl_lamp = 'ORL test photos relit by one point lamp (relightFace() in bench/relight.mjs): harsh 60–80° off the camera axis with 3% ambient light, extreme 80–95° with 1.5%, rear 95–130° (from behind the plane of the face) with 1%; seed CNN only';

// Nearest class mean on the preprocessed pixels (no CNN), per illumination step.
result.class_mean_on_pixels = {};
for (const method of [null, 'equalize', 'clahe', 'tan-triggs']) {
  const r = { ...(await classMeanOnPixels(method, yaleTrain, { yale: yaleTest })), ...(orlData ? await classMeanOnPixels(method, orlData.train, { orl: orlData.test, orl_relit: orlRelit }) : {}) };
  result.class_mean_on_pixels[method ?? 'none'] = r;
  console.log(`class means on 64×64 pixels, illumination ${method ?? 'none'}: Yale ${(r.yale * 100).toFixed(1)}%${orlData ? `, ORL ${(r.orl * 100).toFixed(1)}%, relit ORL ${(r.orl_relit * 100).toFixed(1)}%` : ''}`);
}

// The pretrained few-shot path (class means), with each normalisation before the pipeline; relit ORL (400
// embeddings per step) for all four only with LIGHTING_PRETRAINED_ORL_ALL=1.
if (!SKIP.has('pretrained')) {
  const pipeline = await loadFacePipeline({ preset: 'default' });
  const pre = {};
  for (const method of (process.env.LIGHTING_PRETRAINED_METHODS ?? 'none,equalize,clahe,tan-triggs').split(',')) {
    pre[method] = { yale: await pretrainedAccuracy(pipeline, yaleTrain, yaleTest, method) };
    if (orlData && (method === 'none' || method === 'clahe' || process.env.LIGHTING_PRETRAINED_ORL_ALL)) {
      pre[method].orl_relit = await pretrainedAccuracy(pipeline, orlData.train, orlRelit, method);
    }
    console.log(`pretrained default + class means, ${method} before embedding: Yale ${(pre[method].yale * 100).toFixed(1)}%${pre[method].orl_relit !== undefined ? `, relit ORL ${(pre[method].orl_relit * 100).toFixed(1)}%` : ''}`);
  }
  // The head before session 8 (cosines only), side by side.
  pre.none_previous_head = { yale: await pretrainedAccuracy(pipeline, yaleTrain, yaleTest, 'none', true) };
  if (orlData) pre.none_previous_head.orl_relit = await pretrainedAccuracy(pipeline, orlData.train, orlRelit, 'none', true);
  console.log(`pretrained default, previous head (cosines only): Yale ${(pre.none_previous_head.yale * 100).toFixed(1)}%${orlData ? `, relit ORL ${(pre.none_previous_head.orl_relit * 100).toFixed(1)}%` : ''}`);
  pipeline.dispose();
  result.pretrained = pre;
  result.yale_pretrained_accuracy = pre.none.yale;
  result.yale_pretrained_previous_head_accuracy = pre.none_previous_head.yale;
  save();
} else {
  result.yale_pretrained_accuracy = null;
}

const yaleCnn = {};
for (const [name, recipe] of Object.entries(RECIPES)) {
  const runs = [];
  for (const seed of SEEDS) runs.push(await cnnAccuracy(recipe, yaleTrain, { yale: yaleTest }, seed));
  yaleCnn[name] = {
    accuracies: runs.map((r) => r.yale), median: medianOf(runs, 'yale'), train_seconds: median(runs.map((r) => r.seconds)),
    train_cpu_seconds: median(runs.map((r) => r.cpu_seconds)), load_average: runs.map((r) => r.load_average),
    ...(runs[0].no_texture ? { no_texture_accuracies: runs.map((r) => r.no_texture.yale), no_texture_median: medianOf(runs, 'yale', true) } : {}),
  };
  console.log(`Yale seed CNN, ${name} recipe: ${runs.map((r) => (r.yale * 100).toFixed(1)).join(', ')} %${runs[0].no_texture ? `; without the texture match ${runs.map((r) => (r.no_texture.yale * 100).toFixed(1)).join(', ')} %` : ''}`);
}
result.yale_seedcnn_accuracy = yaleCnn.new.median;
result.yale_seedcnn_no_texture_accuracy = yaleCnn.new.no_texture_median ?? null;
result.yale_seedcnn_previous_recipe_accuracy = yaleCnn.previous?.median ?? null;
result.yale_seedcnn = yaleCnn;
save();

// ORL (bench:orl's protocol) and the relit ORL test photos.
if (orlData) {
  const orl = orlData;
  const relit = orlRelit;
  const orlRuns = {};
  for (const [name, recipe] of Object.entries(RECIPES)) {
    const runs = [];
    for (const seed of SEEDS) {
      runs.push(await cnnAccuracy(recipe, orl.train, { orl: orl.test, relit, harsh: orlLamp.harsh, extreme: orlLamp.extreme, rear: orlLamp.rear }, seed));
      const r = runs.at(-1);
      const sets = (a) => `${(a.orl * 100).toFixed(1)}%, relit ${(a.relit * 100).toFixed(1)}%, lamp harsh/extreme/rear ${(a.harsh * 100).toFixed(1)}/${(a.extreme * 100).toFixed(1)}/${(a.rear * 100).toFixed(1)}%`;
      console.log(`ORL seed ${seed}, ${name} recipe: ${sets(r)}${r.no_texture ? `; without the texture match ${sets(r.no_texture)}` : ''}; ${r.seconds.toFixed(1)} s wall, ${r.cpu_seconds.toFixed(1)} CPU-s, load ${r.load_average.toFixed(1)}`);
    }
    orlRuns[name] = {
      accuracies: runs.map((r) => r.orl), median: medianOf(runs, 'orl'),
      relit_accuracies: runs.map((r) => r.relit), relit_median: medianOf(runs, 'relit'),
      harsh_accuracies: runs.map((r) => r.harsh), harsh_median: medianOf(runs, 'harsh'),
      extreme_accuracies: runs.map((r) => r.extreme), extreme_median: medianOf(runs, 'extreme'),
      rear_accuracies: runs.map((r) => r.rear), rear_median: medianOf(runs, 'rear'),
      train_seconds: runs.map((r) => r.seconds), train_cpu_seconds: runs.map((r) => r.cpu_seconds), load_average: runs.map((r) => r.load_average),
      ...(runs[0].no_texture ? {
        no_texture: Object.fromEntries(['orl', 'relit', 'harsh', 'extreme', 'rear'].map((k) => [k, { accuracies: runs.map((r) => r.no_texture[k]), median: medianOf(runs, k, true) }])),
      } : {}),
    };
  }
  result.orl_median_accuracy = orlRuns.new.median;
  result.orl_no_texture_median_accuracy = orlRuns.new.no_texture?.orl.median ?? null;
  result.orl_previous_recipe_median_accuracy = orlRuns.previous?.median ?? null;
  result.orl_relit_median_accuracy = orlRuns.new.relit_median;
  result.orl_relit_no_texture_median_accuracy = orlRuns.new.no_texture?.relit.median ?? null;
  result.orl_relit_previous_recipe_median_accuracy = orlRuns.previous?.relit_median ?? null;
  for (const severity of ['harsh', 'extreme', 'rear']) {
    result[`orl_lamp_${severity}_median_accuracy`] = orlRuns.new[`${severity}_median`];
    result[`orl_lamp_${severity}_no_texture_median_accuracy`] = orlRuns.new.no_texture?.[severity].median ?? null;
    result[`orl_lamp_${severity}_previous_recipe_median_accuracy`] = orlRuns.previous?.[`${severity}_median`] ?? null;
  }
  result.orl = orlRuns;
} else {
  result.orl_median_accuracy = null;
}

// The other parts of issue 15, measured by their own modules when present (LIGHTING_SIBLINGS=0 skips them). A
// module that fails leaves its keys null with the reason, never the numbers measured above.
/** Runs `name` from `file` with `opts`; its result, or undefined with `<key>_error` set in the result. */
async function sibling(file, name, key, opts) {
  if (process.env.LIGHTING_SIBLINGS === '0') return undefined;
  try {
    const fn = await optionalExport(file, name);
    return fn ? await fn(opts) : undefined;
  } catch (error) {
    result[`${key}_error`] = `bench/${file} ${name}: ${error instanceof Error ? error.message : String(error)}`;
    console.error(result[`${key}_error`]);
    return undefined;
  }
}
save();
const SCENE_KEYS = ['scene_faces_found', 'scene_false_faces', 'scene_false_faces_named', 'scene_photos'];
const scene = await sibling('lighting-scenes.mjs', 'measureScenes', 'scene');
for (const key of SCENE_KEYS) result[key] = scene?.[key] ?? null;
if (scene) result.scene_faces = scene.scene_faces;
save();
// The same photos on the `fast` preset (no face mesh: the detector's second look), and the default preset with the
// detection options facerec had before the face checks, side by side.
const sceneFast = await sibling('lighting-scenes.mjs', 'measureScenes', 'scene_fast', { preset: 'fast' });
for (const key of SCENE_KEYS) result[`${key}_fast`] = sceneFast?.[key] ?? null;
// PREVIOUS_DEFAULTS of bench/lighting-scenes.mjs: score ≥ 0.5, every box kept.
const scenePrevious = await sibling('lighting-scenes.mjs', 'measureScenes', 'scene_previous', { detect: { scoreThreshold: 0.5, faceChecks: false } });
for (const key of SCENE_KEYS) result[`${key}_previous_defaults`] = scenePrevious?.[key] ?? null;
save();
// Every k-th lfw-dev image, about EXPOSURE_IMAGES of them (default 300): each costs up to six detections.
const misses = await sibling('lighting-detection.mjs', 'measureExposureMisses', 'exposure', { images: Number(process.env.EXPOSURE_IMAGES ?? 300) });
result.lfw_dark_detection_misses = misses?.lfw_dark_detection_misses ?? null;
result.lfw_bright_detection_misses = misses?.lfw_bright_detection_misses ?? null;
if (misses) {
  result.exposure_images = misses.exposure_images;
  result.protocol.lfw_exposure = misses.exposure_transforms;
  result.lfw_exposure_detail = misses;
}
save();
// The `fast` preset on the same images.
const fastPipeline = misses ? await loadFacePipeline({ preset: 'fast' }) : undefined;
const missesFast = fastPipeline ? await sibling('lighting-detection.mjs', 'measureExposureMisses', 'exposure_fast', { images: Number(process.env.EXPOSURE_IMAGES ?? 300), pipeline: fastPipeline }) : undefined;
fastPipeline?.dispose();
result.lfw_dark_detection_misses_fast = missesFast?.lfw_dark_detection_misses ?? null;
result.lfw_bright_detection_misses_fast = missesFast?.lfw_bright_detection_misses ?? null;
if (missesFast) result.lfw_exposure_detail_fast = missesFast;
const decode = await sibling('decode.mjs', 'measureDecode1080pJpeg', 'decode');
if (decode) {
  result.decode_ms_1080p_jpeg = decode;
  result.decode_source = 'measured in this run by bench/decode.mjs measureDecode1080pJpeg';
} else {
  result.decode_ms_1080p_jpeg = previousResult('decode')?.decode_ms_1080p_jpeg ?? null;
  result.decode_source = 'read from bench-results/decode.json (pnpm bench:decode), not rerun';
}
// LFW runs the pretrained pipeline, which this recipe does not change: the last bench:lfw result is reused.
result.lfw_accuracy = previousResult('lfw')?.ours?.accuracy_mean ?? null;
result.lfw_accuracy_source = 'read from bench-results/lfw.json (pnpm bench:lfw, default preset, 5 folds of lfw-dev), not rerun: the illumination recipe does not change the pretrained pipeline';
// The few-shot proxy (bench/lighting-fewshot.mjs), when it has been run.
const fewshot = previousResult('lighting-fewshot');
if (fewshot?.sets) {
  result.fewshot_proxy = { source: `bench-results/lighting-fewshot.json (${fewshot.date})`, protocol: fewshot.protocol, faces_found: {}, previous_head: {}, default_head: {} };
  for (const [set, out] of Object.entries(fewshot.sets)) {
    result.fewshot_proxy.faces_found[set] = out.faces_found;
    result.fewshot_proxy.previous_head[set] = out.previous;
    result.fewshot_proxy.default_head[set] = out[Object.keys(out).find((k) => k.endsWith('_default'))];
  }
}
result.load_average_end = os.loadavg();

const pct = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : 'n/a');
console.log();
printTable(['measure', 'previous recipe', 'new recipe without texture', 'new recipe'], [
  ['Yale side-lit, seed CNN (median)', pct(yaleCnn.previous?.median), pct(yaleCnn.new.no_texture_median), pct(yaleCnn.new.median)],
  ['ORL, seed CNN (median)', pct(result.orl?.previous?.median), pct(result.orl?.new.no_texture?.orl.median), pct(result.orl?.new.median)],
  ['ORL relit, seed CNN (median)', pct(result.orl?.previous?.relit_median), pct(result.orl?.new.no_texture?.relit.median), pct(result.orl?.new.relit_median)],
  ['ORL lamp harsh, seed CNN (median)', pct(result.orl?.previous?.harsh_median), pct(result.orl?.new.no_texture?.harsh.median), pct(result.orl?.new.harsh_median)],
  ['ORL lamp extreme, seed CNN (median)', pct(result.orl?.previous?.extreme_median), pct(result.orl?.new.no_texture?.extreme.median), pct(result.orl?.new.extreme_median)],
  ['ORL lamp rear, seed CNN (median)', pct(result.orl?.previous?.rear_median), pct(result.orl?.new.no_texture?.rear.median), pct(result.orl?.new.rear_median)],
  ['ORL train seconds (median)', result.orl?.previous ? median(result.orl.previous.train_seconds).toFixed(1) : 'n/a', '', result.orl?.new ? median(result.orl.new.train_seconds).toFixed(1) : 'n/a'],
]);
console.log();
printTable(['class means on 64×64 pixels', 'Yale side-lit', 'ORL', 'ORL relit'], Object.entries(result.class_mean_on_pixels).map(([m, r]) => [`illumination ${m}`, pct(r.yale), pct(r.orl), pct(r.orl_relit)]));
if (result.pretrained) {
  console.log();
  printTable(['pretrained default + class means', 'Yale side-lit', 'ORL relit'], Object.entries(result.pretrained).map(([m, r]) => [`${m} before embedding`, pct(r.yale), pct(r.orl_relit)]));
}
console.log();
printTable(['key', 'value'], [...SCENE_KEYS, ...SCENE_KEYS.map((k) => `${k}_fast`), ...SCENE_KEYS.map((k) => `${k}_previous_defaults`), 'lfw_dark_detection_misses', 'lfw_bright_detection_misses', 'lfw_dark_detection_misses_fast', 'lfw_bright_detection_misses_fast', 'lfw_accuracy']
  .map((k) => [k, result[k] === null ? 'n/a (module absent)' : String(result[k])]).concat([['decode_ms_1080p_jpeg', JSON.stringify(result.decode_ms_1080p_jpeg)]]));
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`written ${save()}`);
process.exit(0);
