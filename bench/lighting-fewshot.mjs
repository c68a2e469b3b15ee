// bench:lighting-fewshot — the pretrained few-shot path (class means on a backbone) under hard light: the head's
// texture match (Tan–Triggs + LBP, fused with the cosines) and its crop geometry (photos in which no face is found
// are read where the training crops had theirs), beside the previous head, on:
//   orl: ORL (92×112 crops) first 5 photos per person train, last 5 test, clean and relit by bench/relight.mjs
//        (mild 10–35°, harsh 60–80°, extreme 80–95° off axis);
//   orl_tight: the same photos cut as tight 168×192 crops (eyes at 1/3 height, like Extended Yale B's cropped set);
//   yale / yale_tight: Yale's 9 conditions without side light train, leftlight + rightlight test (real side light);
//   lfw: lfw-dev people with at least 8 photos (47, 440 photos), first 5 train, the rest test (normal light, real
//        photos), so the texture cannot cost unconstrained faces.
// Usage: pnpm bench:lighting-fewshot   (env: FACEREC_DATASETS, FEWSHOT_PRESET=default,
//        LIGHTING_FEWSHOT_SETS=orl,orl_tight,yale,yale_tight,lfw, LIGHTING_FEWSHOT_OUT=lighting-fewshot)
// Writes bench-results/lighting-fewshot.json (or <LIGHTING_FEWSHOT_OUT>.json).
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEXTURE_MATCHING, FaceRecognizer, initBackend, loadFacePipeline, loadImageFolder, readImage, similarityTransform } from '@facerec/node';
import { machine, printTable, repoRoot, writeResult } from './lib.mjs';
import { relightFace } from './relight.mjs';

const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
const SETS = new Set((process.env.LIGHTING_FEWSHOT_SETS ?? 'orl,orl_tight,yale,yale_tight,lfw').split(','));
const SEVERITIES = ['mild', 'harsh', 'extreme'];
const preset = process.env.FEWSHOT_PRESET ?? 'default';
const OUT = process.env.LIGHTING_FEWSHOT_OUT ?? 'lighting-fewshot';
const selection = await initBackend('wasm');
const cpu0 = process.cpuUsage();
console.log(`bench:lighting-fewshot on ${machine()}, backend ${selection.backend}, preset ${preset}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const pipeline = await loadFacePipeline({ preset });

// Every photo's main face is read once; each head below reuses it. `hideFound` stands in for the previous head,
// which did not look at whether a face was found (so it learns no crop geometry).
const cache = new Map();
const embedMain = async (image) => {
  if (!cache.has(image)) cache.set(image, await pipeline.embedMainFaceOrCentre(image));
  return cache.get(image);
};
const backbone = (hideFound) => ({
  embedder: pipeline.embedder, refiner: pipeline.refiner,
  embedMainFaceOrCentre: async (image) => (hideFound ? { ...(await embedMain(image)), found: false } : embedMain(image)),
});

/** The heads compared: the previous one, crop geometry only, and the texture match at several weights (0.5 is the default). */
const HEADS = {
  previous: { hideFound: true, texture: null },
  crop_geometry: { hideFound: false, texture: null },
  ...Object.fromEntries([0.25, 0.5, 1, 2].map((w) => [`texture_${w}${w === DEFAULT_TEXTURE_MATCHING.weight ? '_default' : ''}`, { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, weight: w } }])),
  texture_only: { hideFound: false, texture: { ...DEFAULT_TEXTURE_MATCHING, weight: 10 } },
};

const W = 168, H = 192;
const TIGHT = [[0.3, 0.34], [0.7, 0.34], [0.5, 0.55], [0.34, 0.74], [0.66, 0.74]].map(([x, y]) => ({ x: x * W, y: y * H }));
/** A tight 168×192 grey crop of the photo's main face (bilinear), as cropped-face datasets ship them. */
async function tight(image) {
  const m = similarityTransform(TIGHT, (await pipeline.embedMainFaceOrCentre(image)).landmarks);
  const { width: IW, height: IH, channels: C, data } = image;
  const out = new Uint8Array(W * H);
  const px = (x, y) => { let s = 0; for (let c = 0; c < C; c++) s += data[(y * IW + x) * C + c]; return s / C; };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const sx = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2] - 0.5, sy = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5] - 0.5;
    const x0 = Math.max(0, Math.min(IW - 2, Math.floor(sx))), y0 = Math.max(0, Math.min(IH - 2, Math.floor(sy)));
    const fx = Math.max(0, Math.min(1, sx - x0)), fy = Math.max(0, Math.min(1, sy - y0));
    out[y * W + x] = Math.round((1 - fx) * (1 - fy) * px(x0, y0) + fx * (1 - fy) * px(x0 + 1, y0) + (1 - fx) * fy * px(x0, y0 + 1) + fx * fy * px(x0 + 1, y0 + 1));
  }
  return { width: W, height: H, channels: 1, data: out };
}
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
    heads: 'previous: class means on cosines, no crop geometry (the head before session 8); crop_geometry: + photos without a found face read where the training crops had theirs; texture_<w>: + the Tan–Triggs + LBP texture fused at weight w (0.5 is the default); texture_only: weight 10',
  },
  preset, embedder: pipeline.embedder.spec.name, backend: selection.backend, machine: machine(), load_average_start: os.loadavg(), sets: {},
};
for (const [name, job] of Object.entries(jobs)) {
  const out = { faces_found: {} };
  for (const [test, set] of Object.entries({ train: job.train, ...job.tests })) {
    let found = 0;
    for (const d of set) if ((await embedMain(d.image)).found) found++;
    out.faces_found[test] = +(found / set.length).toFixed(3);
  }
  for (const [head, h] of Object.entries(HEADS)) {
    const r = new FaceRecognizer({ backbone: backbone(h.hideFound), texture: h.texture });
    await r.fit(job.train);
    out[head] = {};
    for (const [test, set] of Object.entries(job.tests)) out[head][test] = +(await r.evaluate(set)).accuracy.toFixed(4);
    r.dispose();
  }
  result.sets[name] = out;
  console.log(name, JSON.stringify(out), `cpu ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(0)} s, load ${os.loadavg()[0].toFixed(1)}`);
  writeResult(OUT, { ...result, load_average_end: os.loadavg() });
}
for (const [name, out] of Object.entries(result.sets)) {
  const tests = Object.keys(out.previous);
  printTable([name, ...tests], Object.keys(HEADS).map((h) => [h, ...tests.map((t) => `${(out[h][t] * 100).toFixed(1)}%`)]));
}
const cpu = process.cpuUsage(cpu0);
result.cpu_seconds = +((cpu.user + cpu.system) / 1e6).toFixed(1);
result.load_average_end = os.loadavg();
result.date = new Date().toISOString();
console.log(`written ${writeResult(OUT, result)}`);
pipeline.dispose();
process.exit(0);
