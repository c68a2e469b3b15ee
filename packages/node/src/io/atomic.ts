// Atomic file writes (temp file + rename) and JSON reads with errors that name the file.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FacerecError } from '@facerec/core';
import { removeDeadLeftovers, tempSiblingPath } from './leftovers.js';

/** A short reason for messages: the code of a Node system error (ENOENT...), else the message. */
export function errorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // System error messages repeat the path we already name ("ENOENT: no such file..., open '/x'").
  return typeof code === 'string' && message.startsWith(`${code}:`) ? code : message;
}

/**
 * Writes `data` to `file` atomically: a temp file beside it is written, flushed and renamed over it,
 * so readers see the old content or the new one, never a mix. Missing parent folders are created; temp files
 * that killed writers left beside `file` are removed.
 * @throws FacerecError naming `file` when it cannot be written; no temp file is left behind.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempSiblingPath(file, 'tmp');
  try {
    await mkdir(path.dirname(file), { recursive: true });
    // Temp files of writers killed before their rename (their pid no longer runs) are removed.
    await removeDeadLeftovers(file);
    await writeAndSync(temp, [typeof data === 'string' ? Buffer.from(data, 'utf8') : data]);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new FacerecError(`Cannot write ${file} (${errorReason(error)})`, { cause: error });
  }
}

/** Writes the chunks to a new file (failing if it exists) and flushes it to disk before closing. */
export async function writeAndSync(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `value` as pretty-printed JSON (with a final newline), atomically. */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Reads and parses a JSON file. The result is `unknown`: callers validate its shape.
 * @throws FacerecError naming `file` when it is missing, unreadable or not valid JSON.
 */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FacerecError(`Cannot read ${file} (${errorReason(error)})`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FacerecError(`${file} is not valid JSON: ${errorReason(error)}`, { cause: error });
  }
}
