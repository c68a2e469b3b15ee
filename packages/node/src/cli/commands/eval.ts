// `facerec eval <model> <dir>`: accuracy, a per-person table, a confusion matrix file and optional JSON.
import path from 'node:path';
import { describeBackendSelection, type EvaluationReport } from '@facerec/core';
import { initBackend } from '../../backends/index.js';
import { encodePng } from '../../image/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { openRecognizer } from '../../recognizer/index.js';
import { UsageError, backendFlags, numberFlag, parse, parseSplit } from '../args.js';
import { loadDatasetForCli, skipCorruptFlagOption, skipCorruptUsage } from '../dataset-flags.js';
import { confusionHtml, confusionImage } from '../confusion.js';
import type { CommandIO } from '../main.js';
import { checkThresholdFlag } from '../score.js';
import { modelDirFlag } from './pretrained-flags.js';

export const evalUsage = `Usage: facerec eval <model-dir> <dataset-dir> [options]

Scores a saved model (a trained CNN, or a head on a pretrained backbone) on a folder-per-person dataset.

Options:
  --split <spec>        first:N scores only the images after each person's first N (by file name);
                        fraction:F[:seed] scores the held-out fraction; none (default) scores all
  --json <file>         write { accuracy, per_person, images, ... } to this file
  --confusion <file>    confusion matrix as .html (default confusion-matrix.html) or .png
  --threshold <x>       score below which a face is unknown (default: the model's)
  --models <dir>        folder with the pretrained model files, for a model on a backbone (default: the npm packages)
  --backend <name>      auto | gpu | wasm | cpu (default auto; gpu: WebGPU, any adapter)
  --threads <n>         WASM threads
${skipCorruptUsage(24)}  --quiet               print only the accuracy line
`;

export async function evalCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    split: { type: 'string' }, json: { type: 'string' }, confusion: { type: 'string' }, threshold: { type: 'string' },
    backend: { type: 'string' }, threads: { type: 'string' }, models: { type: 'string' }, quiet: { type: 'boolean' }, ...skipCorruptFlagOption, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(evalUsage);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('eval needs a model folder and a dataset folder');
  const [modelDir, dataDir] = positionals as [string, string];
  // Every flag is checked before the backend starts, the model loads and the images are decoded.
  const split = parseSplit(values.split as string | undefined);
  const threshold = numberFlag(values, 'threshold', -1, 1);
  const backend = backendFlags(values);
  const selection = await initBackend(backend.request, backend.options);
  if (!values.quiet) io.err(`backend: ${describeBackendSelection(selection)}\n`);
  const { recognizer, pipeline } = await openRecognizer(modelDir, modelDirFlag(values));
  try {
    checkThresholdFlag(threshold, recognizer.scoreKind);
    const dataset = await loadDatasetForCli(dataDir, values, io, { split });
    const images = split?.type === 'none' || split === undefined ? [...dataset.train, ...dataset.test] : dataset.test;
    const report = await recognizer.evaluate(images, threshold === undefined ? {} : { threshold });
    await writeReport(report, modelDir, dataDir, values, io);
    return 0;
  } finally {
    recognizer.dispose();
    pipeline?.dispose();
  }
}

/** Prints the accuracy and per-person table and writes the confusion matrix and the --json file. */
async function writeReport(report: EvaluationReport, modelDir: string, dataDir: string, values: Record<string, unknown>, io: CommandIO): Promise<void> {
  io.out(`accuracy: ${(report.accuracy * 100).toFixed(2)}% (${Math.round(report.accuracy * report.count)}/${report.count} images, ${report.labels.length} people)\n`);
  if (!values.quiet) {
    const width = Math.max(6, ...report.labels.map((l) => l.length));
    io.out(`${'person'.padEnd(width)}  precision  recall     f1  images\n`);
    for (const label of report.labels) {
      const m = report.perClass[label]!;
      io.out(`${label.padEnd(width)}  ${m.precision.toFixed(3).padStart(9)}  ${m.recall.toFixed(3).padStart(6)}  ${m.f1.toFixed(3).padStart(5)}  ${String(m.support).padStart(6)}\n`);
    }
    io.out(`macro F1 ${report.macro.f1.toFixed(3)}; unknown at threshold ${report.threshold}: ${(report.unknownRate * 100).toFixed(1)}%\n`);
  }
  const confusionFile = (values.confusion as string | undefined) ?? 'confusion-matrix.html';
  if (confusionFile.toLowerCase().endsWith('.png')) {
    await writeFileAtomic(confusionFile, encodePng(confusionImage(report.confusion)));
  } else {
    await writeFileAtomic(confusionFile, confusionHtml(report.confusion, report.labels, `facerec eval: ${path.basename(path.resolve(modelDir))} on ${path.basename(path.resolve(dataDir))}`, report.accuracy));
  }
  if (!values.quiet) io.out(`confusion matrix: ${path.resolve(confusionFile)}\n`);
  if (values.json) {
    const perPerson = Object.fromEntries(report.labels.map((l) => [l, report.perClass[l]!]));
    const json = {
      accuracy: report.accuracy,
      per_person: perPerson,
      images: report.count,
      people: report.labels.length,
      macro: report.macro,
      top_k: report.topK ?? {},
      threshold: report.threshold,
      unknown_rate: report.unknownRate,
      accuracy_with_threshold: report.accuracyWithThreshold,
      confusion: report.confusion,
      labels: report.labels,
      predictions: report.images,
    };
    await writeFileAtomic(values.json as string, `${JSON.stringify(json, null, 2)}\n`);
    if (!values.quiet) io.out(`json: ${path.resolve(values.json as string)}\n`);
  }
}
