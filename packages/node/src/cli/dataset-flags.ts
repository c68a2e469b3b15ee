// Loads a folder-per-person dataset for train and eval: corrupt images are all listed at once, or skipped with --skip-corrupt.
import { DatasetError, InvalidImageError } from '@facerec/core';
import { loadImageFolder, type ImageFolderDataset, type ImageFolderOptions } from '../dataset/index.js';
import type { CommandIO } from './main.js';

/** The parse() option of the flag. */
export const skipCorruptFlagOption = { 'skip-corrupt': { type: 'boolean' } } as const;

/** Usage line of the flag, its text starting at `column` like the command's other options. */
export function skipCorruptUsage(column: number): string {
  return `${'  --skip-corrupt'.padEnd(column)}leave out images that cannot be decoded (each is named on stderr)\n`;
}

/**
 * Loads `dir`. Without `--skip-corrupt`, corrupt images are an error that lists every one of them (the
 * loader decodes all files first) and says how to go on; with it, each left-out image is named on stderr.
 * @throws DatasetError naming `dir` and the corrupt files.
 */
export async function loadDatasetForCli(dir: string, values: Record<string, unknown>, io: CommandIO, options: Omit<ImageFolderOptions, 'onCorrupt'> = {}): Promise<ImageFolderDataset> {
  const skip = values['skip-corrupt'] === true;
  let dataset: ImageFolderDataset;
  try {
    dataset = await loadImageFolder(dir, { ...options, onCorrupt: skip ? 'skip' : 'error' });
  } catch (error) {
    if (error instanceof InvalidImageError) throw new DatasetError(dir, `${error.message}\nFix or remove them, or pass --skip-corrupt to go on without them.`, { cause: error });
    throw error;
  }
  for (const s of dataset.skipped) if (s.corrupt) io.err(`skipped corrupt image ${s.file}: ${s.reason}\n`);
  return dataset;
}
