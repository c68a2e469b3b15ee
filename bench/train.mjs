// bench:train — training throughput of the seed CNN (64×64×3, batch 32): facerec vs tfjs-layers model.fit.
import { machine, printTable, runIsolated, writeResult } from './lib.mjs';

const worker = new URL('./train-worker.mjs', import.meta.url).pathname;
console.log(`bench:train on ${machine()}`);
console.log('seed CNN 64×64×3, 40 classes, batch 32, Adam; each measurement in a fresh process\n');

const ours = await runIsolated(worker, ['ours', process.env.BENCH_STEPS ?? '40']);
const cpu = await runIsolated(worker, ['tfjs-cpu', '1'], { timeoutMs: 900_000 });
const wasm = await runIsolated(worker, ['tfjs-wasm', '4']);

const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : 'n/a');
printTable(
  ['trainer', 'backend', 'images/s', 'facerec is'],
  [
    ['facerec Trainer', ours.description, ours.imagesPerSecond.toFixed(1), '1.0×'],
    ['tfjs-layers model.fit', 'cpu (stock)', cpu.ok ? cpu.imagesPerSecond.toFixed(2) : `failed: ${cpu.error}`, ratio(ours.imagesPerSecond, cpu.imagesPerSecond)],
    ['tfjs-layers model.fit', 'wasm (stock)', wasm.ok ? wasm.imagesPerSecond.toFixed(2) : `failed: ${wasm.error}`, ratio(ours.imagesPerSecond, wasm.ok ? wasm.imagesPerSecond : 0)],
  ],
);
const file = writeResult('train', {
  ours_img_s: ours.imagesPerSecond,
  ours_backend: ours.backend,
  ours_backend_details: ours.details,
  tfjs_layers_cpu_img_s: cpu.ok ? cpu.imagesPerSecond : null,
  ...(cpu.ok ? {} : { tfjs_layers_cpu_error: cpu.error }),
  tfjs_layers_wasm_img_s: wasm.ok ? wasm.imagesPerSecond : null,
  ...(wasm.ok ? {} : { tfjs_layers_wasm_error: wasm.error }),
  speedup_vs_tfjs_layers_cpu: cpu.ok ? ours.imagesPerSecond / cpu.imagesPerSecond : null,
  goal_img_s: 250,
});
console.log(`\nwritten ${file}`);
