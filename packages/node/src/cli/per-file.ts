// Runs a command's work file by file: a bad file is reported (stderr, and a JSON line with --json) and the others go on.
import { FacerecError } from '@facerec/core';
import type { CommandIO } from './main.js';

/**
 * Calls `work` for each file in order. A file whose work throws a FacerecError (unreadable or corrupt
 * image, NaN result...) is reported on stderr as `facerec <command>: <message>` and, with `json`, as a
 * `{"file", "error"}` line on stdout; the remaining files still run. Other errors (bugs) stop at once.
 * @returns The exit code: 0 when every file worked, 1 when any failed (after a summary on stderr).
 */
export async function forEachFile(command: string, files: readonly string[], io: CommandIO, json: boolean, work: (file: string, index: number) => Promise<void>): Promise<number> {
  let failed = 0;
  for (const [index, file] of files.entries()) {
    try {
      await work(file, index);
    } catch (error) {
      if (!(error instanceof FacerecError)) throw error;
      failed++;
      io.err(`facerec ${command}: ${error.message}\n`);
      if (json) io.out(`${JSON.stringify({ file, error: error.message })}\n`);
    }
  }
  if (failed === 0) return 0;
  io.err(`facerec ${command}: ${failed} of ${files.length} file(s) failed\n`);
  return 1;
}
