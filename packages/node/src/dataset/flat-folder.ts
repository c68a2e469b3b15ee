// Lists the image files directly inside one folder, in natural order, noting what is left out.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, compareLabels } from '@facerec/core';
import { isImageFile } from '../image/files.js';
import { errorReason } from '../io/atomic.js';
import type { SkippedFile } from './types.js';

/**
 * Image files (full paths) directly in `dir`, natural order. Hidden entries, sub-folders and files
 * without an image extension go to `skipped`.
 * @throws DatasetError naming `dir` when it cannot be listed.
 */
export async function scanFlatFolder(dir: string): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of await listSorted(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) skipped.push({ file: full, reason: 'hidden' });
    else if (entry.isDirectory()) skipped.push({ file: full, reason: 'nested folder (not scanned)' });
    else if (!isImageFile(entry.name)) skipped.push({ file: full, reason: 'not an image file (by extension)' });
    else files.push(full);
  }
  return { files, skipped };
}

/** Folder entries in natural name order. */
export async function listSorted(dir: string): Promise<Dirent[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.sort((a, b) => compareLabels(a.name, b.name));
  } catch (error) {
    throw new DatasetError(dir, `cannot list folder (${errorReason(error)})`, { cause: error });
  }
}
