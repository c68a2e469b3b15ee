// What an encrypted pglite: gallery costs at N faces: the sealed dump's size, one enrolment (one save), one removal
// (purge + save), reopening (decrypt + load). Usage: node bench/search-sealed.mjs [N=10000] (after the node build).
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGalleryStore } from '@facerec/node';
const n = Number(process.argv[2] ?? 10000);
const D = 128;
const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'h1-sealed-')), 'g');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const time = async (what, fn) => { const t = performance.now(); const c = cpu(); const r = await fn(); console.log(`${what}: ${((performance.now() - t) / 1000).toFixed(2)} s wall, ${(cpu() - c).toFixed(2)} CPU s, load ${os.loadavg()[0].toFixed(1)}`); return r; };
const rnd = (i) => { const v = Float32Array.from({ length: D }, (_, k) => Math.sin(i * 12.9898 + k * 78.233) * 43758.5453 % 1); const m = Math.hypot(...v); return v.map((x) => x / m); };
const encryption = { passphrase: 'x'.repeat(20), iterations: 10000 };
const store = await time('create (new in-memory db + first save)', () => openGalleryStore(`pglite:${dir}`, { encryption, create: async () => ({ embedder: 'dlib', dimensions: D, threshold: 0.6 }) }));
console.log(`empty sealed dump ${(statSync(path.join(dir, 'gallery.pglite.enc')).size / 2 ** 20).toFixed(2)} MB`);
await time(`bulkLoad ${n} (+ one save)`, () => store.bulkLoad((function* () { for (let i = 0; i < n; i++) yield { label: `p${i}`, embedding: rnd(i) }; })()));
console.log(`sealed dump at ${n}: ${(statSync(path.join(dir, 'gallery.pglite.enc')).size / 2 ** 20).toFixed(2)} MB`);
await time('add one person (one save)', () => store.add('new', [rnd(-1)]));
await time('remove one person (purge + save)', () => store.remove('p5'));
await time('close', () => store.close());
const again = await time('reopen (decrypt + load dump)', () => openGalleryStore(`pglite:${dir}`, { encryption }));
console.log(`count ${JSON.stringify(await again.count())}, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
await again.close();
rmSync(path.dirname(dir), { recursive: true, force: true });
