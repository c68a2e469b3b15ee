// Rebuilds the committed face fixtures (fixtures/lfw, fixtures/yale) from the full datasets; `--check` only compares.
// Usage: node scripts/make-fixtures.mjs [--check]   (env: FACEREC_DATASETS, default ../shared/datasets)
// fixtures/lfw/pairs.txt is the record of which LFW pairs were picked (see fixtures/README.md): this script copies
// the images it names plus, per person, the lowest-numbered other images up to 3; Yale GIFs become lossless PNGs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const datasets = process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets');
const check = process.argv.includes('--check');
const fixtures = path.join(root, 'fixtures');

/** Yale: subjects 02–06 (subject01 has no centerlight photo), three lit and three evenly lit conditions each. */
export const YALE_SUBJECTS = ['subject02', 'subject03', 'subject04', 'subject05', 'subject06'];
export const YALE_CONDITIONS = ['normal', 'happy', 'sad', 'centerlight', 'leftlight', 'rightlight'];
const MAX_IMAGES_PER_PERSON = 3;

if (!existsSync(path.join(datasets, 'lfw-dev', 'pairs.txt'))) {
  console.error(`make-fixtures: no lfw-dev at ${datasets}; set FACEREC_DATASETS to the folder holding lfw-dev/ and yale/`);
  process.exit(1);
}

const wanted = new Map(); // fixture path (relative) -> bytes
for (const [person, numbers] of lfwPicks()) {
  const all = readdirSync(path.join(datasets, 'lfw-dev', 'images', person)).map((f) => Number(f.slice(person.length + 1, -4))).sort((a, b) => a - b);
  for (const n of all) if (numbers.size < MAX_IMAGES_PER_PERSON) numbers.add(n);
  for (const n of numbers) {
    const file = `${person}/${person}_${String(n).padStart(4, '0')}.jpg`;
    wanted.set(`lfw/images/${file}`, readFileSync(path.join(datasets, 'lfw-dev', 'images', file)));
  }
}
for (const subject of YALE_SUBJECTS) {
  for (const condition of YALE_CONDITIONS) {
    const gif = path.join(datasets, 'yale', subject, `${subject}.${condition}.gif`);
    wanted.set(`yale/${subject}/${subject}.${condition}.png`, gifToGrayPng(gif));
  }
}

let differences = 0;
for (const [rel, bytes] of wanted) {
  const file = path.join(fixtures, rel);
  const same = existsSync(file) && Buffer.compare(readFileSync(file), bytes) === 0;
  if (same) continue;
  differences++;
  if (check) console.error(`make-fixtures: ${rel} differs from its source`);
  else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}
for (const rel of listFiles(fixtures).filter((r) => /\.(jpg|png)$/.test(r) && !wanted.has(r))) {
  differences++;
  if (check) console.error(`make-fixtures: ${rel} is not picked`);
  else rmSync(path.join(fixtures, rel));
}
const bytes = [...wanted.values()].reduce((s, b) => s + b.length, 0);
console.log(`make-fixtures: ${wanted.size} images, ${(bytes / 1e6).toFixed(2)} MB, ${differences} ${check ? 'differences' : 'written or removed'}`);
process.exit(check && differences > 0 ? 1 : 0);

/** Person -> image numbers named by fixtures/lfw/pairs.txt. */
function lfwPicks() {
  const picks = new Map();
  const add = (name, n) => {
    if (!picks.has(name)) picks.set(name, new Set());
    picks.get(name).add(Number(n));
  };
  const lines = readFileSync(path.join(fixtures, 'lfw', 'pairs.txt'), 'utf8').trim().split('\n').slice(1);
  for (const fields of lines.map((l) => l.split('\t'))) {
    if (fields.length === 3) add(fields[0], fields[1]), add(fields[0], fields[2]);
    else add(fields[0], fields[1]), add(fields[2], fields[3]);
  }
  return [...picks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Decodes a gray-palette GIF with ffmpeg (exact palette lookup) and encodes it as an 8-bit grayscale PNG. */
function gifToGrayPng(file) {
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]).toString().trim();
  const [width, height] = probe.split(',').map(Number);
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 });
  if (rgb.length !== width * height * 3) throw new Error(`${file}: ffmpeg gave ${rgb.length} bytes for ${width}×${height}`);
  const gray = Buffer.alloc(width * height);
  for (let i = 0; i < gray.length; i++) {
    if (rgb[3 * i] !== rgb[3 * i + 1] || rgb[3 * i] !== rgb[3 * i + 2]) throw new Error(`${file}: pixel ${i} is not gray`);
    gray[i] = rgb[3 * i];
  }
  return encodeGrayPng(gray, width, height);
}

/** PNG, colour type 0 (gray), 8 bits, every row Paeth-filtered (the smallest files for these photos). */
function encodeGrayPng(gray, width, height) {
  const raw = Buffer.alloc(height * (width + 1));
  const at = (x, y) => (x < 0 || y < 0 ? 0 : gray[y * width + x]);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 4;
    for (let x = 0; x < width; x++) {
      const a = at(x - 1, y), b = at(x, y - 1), c = at(x - 1, y - 1);
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      raw[y * (width + 1) + 1 + x] = (gray[y * width + x] - predictor) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}


function listFiles(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}
