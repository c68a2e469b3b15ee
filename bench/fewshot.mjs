// Few-shot benchmark on ORL (40 people × 10 photos): k = 1, 2, 5 training photos per person, the rest tested,
// with the pretrained embedder as frozen backbone (class means, and a softmax head). Writes bench-results/fewshot.json.
// Usage: pnpm bench:fewshot   (env: FACEREC_DATA / FACEREC_DATASETS; FEWSHOT_PRESET=default|fast|mobileface|faceres|accurate)
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceRecognizer, initBackend, loadFacePipeline, loadImageFolder } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const orl = process.env.FACEREC_DATA ?? [path.join(process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets'), 'orl'), path.join(root, 'examples/data/orl')].find(existsSync);
const preset = process.env.FEWSHOT_PRESET ?? 'default';
const backend = await initBackend('wasm');
console.log(`ORL at ${orl}; backend ${backend.backend}; preset ${preset}`);

const { train: all } = await loadImageFolder(orl, { split: { type: 'none' } });
const pipeline = await loadFacePipeline({ preset });
const byPerson = new Map();
for (const item of all) byPerson.set(item.label, [...(byPerson.get(item.label) ?? []), item]);

// Embed every photo once (as FaceRecognizer with a backbone does); every split reuses the embeddings through a
// stand-in backbone that answers from this cache.
const t0 = performance.now();
const embedding = new Map();
for (const item of all) embedding.set(item.image, await pipeline.embedMainFaceOrCentre(item.image));
const msPerImage = (performance.now() - t0) / all.length;
const cached = { embedder: pipeline.embedder, refiner: pipeline.refiner, embedMainFaceOrCentre: async (image) => embedding.get(image) };

/** Accuracy with the first k photos of each person (file order) as training, or a seeded random k. */
async function evaluate(k, head, seed) {
  let rng = seed;
  const rand = () => (rng = (rng * 16807) % 2147483647) / 2147483647;
  const train = [], test = [];
  for (const items of byPerson.values()) {
    const order = seed === undefined ? items : [...items].map((x) => [rand(), x]).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
    train.push(...order.slice(0, k));
    test.push(...order.slice(k));
  }
  const recognizer = new FaceRecognizer({ backbone: cached, head });
  await recognizer.fit(train);
  const { accuracy } = await recognizer.evaluate(test);
  recognizer.dispose();
  return accuracy;
}

const result = { dataset: 'ORL (AT&T), 40 people × 10 photos', embedder: pipeline.embedder.spec.name, ms_per_image_embedding: msPerImage, machine: { cpus: os.cpus().length, backend: backend.backend } };
for (const k of [1, 2, 5]) {
  result[`accuracy_${k}`] = await evaluate(k, 'class-mean');
  result[`accuracy_${k}_head`] = await evaluate(k, 'softmax');
  const random = [];
  for (let s = 1; s <= 10; s++) random.push(await evaluate(k, 'class-mean', s));
  result[`accuracy_${k}_random10_mean`] = random.reduce((a, b) => a + b, 0) / random.length;
  result[`accuracy_${k}_random10_min`] = Math.min(...random);
  console.log(`k=${k}: first-${k} class-mean ${(result[`accuracy_${k}`] * 100).toFixed(2)}%, head ${(result[`accuracy_${k}_head`] * 100).toFixed(2)}%, 10 random splits mean ${(result[`accuracy_${k}_random10_mean`] * 100).toFixed(2)}% (min ${(result[`accuracy_${k}_random10_min`] * 100).toFixed(2)}%)`);
}
pipeline.dispose();
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
const out = path.join(root, 'bench-results', preset === 'default' ? 'fewshot.json' : `fewshot-${preset}.json`);
writeFileSync(`${out}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`wrote ${path.relative(root, out)}`);
