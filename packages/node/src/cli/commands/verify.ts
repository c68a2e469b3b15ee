// `facerec verify <a> <b>`: are the main faces of two photos the same person?
import { Gallery } from '@facerec/core';
import { openImage } from '../../image/index.js';
import { loadFacePipeline } from '../../models/index.js';
import { UsageError, numberFlag, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { explainFlagOptions, explainFlags, explainPair, explainUsage } from '../explain-flags.js';
import { initBackendFromFlags, modelDirFlag, presetFlag, pretrainedFlagOptions } from './pretrained-flags.js';

export const verifyUsage = `Usage: facerec verify <image-a> <image-b> [options]

Compares the main face of each image: prints the cosine similarity and "same" or "different" at the
embedder's calibrated threshold. Exit code 0 either way; 1 when an image has no face.

Options:
  --threshold <x>    similarity at or above which the faces are the same person (default: the embedder's)
  --preset <name>    default (dlib ResNet-34 + face mesh) | fast (dlib, no mesh) | mobileface | faceres | accurate (dlib + MobileFaceNet)
  --json             print one JSON object instead
${explainUsage('file')}  --models <dir>     folder with the model files (default: the installed npm packages)
  --backend <name>   auto | gpu | wasm | cpu (default auto)
`;

export async function verifyCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    threshold: { type: 'string' }, preset: { type: 'string' }, json: { type: 'boolean' }, ...pretrainedFlagOptions, ...explainFlagOptions,
  });
  if (values.help) {
    io.out(verifyUsage);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('verify needs exactly two images');
  const preset = presetFlag(values);
  const threshold = numberFlag(values, 'threshold', -1, 1);
  const explain = explainFlags(values, 'file');
  await initBackendFromFlags(values);
  const pipeline = await loadFacePipeline({ preset, ...modelDirFlag(values) });
  const gallery = new Gallery(pipeline);
  try {
    const [a, b] = await Promise.all(positionals.map((f) => openImage(f)));
    const r = await gallery.verify(a!, b!, threshold === undefined ? {} : { threshold });
    const explanation = explain ? await explainPair(pipeline, [positionals[0]!, positionals[1]!], explain, threshold) : undefined;
    if (values.json) io.out(`${JSON.stringify({ a: positionals[0], b: positionals[1], score: r.score, same: r.same, threshold: r.threshold, ...(explanation ? { explanation } : {}) })}\n`);
    else io.out(`${r.same ? 'same' : 'different'}\tsimilarity ${r.score.toFixed(3)} (threshold ${r.threshold.toFixed(3)})\n`);
    if (explain?.target !== undefined) io.err(`wrote ${explain.target}\n`);
    return 0;
  } finally {
    gallery.dispose();
    pipeline.dispose();
  }
}
