// Whether a process that left a lock or temp file behind is still running, so only dead writers' files are recovered.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** This machine's name as written into lock and temp names (path-safe, short). */
export function hostTag(hostname = os.hostname()): string {
  return hostname.replace(/[^A-Za-z0-9.]/g, '_').slice(0, 64) || 'host';
}

/**
 * True when process `pid` runs on this machine. A zombie (killed, not yet reaped by its parent) counts as
 * dead; a process we may not signal (EPERM) counts as alive.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces or parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
