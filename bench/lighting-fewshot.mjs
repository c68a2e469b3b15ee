// bench:lighting-fewshot — the pretrained few-shot path (class means on a backbone) under hard light: the head's
// texture match (Tan–Triggs + LTP, fused with the cosines) and its crop geometry (photos in which no face is found
// are read where the training crops had theirs), beside the previous head, on:
//   orl: ORL (92×112 crops) first 5 photos per person train, last 5 test, clean and relit by bench/relight.mjs
//        (mild 10–35°, harsh 60–80°, extreme 80–95°, rear 95–130° off axis);
//   orl_tight: the same photos cut as tight 168×192 crops (eyes at 1/3 height, like Extended Yale B's cropped set);
//   yale / yale_tight: Yale's 9 conditions without side light train, leftlight + rightlight test (real side light);
//   lfw: lfw-dev people with at least 8 photos (47, 440 photos), first 5 train, the rest test (normal light, real
//        photos), so the texture cannot cost unconstrained faces;
//   lfw_pairs (not in the default list): LFW verification on all lfw-dev pairs (k folds, each fold's threshold chosen
//        on the others), per preprocessing, with the pairs each one gets right and the other wrong (McNemar).
// LIGHTING_FEWSHOT_PRE compares preprocessing of every photo before the head (train and test alike; keys get
// `+<name>`): none; clahe (session 8's "CLAHE first": normalizeIllumination 'clahe', 4×4 tiles, clip 2, each channel
// of the whole photo); clahe_luma (CLAHE of the grey level, colours kept); clahe_embed (the face is found on the
// photo as given, embedded and textured from the CLAHE copy); clahe_retry (the CLAHE copy's face only when none is
// found in the photo as given).
// Usage: pnpm bench:lighting-fewshot   (env: FACEREC_DATASETS, FEWSHOT_PRESET=default,
//        LIGHTING_FEWSHOT_SETS=orl,orl_tight,yale,yale_tight,lfw[,lfw_pairs], LIGHTING_FEWSHOT_OUT=lighting-fewshot,
//        LIGHTING_FEWSHOT_PRE=none[,clahe,clahe_luma,clahe_embed], LIGHTING_FEWSHOT_HEADS=previous,texture_0.25_default,...)
// Writes bench-results/lighting-fewshot.json (or <LIGHTING_FEWSHOT_OUT>.json).
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_TEXTURE_MATCHING, FaceRecognizer, cosineSimilarity, initBackend, kFoldVerification, lfwImagePath, loadFacePipeline, loadImageFolder, normalizeIllumination, parseLfwPairs, readImage } from '@facerec/node';
import { machine, printTable, repoRoot, writeResult } from './lib.mjs';
import { relightFace } from './relight.mjs';
import { tightCrop } from './tight-crop.mjs';

const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const SETS = new Set((process.env.LIGHTING_FEWSHOT_SETS ?? 'orl,orl_tight,yale,yale_tight,lfw').split(','));
const SEVERITIES = ['mild', 'harsh', 'extreme', 'rear'];
const preset = process.env.FEWSHOT_PRESET ?? 'default';
const OUT = process.env.LIGHTING_FEWSHOT_OUT ?? 'lighting-fewshot';
const PRE = (process.env.LIGHTING_FEWSHOT_PRE ?? 'none').split(',');
const selection = await initBackend('wasm');
const cpu0 = process.cpuUsage();
console.log(`bench:lighting-fewshot on ${machine()}, backend ${selection.backend}, preset ${preset}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const pipeline = await loadFacePipeline({ preset });

/** `image` with CLAHE (4×4 tiles, clip 2) on each channel, or with `luma` on its grey level (colours scaled along), as 8-bit pixels. */
function claheImage(image, luma = false) {
  return tf.tidy(() => {
    const t = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, image.channels]);
    let y;
    if (!luma || image.channels === 1) y = normalizeIllumination(t, 'clahe');
    else {
      const grey = tf.mean(t, 2, true);
      y = tf.clipByValue(tf.mul(t, tf.div(normalizeIllumination(grey, 'clahe'), tf.maximum(grey, 1))), 0, 255);
    }
    return { width: image.width, height: image.height, channels: image.channels, data: Uint8Array.from(tf.round(y).dataSync()) };
  });
}
/** The photo each preprocessed copy was made from (clahe_embed finds the face there). */
const originalOf = new WeakMap();
/** Which preprocessing made each copy (clahe and clahe_embed make the same pixels, read differently). */
const PRE_OF = new WeakMap();
/** clahe and clahe_embed share one CLAHE copy per photo (a new object each, so each keeps its own reading). */
const claheCopies = new WeakMap();
const claheOnce = (image) => {
  if (!claheCopies.has(image)) claheCopies.set(image, claheImage(image));
  return { ...claheCopies.get(image) };
};
const PREPROCESS = {
  none: (image) => image,
  clahe: claheOnce,
  clahe_luma: (image) => claheImage(image, true),
  clahe_embed: claheOnce,
  clahe_retry: (image) => ({ ...image }),
};
const prepare = (set, pre) => set.map((d) => {
  if (pre === 'none') return d;
  const image = PREPROCESS[pre](d.image);
  originalOf.set(image, d.image);
  PRE_OF.set(image, pre);
  return { ...d, image };
});

/** clahe_embed: the main face found on the original photo, embedded from `image` (its CLAHE copy). */
async function embedFoundOnOriginal(image) {
  const { face, found } = await pipeline.mainFaceOrCentre(originalOf.get(image) ?? image);
  const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, image.channels]);
  try {
    const [embedding] = await pipeline.embedder.embedFaces(pixels, [face.landmarks]);
    return { ...face, embedding, found };
  } finally {
    pixels.dispose();
  }
}

/** clahe_retry: the photo's main face; when none is found, the main face of its CLAHE copy if one is found there. */
async function embedOrClaheRetry(image) {
  const face = await pipeline.embedMainFaceOrCentre(image);
  if (face.found) return face;
  const again = await pipeline.embedMainFaceOrCentre(claheOnce(originalOf.get(image) ?? image));
  return again.found ? again : face;
}

// Every photo's main face is read once; each head below reuses it. `hideFound` stands in for the previous head,
// which did not look at whether a face was found (so it learns no crop geometry).
const cache = new Map();
const READ = {
  clahe_embed: embedFoundOnOriginal,
  clahe_retry: embedOrClaheRetry,
};
const embedMain = async (image) => {
  if (!cache.has(image)) cache.set(image, await (READ[PRE_OF.get(image)] ?? ((i) => pipeline.embedMainFaceOrCentre(i)))(image));
  return cache.get(image);
};
const backbone = (hideFound) => ({
  embedder: pipeline.embedder, refiner: pipeline.refiner,
  embedMainFaceOrCentre: async (image) => (hideFound ? { ...(await embedMain(image)), found: false } : embedMain(image)),
});

/**
 * The heads compared: the previous one, crop geometry only, the texture match at several weights (0.25 is the
 * default), and the session-8 default (texture 0.25 without the second look on a CLAHE copy). Every head but
 * previous, crop_geometry and session8_default looks again on a CLAHE copy when no face is found (the default).
 */
const HEADS = {
  previous: { hideFound: true, texture: null, retryIllumination: null },
  crop_geometry: { hideFound: false, texture: null, retryIllumination: null },
  ...Object.fromEntries([0.25, 0.5, 1, 2].map((w) => [`texture_${w}${w === DEFAULT_TEXTURE_MATCHING.weight ? '_default' : ''}`, { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, weight: w } }])),
  // The texture alone: weight 10 whatever the shadow (the default's shadow weight would lower it in shadow).
  texture_only: { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, weight: 10, shadowWeight: 10 } },
  session8_default: { hideFound: false, texture: DEFAULT_TEXTURE_MATCHING, retryIllumination: null },
  // Faces in shadow on crops of one geometry matched by cell histograms, as before session 13 (no pixel codes).
  histograms_only: { hideFound: false, texture: (({ pixelRadius, pixelSize, subspaceSize, ...rest }) => rest)(DEFAULT_TEXTURE_MATCHING) },
  // Faces in shadow on crops of one geometry matched by pixel codes only, without light subspaces (sessions 13–21).
  codes_only: { hideFound: false, texture: (({ subspaceSize, ...rest }) => rest)(DEFAULT_TEXTURE_MATCHING) },
  // Faces in shadow matched pixel by pixel at the histograms' 64 pixels, as before session 18 (not 96).
  pixels_64: { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, pixelSize: 64 } },
  pixels_128: { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, pixelSize: 128 } },
  // The texture code before session 11: LBP on every cell (no LTP, no cells left out in shadow).
  lbp_0_25: { hideFound: false, texture: { method: 'tan-triggs-lbp', size: 64, grid: [8, 8], weight: 0.25 } },
  // Textures read at 96 pixels (12×12 cells of 8) instead of 64.
  size_96: { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, size: 96, grid: [12, 12] } },
  // The default's weight for a face in shadow (2) against others.
  ...Object.fromEntries([0.75, 1, 1.5, 2, 3, 4].filter((w) => w !== DEFAULT_TEXTURE_MATCHING.shadowWeight).map((w) => [`shadow_${w}`, { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, shadowWeight: w } }])),
};
const HEAD_NAMES = process.env.LIGHTING_FEWSHOT_HEADS ? process.env.LIGHTING_FEWSHOT_HEADS.split(',') : Object.keys(HEADS);

const tight = (image) => tightCrop(pipeline, image);
const relitTests = (test) => Object.fromEntries([['clean', test], ...SEVERITIES.map((s) => [s, test.map((d, i) => ({ ...d, image: relightFace(d.image, i, s) }))])]);

const jobs = {};
if (SETS.has('orl') || SETS.has('orl_tight')) {
  const orl = await loadImageFolder(path.join(datasets, 'orl'), { split: { type: 'first', count: 5 } });
  if (SETS.has('orl')) jobs.orl = { train: orl.train, tests: relitTests(orl.test) };
  if (SETS.has('orl_tight')) {
    const cut = async (set) => { const out = []; for (const d of set) out.push({ ...d, image: await tight(d.image) }); return out; };
    jobs.orl_tight = { train: await cut(orl.train), tests: relitTests(await cut(orl.test)) };
  }
}
if (SETS.has('yale') || SETS.has('yale_tight')) {
  const yale = [];
  for (const s of readdirSync(path.join(datasets, 'yale')).filter((d) => d.startsWith('subject')).sort()) {
    for (const f of readdirSync(path.join(datasets, 'yale', s)).sort()) yale.push({ label: s, condition: f.split('.')[1], image: await readImage(path.join(datasets, 'yale', s, f)) });
  }
  const side = (p) => p.condition === 'leftlight' || p.condition === 'rightlight';
  if (SETS.has('yale')) jobs.yale = { train: yale.filter((p) => !side(p)), tests: { side_light: yale.filter(side) } };
  if (SETS.has('yale_tight')) {
    const cut = async (set) => { const out = []; for (const d of set) out.push({ ...d, image: await tight(d.image) }); return out; };
    const test = await cut(yale.filter(side));
    jobs.yale_tight = { train: await cut(yale.filter((p) => !side(p))), tests: { side_light: test, side_light_extreme: test.map((d, i) => ({ ...d, image: relightFace(d.image, i + 1000, 'extreme') })) } };
  }
}
if (SETS.has('lfw')) {
  const dir = path.join(datasets, 'lfw-dev', 'images');
  const train = [], test = [];
  for (const person of readdirSync(dir).sort()) {
    const files = readdirSync(path.join(dir, person)).sort();
    if (files.length < 8) continue;
    for (const [i, f] of files.entries()) (i < 5 ? train : test).push({ label: person, image: await readImage(path.join(dir, person, f)) });
  }
  jobs.lfw = { train, tests: { normal: test } };
}

const result = {
  protocol: {
    orl: 'ORL first 5 photos per person train (200), last 5 test (200), clean and relit by bench/relight.mjs relightFace (mild 10–35°, harsh 60–80°, extreme 80–95° off axis, ambient 12% / 3% / 1.5%)',
    orl_tight: 'the same ORL photos cut as tight 168×192 grey crops around the face found in the clean photo (eyes at 34% height, 40% of the width apart), then relit',
    yale: "Yale's 134 photos without side light train, the 30 leftlight/rightlight photos test (whole 320×243 photos)",
    yale_tight: 'the same Yale photos cut as tight 168×192 crops; side_light_extreme: the side-lit crops relit once more (extreme)',
    lfw: 'lfw-dev people with at least 8 photos (47 people, 440 photos): first 5 per person (file order) train, the rest (205) test',
    heads: 'previous: class means on cosines, no crop geometry (the head before session 8); crop_geometry: + photos without a found face read where the training crops had theirs; texture_<w>: + the Tan–Triggs + LTP texture (cells in shadow left out) fused at weight w for a face in full view (0.25 is the default), rising to 2 for a face in shadow (textures of faces mostly in shadow read at the crop geometry when the training photos have one) and the second look on a CLAHE copy when no face is found (retryIllumination, default since session 9); texture_only: weight 10; session8_default: texture 0.25 without the second look; lbp_0_25: the LBP texture at weight 0.25 (the default before session 11); shadow_<w>: the default with weight w for a face in shadow',
    preprocessing: "keys ending +<name>: every photo (train and test) preprocessed first: clahe = normalizeIllumination 'clahe' (4×4 tiles, clip 2) on each channel of the whole photo (session 8's CLAHE first); clahe_luma = CLAHE of the grey level, colours scaled along; clahe_embed = the face found on the photo as given, embedded and textured from the clahe copy; clahe_retry = the photo as given, and its clahe copy's main face only when none is found in it (the texture still read from the photo as given)",
    lfw_pairs: 'all lfw-dev pairs (pairs.txt, k folds, each fold scored at the threshold chosen on the other folds), default preset, each image preprocessed as named; right_where_none_wrong / wrong_where_none_right count the discordant pairs against no preprocessing (McNemar)',
  },
  preset, embedder: pipeline.embedder.spec.name, backend: selection.backend, machine: machine(), load_average_start: os.loadavg(), sets: {},
};
const suffix = (pre) => (pre === 'none' ? '' : `+${pre}`);
const cpuSeconds = () => { const c = process.cpuUsage(cpu0); return ((c.user + c.system) / 1e6).toFixed(0); };
for (const [name, job] of Object.entries(jobs)) {
  const out = {};
  for (const pre of PRE) {
    const train = prepare(job.train, pre);
    const tests = Object.fromEntries(Object.entries(job.tests).map(([t, set]) => [t, prepare(set, pre)]));
    const found = {};
    for (const [test, set] of Object.entries({ train, ...tests })) {
      let n = 0;
      for (const d of set) if ((await embedMain(d.image)).found) n++;
      found[test] = +(n / set.length).toFixed(3);
    }
    out[`faces_found${suffix(pre)}`] = found;
    for (const head of HEAD_NAMES) {
      const h = HEADS[head];
      const r = new FaceRecognizer({ backbone: backbone(h.hideFound), texture: h.texture, ...(h.retryIllumination === null ? { retryIllumination: null } : {}) });
      await r.fit(train);
      const key = `${head}${suffix(pre)}`;
      out[key] = {};
      for (const [test, set] of Object.entries(tests)) out[key][test] = +(await r.evaluate(set)).accuracy.toFixed(4);
      r.dispose();
    }
    cache.clear();
    console.log(name, pre, JSON.stringify(Object.fromEntries(Object.entries(out).filter(([k]) => k.endsWith(suffix(pre)) || pre === 'none'))), `cpu ${cpuSeconds()} s, load ${os.loadavg()[0].toFixed(1)}`);
    result.sets[name] = out;
    writeResult(OUT, { ...result, load_average_end: os.loadavg() });
  }
}
for (const [name, out] of Object.entries(result.sets)) {
  const heads = Object.keys(out).filter((k) => !k.startsWith('faces_found'));
  const tests = Object.keys(out[heads[0]]);
  printTable([name, ...tests], heads.map((h) => [h, ...tests.map((t) => `${(out[h][t] * 100).toFixed(1)}%`)]));
}

// LFW verification on every lfw-dev pair, per preprocessing: each image's main face (the centre when none is found),
// as evaluateLfw reads it; discordant pairs against `none` for McNemar's test.
if (SETS.has('lfw_pairs')) {
  const lfw = path.join(datasets, 'lfw-dev');
  const pairs = parseLfwPairs(readFileSync(path.join(lfw, 'pairs.txt'), 'utf8'), 'pairs.txt');
  const files = [...new Set(pairs.flatMap((p) => [lfwImagePath(p.a.name, p.a.index), lfwImagePath(p.b.name, p.b.index)]))];
  const embeddings = Object.fromEntries(PRE.map((pre) => [pre, new Map()]));
  const notFound = Object.fromEntries(PRE.map((pre) => [pre, 0]));
  for (const [i, file] of files.entries()) {
    const photo = await readImage(path.join(lfw, 'images', file));
    for (const pre of PRE) {
      const [d] = prepare([{ image: photo }], pre);
      const face = await embedMain(d.image);
      if (!face.found) notFound[pre]++;
      embeddings[pre].set(file, face.embedding);
    }
    cache.clear();
    if ((i + 1) % 500 === 0) console.log(`lfw_pairs ${i + 1}/${files.length} images, cpu ${cpuSeconds()} s, load ${os.loadavg()[0].toFixed(1)}`);
  }
  const same = pairs.map((p) => p.same);
  const folds = pairs.map((p) => p.fold);
  const foldIds = [...new Set(folds)].sort((a, b) => a - b);
  const right = {};
  const out = { pairs: pairs.length, images: files.length };
  for (const pre of PRE) {
    const scores = pairs.map((p) => cosineSimilarity(embeddings[pre].get(lfwImagePath(p.a.name, p.a.index)), embeddings[pre].get(lfwImagePath(p.b.name, p.b.index))));
    const report = kFoldVerification(scores, same, folds);
    right[pre] = scores.map((s, i) => (s >= report.folds[foldIds.indexOf(folds[i])].threshold) === same[i]);
    out[pre] = {
      accuracy_mean: +report.accuracyMean.toFixed(5), accuracy_std: +report.accuracyStd.toFixed(5), auc: +report.auc.toFixed(5),
      correct_pairs: right[pre].filter(Boolean).length, no_face_found: notFound[pre],
    };
    if (pre !== 'none' && right.none) {
      out[pre].right_where_none_wrong = right[pre].filter((r, i) => r && !right.none[i]).length;
      out[pre].wrong_where_none_right = right[pre].filter((r, i) => !r && right.none[i]).length;
    }
    console.log('lfw_pairs', pre, JSON.stringify(out[pre]));
  }
  result.lfw_pairs = out;
  writeResult(OUT, { ...result, load_average_end: os.loadavg() });
}
const cpu = process.cpuUsage(cpu0);
result.cpu_seconds = +((cpu.user + cpu.system) / 1e6).toFixed(1);
result.load_average_end = os.loadavg();
result.date = new Date().toISOString();
console.log(`written ${writeResult(OUT, result)}`);
pipeline.dispose();
process.exit(0);
