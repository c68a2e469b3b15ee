// Replaces a whole folder atomically: fill a temp folder beside it, then swap it in with renames.
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { siblingTempPath } from './atomic.js';

/**
 * Creates a temp folder next to `target`, lets `fill` write into it, then moves it to `target`. An
 * existing `target` folder is renamed away first and removed only after the new one is in place; if
 * the swap fails the old folder is put back. On any failure the temp folder is removed.
 * Missing parent folders are created. Throws (the raw system error) when `target` is a file.
 */
export async function replaceDirectory(target: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  const resolved = path.resolve(target);
  const parent = path.dirname(resolved);
  const existing = await stat(resolved).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw Object.assign(new Error('exists and is not a folder'), { code: 'ENOTDIR' });
  }
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(path.join(parent, `.${path.basename(resolved)}.saving-`));
  let old: string | undefined;
  try {
    await fill(temp);
    if (existing) {
      old = siblingTempPath(resolved, 'old');
      await rename(resolved, old);
    }
    try {
      await rename(temp, resolved);
    } catch (error) {
      if (old) await rename(old, resolved).catch(() => undefined);
      old = undefined;
      throw error;
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  // The new folder is in place; failing to delete the old copy loses nothing, so it is not an error.
  if (old) await rm(old, { recursive: true, force: true }).catch(() => undefined);
}
