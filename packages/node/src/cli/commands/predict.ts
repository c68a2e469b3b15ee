// `facerec predict <model> <image...>`: name the person in each image.
import { initBackend } from '../../backends/index.js';
import { readImage } from '../../image/index.js';
import { openRecognizer } from '../../recognizer/index.js';
import { UsageError, backendFlags, intFlag, numberFlag, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { forEachFile } from '../per-file.js';
import { checkThresholdFlag, formatScore } from '../score.js';
import { modelDirFlag } from './pretrained-flags.js';

export const predictUsage = `Usage: facerec predict <model-dir> <image...> [options]

Prints the most likely person for each image and its score, or "unknown" below the threshold: a
probability in percent for a trained CNN, a cosine similarity for class means on a pretrained backbone
(whose embedder is loaded as the model names it). An image that cannot be read is reported (stderr; a
{"file", "error"} line with --json) and the others go on; the exit code is then 1.

Options:
  --threshold <x>    score below which a face is unknown (default: the model's)
  --top <k>          also list the k best candidates (default 1)
  --json             print one JSON object per line: file, label, score, unknown, candidates
  --models <dir>     folder with the pretrained model files, for a model on a backbone (default: the npm packages)
  --backend <name>   auto | gpu | wasm | cpu (default auto; gpu: WebGPU, any adapter)
`;

export async function predictCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    threshold: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' },
    threads: { type: 'string' }, models: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(predictUsage);
    return 0;
  }
  if (positionals.length < 2) throw new UsageError('predict needs a model folder and at least one image');
  const [modelDir, ...files] = positionals as [string, ...string[]];
  // Every flag is checked before the backend starts or the model loads.
  const threshold = numberFlag(values, 'threshold', -1, 1);
  const topK = intFlag(values, 'top', 1)!;
  const backend = backendFlags(values);
  await initBackend(backend.request, backend.options);
  const { recognizer, pipeline } = await openRecognizer(modelDir, modelDirFlag(values));
  try {
    checkThresholdFlag(threshold, recognizer.scoreKind);
    return await forEachFile('predict', files, io, Boolean(values.json), async (file) => {
      const image = await readImage(file);
      const p = await recognizer.predict(image, { topK, ...(threshold === undefined ? {} : { threshold }) });
      if (values.json) {
        io.out(`${JSON.stringify({ file, label: p.label, score: p.score, unknown: p.unknown, candidates: p.candidates })}\n`);
      } else {
        const score = (x: number) => formatScore(x, recognizer.scoreKind);
        const extra = topK > 1 ? `  [${p.candidates.map((c) => `${c.label} ${score(c.score)}`).join(', ')}]` : '';
        io.out(`${file}\t${p.label}\t${score(p.score)}${p.unknown && p.candidates[0] ? ` (best match ${p.candidates[0].label})` : ''}${extra}\n`);
      }
    });
  } finally {
    recognizer.dispose();
    pipeline?.dispose();
  }
}
