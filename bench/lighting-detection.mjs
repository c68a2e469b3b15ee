// Detection in the dark and in glare: the fraction of lfw-dev images in which no face is found after darkening or
// brightening them (and whether the detector saw the face the face checks refused). measureExposureMisses is called by
// bench/lighting.mjs; run alone it prints the result and writes bench-results/lighting-detection.json.
// Usage: node bench/lighting-detection.mjs   (env: FACEREC_DATASETS, EXPOSURE_IMAGES=n: every k-th image so n are used)
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, loadFacePipeline, readImage } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The exposure changes measured, on 8-bit samples v (0..255), rounded back to 8 bits as a camera would store them. */
export const EXPOSURES = {
  /** Under-exposed: gamma 3 (shadows crushed), then a quarter of the light: 255 · 0.25 · (v / 255)³. */
  dark: (v) => 255 * 0.25 * (v / 255) ** 3,
  /** Over-exposed: three times the light, clipped at white: min(255, 3v). */
  bright: (v) => Math.min(255, 3 * v),
};

/** `image` with `curve` applied to every sample (8-bit result). */
function expose(image, curve) {
  const table = Uint8Array.from({ length: 256 }, (_, v) => Math.round(curve(v)));
  return { ...image, data: image.data.map((v) => table[v]) };
}

/**
 * Fraction of lfw-dev images with no face found by `pipeline.detect` (default options) after darkening and after
 * brightening them ({@link EXPOSURES}); `normal` counts the unchanged images the same way. For the images missed,
 * it also says whether the detector itself saw the face (`faceChecks: false`: the face mesh's checks refused it).
 * @param {{ datasets?: string, images?: number, pipeline?: import('@facerec/node').FacePipeline }} [opts]
 *   `datasets`: the folder holding lfw-dev (default FACEREC_DATASETS or ../shared/datasets); `images`: about how
 *   many images (every k-th of the sorted list; default all 2,086); `pipeline`: a loaded pipeline (default: the
 *   `default` preset, loaded and disposed here; the backend must be initialised).
 */
export async function measureExposureMisses(opts = {}) {
  const datasets = opts.datasets ?? process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets');
  const dir = path.join(datasets, 'lfw-dev', 'images');
  const all = readdirSync(dir).sort().flatMap((person) => readdirSync(path.join(dir, person)).sort().map((f) => path.join(dir, person, f)));
  const step = Math.max(1, Math.floor(all.length / (opts.images ?? all.length)));
  const files = all.filter((_, i) => i % step === 0);
  const pipeline = opts.pipeline ?? (await loadFacePipeline());
  const misses = { normal: 0, dark: 0, bright: 0 };
  const unchecked = { normal: 0, dark: 0, bright: 0 };
  try {
    for (const file of files) {
      const image = await readImage(file);
      const variants = { normal: image, dark: expose(image, EXPOSURES.dark), bright: expose(image, EXPOSURES.bright) };
      for (const [name, variant] of Object.entries(variants)) {
        if ((await pipeline.detect(variant)).length > 0) continue;
        misses[name]++;
        if ((await pipeline.detect(variant, { faceChecks: false })).length === 0) unchecked[name]++;
      }
    }
  } finally {
    if (!opts.pipeline) pipeline.dispose();
  }
  const fraction = (n) => Math.round((n / files.length) * 1e4) / 1e4;
  return {
    lfw_dark_detection_misses: fraction(misses.dark),
    lfw_bright_detection_misses: fraction(misses.bright),
    lfw_normal_detection_misses: fraction(misses.normal),
    lfw_dark_detection_misses_without_face_checks: fraction(unchecked.dark),
    lfw_bright_detection_misses_without_face_checks: fraction(unchecked.bright),
    lfw_normal_detection_misses_without_face_checks: fraction(unchecked.normal),
    exposure_images: files.length,
    exposure_transforms: { dark: 'gamma 3, then x0.25: 255*0.25*(v/255)^3', bright: 'x3 clipped: min(255, 3v)' },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const backend = await initBackend('wasm');
  const start = performance.now();
  const result = await measureExposureMisses({ images: process.env.EXPOSURE_IMAGES ? Number(process.env.EXPOSURE_IMAGES) : undefined });
  const out = { ...result, seconds: Math.round((performance.now() - start) / 100) / 10, backend: backend.backend, machine: { cpus: os.cpus().length, load_average_1min: os.loadavg()[0], node: process.version } };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/lighting-detection.json'), `${JSON.stringify(out, null, 2)}\n`);
}
