// `facerec identify <gallery> <photo...> [--out annotated.png]`: name every face in each photo.
import { annotateImage, openGallery } from '../../gallery/index.js';
import { openImage, readImage } from '../../image/index.js';
import { UsageError, intFlag, numberFlag, parse } from '../args.js';
import { imageOutputFormat, writeImageAs } from '../image-output.js';
import type { CommandIO } from '../main.js';
import { forEachFile } from '../per-file.js';
import { formatScore } from '../score.js';
import { encryptionFlag, encryptionFlagOptions, encryptionFlagUsage } from './encryption-flags.js';
import { explainFlagOptions, explainFlags, explainNamedFaces, explainUsage } from '../explain-flags.js';
import { initBackendFromFlags, modelDirFlag, pretrainedFlagOptions } from './pretrained-flags.js';

export const identifyUsage = `Usage: facerec identify <gallery-dir> <photo...> [options]

Finds every face in each photo and names it from the gallery, or "unknown" below the threshold. A photo
that cannot be read is reported (stderr; a {"file", "error"} line with --json) and the others go on; the
exit code is then 1.

Options:
  --out <file>       write the first photo that was read with boxes and names drawn (.png, .jpg or .jpeg)
  --top <k>          list the k best candidates per face (default 1)
  --threshold <x>    similarity threshold for a name (default: the gallery's)
  --min-face <px>    smallest face to look for, in pixels (default 40)
  --json             print one JSON object per photo instead
${explainUsage('dir')}  --models <dir>     folder with the model files (default: the installed npm packages)
  --backend <name>   auto | gpu | wasm | cpu (default auto)
${encryptionFlagUsage}`;

export async function identifyCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: 'string' }, top: { type: 'string' }, threshold: { type: 'string' }, 'min-face': { type: 'string' },
    json: { type: 'boolean' }, ...pretrainedFlagOptions, ...encryptionFlagOptions, ...explainFlagOptions,
  });
  if (values.help) {
    io.out(identifyUsage);
    return 0;
  }
  if (positionals.length < 2) throw new UsageError('identify needs a gallery folder and at least one photo');
  const [dir, ...files] = positionals as [string, ...string[]];
  // Every flag is checked before models load.
  const topK = intFlag(values, 'top', 1)!;
  const threshold = numberFlag(values, 'threshold', -1, 1);
  const minFaceSize = intFlag(values, 'min-face', 40)!;
  const explain = explainFlags(values, 'dir');
  const out = typeof values.out === 'string' ? { file: values.out, format: imageOutputFormat(values.out, '--out') } : undefined;
  const encryption = await encryptionFlag(values);
  await initBackendFromFlags(values);
  const { gallery, pipeline } = await openGallery(dir, { ...modelDirFlag(values), ...encryption });
  let annotated = false;
  try {
    if ((await gallery.count()).embeddings === 0) throw new UsageError(`${dir} holds no gallery yet; add people with "facerec enroll"`);
    return await forEachFile('identify', files, io, Boolean(values.json), async (file) => {
      // Big photos are read only as far as detection needs, unless this one is drawn on.
      const drawOn = out && !annotated ? await readImage(file) : undefined;
      const faces = await gallery.identify(drawOn ?? (await openImage(file)), { topK, minFaceSize, ...(threshold === undefined ? {} : { threshold }) });
      const explained = explain ? await explainNamedFaces(pipeline, gallery, file, faces, explain) : undefined;
      explained?.files.forEach((f) => io.err(`wrote ${f}\n`));
      if (values.json) {
        io.out(`${JSON.stringify({ file, faces: faces.map((f, i) => ({ label: f.label, score: f.score, unknown: f.unknown, box: f.box, candidates: f.candidates, ...(explained?.json[i] ? { explanation: explained.json[i] } : {}) })) })}\n`);
      } else {
        io.out(`${file}: ${faces.length} face(s)\n`);
        for (const f of faces) {
          const b = f.box;
          const extra = topK > 1 ? `  [${f.candidates.map((c) => `${c.label} ${formatScore(c.score, gallery.scoreKind)}`).join(', ')}]` : '';
          io.out(`  ${f.label}\t${formatScore(f.score, gallery.scoreKind)}\tbox ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)}${extra}\n`);
        }
      }
      if (out && drawOn) {
        annotated = true;
        await writeImageAs(out.file, annotateImage(drawOn, faces.map((f) => ({ box: f.box, text: f.label, known: !f.unknown }))), out.format);
        io.err(`wrote ${out.file}\n`);
      }
    });
  } finally {
    // Closes a pglite:/postgres:// store too (its lock, its connections).
    await gallery.close();
    pipeline.dispose();
  }
}
