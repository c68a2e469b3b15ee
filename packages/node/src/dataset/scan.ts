// Lists a folder-per-person tree: person folders and their image files, noting everything left out.
import type { Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from '@facerec/core';
import { errorReason } from '../io/atomic.js';
import { listSorted, scanFlatFolder } from './flat-folder.js';
import { mapWithConcurrency } from './pool.js';
import type { SkippedFile } from './types.js';

/** One person's folder and image files (full paths, natural order). */
export interface PersonFolder {
  readonly label: string;
  readonly dir: string;
  readonly files: string[];
}

/** Result of `scanImageFolder`. */
export interface FolderScan {
  readonly people: PersonFolder[];
  readonly skipped: SkippedFile[];
}

/**
 * Finds the person folders under `root` (natural order) and their image files. Hidden entries,
 * top-level files, nested folders and non-image files go to `skipped`.
 * @throws DatasetError naming `root` when it is missing, not a folder, or holds no person folder.
 */
export async function scanImageFolder(root: string, signal?: AbortSignal, concurrency = 8): Promise<FolderScan> {
  const info = await stat(root).catch((error: unknown) => {
    throw new DatasetError(root, `folder not found (${errorReason(error)})`, { cause: error });
  });
  if (!info.isDirectory()) throw new DatasetError(root, 'not a folder; expected one sub-folder per person');

  const skipped: SkippedFile[] = [];
  const personDirs: Array<{ label: string; dir: string }> = [];
  for (const entry of await listSorted(root)) {
    const full = path.join(root, entry.name);
    if (entry.name.startsWith('.')) {
      skipped.push({ file: full, reason: 'hidden' });
    } else if (await isDirectory(entry, full)) {
      personDirs.push({ label: entry.name, dir: full });
    } else {
      skipped.push({ file: full, reason: 'not a folder (images go in one sub-folder per person)' });
    }
  }
  if (personDirs.length === 0) {
    throw new DatasetError(root, 'no person folders; expected one sub-folder per person, like root/alice/1.jpg');
  }

  const listed = await mapWithConcurrency(
    personDirs,
    concurrency,
    async ({ label, dir }) => {
      const { files, skipped: left } = await scanFlatFolder(dir);
      return { person: { label, dir, files }, left };
    },
    signal,
  );
  for (const { left } of listed) skipped.push(...left);
  return { people: listed.map((l) => l.person), skipped };
}

/** Follows symbolic links, so a person folder may be a link to elsewhere. */
async function isDirectory(entry: Dirent, full: string): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await stat(full).catch(() => undefined))?.isDirectory() ?? false;
}
