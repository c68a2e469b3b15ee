// 1:N identification speed: how long matching one face against 10,000 enrolled embeddings takes (the time
// `Gallery.identify` adds to detection and embedding), per embedding size. Writes bench-results/gallery.json.
// Usage: pnpm bench:gallery   (env: GALLERY_ROWS=10000, GALLERY_BACKEND=wasm|cpu)
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gallery, initBackend } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const rows = Number(process.env.GALLERY_ROWS ?? 10_000);
const backend = await initBackend(process.env.GALLERY_BACKEND ?? 'wasm');
console.log(`backend ${backend.backend}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} cores`);

let seed = 1;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
const unit = (d) => { const v = Float32Array.from({ length: d }, rand); const n = Math.hypot(...v); return v.map((x) => x / n); };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms of the async `fn` over `reps` runs after 3 warm-ups. */
async function time(fn, reps = 50) {
  for (let i = 0; i < 3; i++) await fn();
  const t = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); await fn(); t.push(performance.now() - t0); }
  return median(t);
}

const result = { rows, people: rows / 5, backend: backend.backend, machine: { cpus: os.cpus().length, loadavg_at_start: os.loadavg() }, embedders: {} };
for (const [name, d] of [['dlib', 128], ['mobileface', 256], ['dlib+mobilefacenet', 320], ['faceres', 1024]]) {
  const gallery = new Gallery(undefined, { embedder: name, dimensions: d, threshold: 0.5 });
  // 5 embeddings per person, as after enrolling 5 photos each.
  for (let i = 0; i < rows; i++) await gallery.enroll(`person${i % (rows / 5)}`, [unit(d)]);
  const one = [unit(d)];
  const eight = Array.from({ length: 8 }, () => unit(d));
  const small = new Gallery(undefined, { embedder: name, dimensions: d, threshold: 0.5 });
  await small.enroll('only', [unit(d)]);
  const r = {
    dimensions: d,
    ms_one_face: await time(() => gallery.match(one)),
    ms_per_face_batch_of_8: (await time(() => gallery.match(eight))) / 8,
    ms_one_face_one_row: await time(() => small.match(one)),
  };
  r.ms_added_per_face = r.ms_one_face - r.ms_one_face_one_row;
  result.embedders[name] = r;
  console.log(`${name.padEnd(10)} ${d}-d × ${rows}: ${r.ms_one_face.toFixed(2)} ms for one face (${r.ms_added_per_face.toFixed(2)} ms more than a 1-row gallery), ${r.ms_per_face_batch_of_8.toFixed(2)} ms/face in a batch of 8`);
  gallery.dispose();
  small.dispose();
}
result.machine.loadavg_after = os.loadavg();
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
const out = path.join(root, 'bench-results', 'gallery.json');
writeFileSync(`${out}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`wrote ${path.relative(root, out)}`);
