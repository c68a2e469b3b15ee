// bench:lighting-recipe — the seed CNN's lighting recipe on a harsh-light proxy: train on normally lit photos, test
// on the same people relit at graded severities (bench/relight.mjs), with Yale's side light and plain ORL beside.
//   ORL: first 5 photos per person train, last 5 test (bench:orl's split), clean and relit (mild … extreme);
//   Yale: train on the 9 conditions without side light, test on leftlight + rightlight.
// Usage: pnpm bench:lighting-recipe   (env: FACEREC_DATASETS, BENCH_SEEDS=1, RECIPES=session5,default,harsh-light,none,...,
//        EXTRA_RECIPES='{"name": { "options": {...}, "fit": {...} }}',
//        LIGHTING_RECIPE_SETS=orl,yale). Writes bench-results/lighting-recipe.json.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FaceRecognizer, describeBackendSelection, initBackend, loadImageFolder, readImage } from '@facerec/node';
import { machine, median, printTable, repoRoot, writeResult } from './lib.mjs';
import { SEVERITIES, relightFace } from './relight.mjs';

const SEEDS = (process.env.BENCH_SEEDS ?? '1').split(',').map(Number);
const SETS = new Set((process.env.LIGHTING_RECIPE_SETS ?? 'orl,yale').split(','));
const datasets = process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

/**
 * Recipes by name: FaceRecognizer options and fit options. `default` is whatever FaceRecognizer does by default;
 * `session5` the default before DEFAULT_ILLUMINATION (Tan–Triggs σ 1/2, the 'lighting' preset); `harsh-light` the
 * default illumination with the opt-in point-lamp preset (session 6's reverted default); `none` no illumination step.
 */
const ALL_RECIPES = {
  none: { options: { illumination: null }, fit: {} },
  session5: {
    options: { illumination: { method: 'tan-triggs', sigma1: 2 } },
    fit: { augmentation: { flip: true, rotate: 10, shear: 8, zoom: 0.1, shift: 0.08, contrast: 0.3, gamma: 0.6, shading: 0.85, shadow: 0.7 } },
  },
  default: { options: {}, fit: {} },
  'harsh-light': { options: {}, fit: { augmentation: 'harsh-light' } },
  ...(process.env.EXTRA_RECIPES ? JSON.parse(process.env.EXTRA_RECIPES) : {}),
};
const RECIPES = (process.env.RECIPES ?? 'session5,default,harsh-light').split(',');

/** Yale: `{ label, condition, image }` for every photo. */
async function loadYale(dir) {
  const photos = [];
  for (const subject of readdirSync(dir).filter((d) => d.startsWith('subject')).sort()) {
    for (const file of readdirSync(path.join(dir, subject)).sort()) {
      photos.push({ label: subject, condition: file.split('.')[1], image: await readImage(path.join(dir, subject, file)) });
    }
  }
  return photos;
}

/** Accuracy of a seed CNN trained with `recipe` on `train`, on each named test set, and CPU/wall seconds. */
async function cnnAccuracy(recipe, train, tests, seed) {
  const cpu0 = process.cpuUsage();
  const recognizer = new FaceRecognizer({ architecture: 'seed-cnn', inputSize: [64, 64], channels: 1, seed, ...recipe.options });
  const result = await recognizer.fit(train, recipe.fit);
  const cpu = process.cpuUsage(cpu0);
  const out = { train_seconds: result.seconds, train_cpu_seconds: (cpu.user + cpu.system) / 1e6 };
  for (const [name, set] of Object.entries(tests)) out[name] = (await recognizer.evaluate(set)).accuracy;
  recognizer.dispose();
  return out;
}

const selection = await initBackend('auto');
console.log(`bench:lighting-recipe on ${machine()}\nbackend: ${describeBackendSelection(selection)}\nload average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const result = {
  protocol: {
    orl: 'first 5 photos per person train, last 5 test (200); relit_<severity>: the same test photos relit by bench/relight.mjs relightFace (light angle bands: mild 10–35°, medium 35–60°, harsh 60–80°, extreme 80–95°, from any direction)',
    yale: 'train on the 134 photos without side light, test on the 30 leftlight/rightlight photos (whole photos)',
  },
  backend: selection.backend, seeds: SEEDS, load_average_start: os.loadavg(), recipes: {},
};
const save = () => writeResult('lighting-recipe', { ...result, load_average_end: os.loadavg() });

const jobs = [];
if (SETS.has('orl')) {
  const orl = await loadImageFolder(path.join(datasets, 'orl'), { split: { type: 'first', count: 5 } });
  const tests = { orl: orl.test };
  for (const severity of Object.keys(SEVERITIES)) tests[`orl_relit_${severity}`] = orl.test.map((d, i) => ({ ...d, image: relightFace(d.image, i, severity) }));
  jobs.push({ train: orl.train, tests });
}
if (SETS.has('yale')) {
  const yale = await loadYale(path.join(datasets, 'yale'));
  const side = (p) => p.condition === 'leftlight' || p.condition === 'rightlight';
  jobs.push({ train: yale.filter((p) => !side(p)), tests: { yale: yale.filter(side) } });
}

for (const name of RECIPES) {
  const recipe = ALL_RECIPES[name];
  if (!recipe) throw new Error(`unknown recipe ${name}`);
  const runs = [];
  for (const seed of SEEDS) {
    const run = { seed, load_average: os.loadavg()[0] };
    for (const job of jobs) {
      const r = await cnnAccuracy(recipe, job.train, job.tests, seed);
      const key = 'yale' in job.tests ? 'yale' : 'orl';
      run[`${key}_train_seconds`] = r.train_seconds;
      run[`${key}_train_cpu_seconds`] = r.train_cpu_seconds;
      for (const test of Object.keys(job.tests)) run[test] = r[test];
    }
    runs.push(run);
    console.log(`${name} seed ${seed}: ${Object.entries(run).map(([k, v]) => `${k} ${typeof v === 'number' && v <= 1 && !k.includes('load') ? `${(v * 100).toFixed(1)}%` : v.toFixed?.(1) ?? v}`).join(', ')}`);
  }
  const keys = Object.keys(runs[0]).filter((k) => k !== 'seed');
  result.recipes[name] = { recipe, runs, median: Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])) };
  save();
}

const tests = Object.keys(result.recipes[RECIPES[0]].median).filter((k) => !k.includes('seconds') && k !== 'load_average');
printTable(['recipe', ...tests], RECIPES.map((n) => [n, ...tests.map((t) => `${(result.recipes[n].median[t] * 100).toFixed(1)}%`)]));
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\nwritten ${save()}`);
process.exit(0);
