// `facerec enroll <gallery> <label> <images...>`: add a person's photos to a gallery (a folder, pglite: or postgres://; created if missing).
import { InvalidArgumentError, type Gallery } from '@facerec/core';
import { GALLERY_FOLDER } from '../../gallery/files.js';
import { openGallery, updateGallery } from '../../gallery/index.js';
import { openImage } from '../../image/index.js';
import { checkSaveTarget } from '../../io/save-target.js';
import { parseGalleryTarget } from '../../stores/target.js';
import { UsageError, numberFlag, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { encryptionFlag, encryptionFlagOptions, encryptionFlagUsage } from './encryption-flags.js';
import { initBackendFromFlags, modelDirFlag, presetFlag, pretrainedFlagOptions } from './pretrained-flags.js';

export const enrollUsage = `Usage: facerec enroll <gallery> <label> <image...> [options]

Detects the main face of each image, embeds it and adds it to the gallery under <label>; the gallery
folder (gallery.json + embeddings.bin + facerec.json) is created if missing and replaced atomically.
A folder that holds anything else is refused and left as it is. Enrolments running at the same time
into one gallery take turns (a lock file .<gallery>.lock beside it) and all land.
<gallery> may also be pglite:<folder> (an embedded PostgreSQL with pgvector; one process at a time,
others wait) or postgres://user:password@host/db?gallery=<name> (a server with pgvector).

Options:
  --preset <name>        embedder of a new gallery: default (dlib ResNet-34 + face mesh) | fast (dlib, no mesh) | mobileface | faceres | accurate;
                         an existing gallery keeps its own (another preset is an error)
  --lock-timeout <s>     seconds to wait for another enrolment into the same gallery (default 30)
  --models <dir>         folder with the model files (default: the installed npm packages)
  --backend <name>       auto | gpu | wasm | cpu (default auto)
  --threads <n>          threads for the wasm backend
${encryptionFlagUsage}`;

export async function enrollCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    preset: { type: 'string' }, 'lock-timeout': { type: 'string' }, ...pretrainedFlagOptions, ...encryptionFlagOptions,
  });
  if (values.help) {
    io.out(enrollUsage);
    return 0;
  }
  if (positionals.length < 3) throw new UsageError('enroll needs a gallery folder, a label and at least one image');
  const [dir, label, ...files] = positionals as [string, string, ...string[]];
  const preset = values.preset !== undefined ? presetFlag(values) : undefined;
  const lockSeconds = numberFlag(values, 'lock-timeout', 0, 24 * 3600);
  const encryption = await encryptionFlag(values);
  const folder = parseGalleryTarget(dir).kind === 'folder';
  // Refuse a folder that is not a gallery before loading models and embedding photos (the save checks again).
  if (folder) await checkSaveTarget(dir, GALLERY_FOLDER);
  await initBackendFromFlags(values);
  const { gallery, pipeline } = await openGallery(dir, { ...(preset !== undefined ? { preset } : {}), ...modelDirFlag(values), ...(!folder && lockSeconds !== undefined ? { lockTimeoutMs: lockSeconds * 1000 } : {}), ...encryption }).catch((error: unknown) => {
    throw error instanceof InvalidArgumentError && error.argument === 'preset' ? new UsageError(error.message) : error;
  });
  // A folder: only the pipeline is needed now; the gallery is read again under its lock, as other processes may have changed it.
  if (folder) gallery.dispose();
  try {
    // The slow part, embedding, runs before the lock is taken.
    const embeddings: Float32Array[] = [];
    for (const file of files) {
      const face = await pipeline.embedMainFace(await openImage(file));
      if (face) embeddings.push(face.embedding);
      else io.err(`${file}: no face found, skipped\n`);
    }
    if (embeddings.length === 0) {
      io.err(`facerec enroll: no face found in any image; the gallery is unchanged\n`);
      return 1;
    }
    // A pglite: or postgres:// gallery saves the enrolment as one transaction.
    const saved = !folder ? await enrollInto(gallery, label, embeddings) : await updateGallery(
      dir,
      pipeline,
      async (g) => {
        await g.enroll(label, embeddings);
        const count = await g.count();
        return { people: count.people, size: count.embeddings, embedder: g.embedderName };
      },
      { ...(lockSeconds !== undefined ? { lockTimeoutMs: lockSeconds * 1000 } : {}), ...encryption },
    );
    io.out(`enrolled ${embeddings.length} image(s) of ${label}; ${dir} holds ${saved.people} people, ${saved.size} embeddings (${saved.embedder})\n`);
    return 0;
  } finally {
    if (!folder) await gallery.close();
    pipeline.dispose();
  }
}

async function enrollInto(gallery: Gallery, label: string, embeddings: Float32Array[]): Promise<{ people: number; size: number; embedder: string }> {
  await gallery.enroll(label, embeddings);
  const count = await gallery.count();
  return { people: count.people, size: count.embeddings, embedder: gallery.embedderName };
}
