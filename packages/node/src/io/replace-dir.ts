// Replaces a facerec folder atomically: fill a temp folder beside it, then swap it in with renames.
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeAndSync } from './atomic.js';
import { removeDeadLeftovers, settleSwap, tempSiblingPath } from './leftovers.js';
import { FOLDER_MARKER, checkSaveTarget, folderMarker, type FolderSpec } from './save-target.js';

/**
 * Writes a folder of kind `spec` at `target`: `fill` writes into a temp folder beside it, the marker file
 * is added, and the temp folder replaces `target` by rename. An existing `target` is moved aside first and
 * removed only after the new one is in place; if the swap fails the old folder is put back.
 *
 * Before anything is written: a swap a killed writer left half done is undone, temp folders of dead
 * writers of this target are removed, and `target` is checked with {@link checkSaveTarget}: a folder
 * holding anything facerec did not write for this kind is refused with SaveTargetError, untouched.
 * Missing parent folders are created. On any failure the temp folder is removed.
 */
export async function replaceFolder(target: string, spec: FolderSpec, fill: (tempDir: string) => Promise<void>): Promise<void> {
  await settleSwap(path.resolve(target));
  const resolved = await checkSaveTarget(target, spec);
  await mkdir(path.dirname(resolved), { recursive: true });
  await removeDeadLeftovers(resolved);
  const temp = tempSiblingPath(resolved, 'saving');
  await mkdir(temp);
  let old: string | undefined;
  try {
    await fill(temp);
    await writeAndSync(path.join(temp, FOLDER_MARKER), [Buffer.from(`${JSON.stringify(folderMarker(spec.kind))}\n`, 'utf8')]);
    if (await exists(resolved)) {
      old = tempSiblingPath(resolved, 'old');
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
  // The new folder is in place; failing to delete the old copy loses nothing (the next save removes it).
  if (old) await rm(old, { recursive: true, force: true }).catch(() => undefined);
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, () => false);
}
