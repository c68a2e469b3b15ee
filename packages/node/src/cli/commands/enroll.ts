// `facerec enroll <gallery> <label> <images...>`: add a person's photos to a gallery folder (created if missing).
import { openGallery, saveGallery } from '../../gallery/index.js';
import { readImage } from '../../image/index.js';
import { UsageError, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { initBackendFromFlags, modelDirFlag, presetFlag, pretrainedFlagOptions } from './pretrained-flags.js';

export const enrollUsage = `Usage: facerec enroll <gallery-dir> <label> <image...> [options]

Detects the main face of each image, embeds it and adds it to the gallery under <label>; the gallery
folder (gallery.json + embeddings.bin) is created if missing and replaced atomically.

Options:
  --preset <name>    embedder of a new gallery: default (dlib ResNet-34 + face mesh) | fast (dlib, no mesh) | mobileface | faceres
  --models <dir>     folder with the model files (default: the installed npm packages)
  --backend <name>   auto | gpu | wasm | cpu (default auto)
  --threads <n>      threads for the wasm backend
`;

export async function enrollCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    preset: { type: 'string' }, ...pretrainedFlagOptions,
  });
  if (values.help) {
    io.out(enrollUsage);
    return 0;
  }
  if (positionals.length < 3) throw new UsageError('enroll needs a gallery folder, a label and at least one image');
  const [dir, label, ...files] = positionals as [string, string, ...string[]];
  await initBackendFromFlags(values);
  const { gallery, pipeline } = await openGallery(dir, { preset: presetFlag(values), ...modelDirFlag(values) });
  try {
    let added = 0;
    for (const file of files) {
      const result = await gallery.enroll(label, [await readImage(file)]);
      if (result.noFace.length > 0) io.err(`${file}: no face found, skipped\n`);
      added += result.added;
    }
    if (added === 0) {
      io.err(`facerec enroll: no face found in any image; the gallery is unchanged\n`);
      return 1;
    }
    await saveGallery(gallery, dir);
    io.out(`enrolled ${added} image(s) of ${label}; ${dir} holds ${gallery.labels().length} people, ${gallery.size} embeddings (${gallery.embedderName})\n`);
    return 0;
  } finally {
    gallery.dispose();
    pipeline.dispose();
  }
}
