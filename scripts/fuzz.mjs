// pnpm fuzz: runs the fuzz tests (packages/node/test/fuzz) with many more cases than CI and sums up how they ended.
// FUZZ_RUNS (default 10000) sets the cases per decoder property (loaders run a fraction); FUZZ_SEED replays a run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const runs = process.env.FUZZ_RUNS ?? '10000';
const vitest = createRequire(import.meta.url).resolve('vitest/vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', 'packages/node/test/fuzz'], {
  env: { ...process.env, FUZZ_RUNS: runs },
  stdio: ['ignore', 'pipe', 'inherit'],
});

const totals = { inputs: 0, typed: 0, valid: 0, crashes: 0, hangs: 0, over: 0 };
const lines = [];
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const parts = pending.split('\n');
  pending = parts.pop() ?? '';
  for (const line of parts) {
    const m = /^fuzz (.+): (\d+) inputs, (\d+) typed errors, (\d+) valid, (\d+) crashes, (\d+) hangs, (\d+) over the memory bound/.exec(line);
    if (!m) {
      if (line.startsWith('fuzz ')) lines.push(line); // notes such as tensors left by tfjs
      continue;
    }
    lines.push(line);
    const [, , inputs, typed, valid, crashes, hangs, over] = m.map(Number);
    Object.assign(totals, {
      inputs: totals.inputs + inputs, typed: totals.typed + typed, valid: totals.valid + valid,
      crashes: totals.crashes + crashes, hangs: totals.hangs + hangs, over: totals.over + over,
    });
  }
});

child.on('close', (code) => {
  console.log(`\nfuzz summary (FUZZ_RUNS=${runs}):`);
  for (const line of lines) console.log(`  ${line}`);
  console.log(
    `  total: ${totals.inputs} inputs tried, ${totals.typed} typed errors, ${totals.valid} valid results, ` +
      `${totals.crashes} crashes, ${totals.hangs} hangs, ${totals.over} over the memory bound`,
  );
  if (code !== 0) console.log('  FAILED: see the counterexample above (replay it with FUZZ_SEED and FUZZ_RUNS).');
  process.exit(code ?? 1);
});
