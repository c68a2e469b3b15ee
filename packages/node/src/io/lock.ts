// An exclusive lock file beside a folder, so read-modify-write cycles of two processes do not lose each other's changes.
import { lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FacerecError } from '@facerec/core';
import { isProcessAlive } from './process-alive.js';

/** Default wait for another writer's lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** A lock file that cannot be parsed (its writer died between creating and filling it) is stale after this. */
const UNREADABLE_STALE_MS = 10_000;

/** Options of `withLock`. */
export interface LockOptions {
  /** How long to wait for another process's lock before failing, in ms. Default 30 000. */
  readonly timeoutMs?: number;
}

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO time the lock was taken. */
  readonly time: string;
}

/** Another process held the lock for longer than the wait allowed. */
export class LockedError extends FacerecError {
  /** The locked folder. */
  readonly path: string;
  /** The lock file. */
  readonly lockFile: string;
  /** The holder, when the lock file could be read. */
  readonly holder: LockHolder | undefined;
  constructor(what: string, target: string, lockFile: string, holder: LockHolder | undefined, waitedMs: number) {
    const who = holder
      ? `pid ${holder.pid}${holder.hostname === os.hostname() ? '' : ` on ${holder.hostname}`} (since ${holder.time})`
      : 'another process';
    const remote = holder && holder.hostname !== os.hostname() ? ' on another machine, so it is not recovered automatically' : '';
    super(
      `${what} ${target} is locked by ${who}; waited ${(waitedMs / 1000).toFixed(1)} s. ` +
        `If that process is gone${remote}, delete ${lockFile}.`,
    );
    this.path = target;
    this.lockFile = lockFile;
    this.holder = holder;
  }
}

/** The lock file of `target`: beside it, not inside, because saves swap the folder itself by rename. */
export function lockFileFor(target: string): string {
  const resolved = path.resolve(target);
  return path.join(path.dirname(resolved), `.${path.basename(resolved)}.lock`);
}

/** Lock files this process holds: a lock naming our pid that is not in here was left by an earlier process. */
const held = new Set<string>();

/**
 * Runs `fn` while holding the lock of `target` (`.<name>.lock` beside it, created exclusively, holding pid,
 * host and time). Waits up to `options.timeoutMs` for another holder; a lock whose process is gone (same
 * host, pid not running) is removed and taken. The lock is released when `fn` settles.
 * @param what - Names the target in errors ("gallery").
 * @throws LockedError when the lock is still held after the wait.
 */
export async function withLock<T>(target: string, what: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockFile = lockFileFor(target);
  const text = await acquire(lockFile, what, target, options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  held.add(lockFile);
  await removeStaleBreaker(lockFile);
  try {
    return await fn();
  } finally {
    held.delete(lockFile);
    // Remove only our own lock file (never one another process created after ours was judged stale).
    if ((await readFile(lockFile, 'utf8').catch(() => undefined)) === text) await unlink(lockFile).catch(() => undefined);
  }
}

async function acquire(lockFile: string, what: string, target: string, timeoutMs: number): Promise<string> {
  if (!(timeoutMs >= 0)) throw new FacerecError(`Invalid lock timeout ${timeoutMs} ms: must be 0 or more`);
  await mkdir(path.dirname(lockFile), { recursive: true });
  const start = Date.now();
  const text = `${JSON.stringify({ pid: process.pid, hostname: os.hostname(), time: new Date().toISOString() } satisfies LockHolder)}\n`;
  for (;;) {
    if (await createExclusive(lockFile, text)) return text;
    const current = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (current === undefined && !(await lstat(lockFile).then(() => true, () => false))) continue; // released meanwhile
    if ((await isStale(lockFile, current ?? '')) && (await breakStale(lockFile, current ?? ''))) continue;
    const waited = Date.now() - start;
    if (waited >= timeoutMs) throw new LockedError(what, target, lockFile, current === undefined ? undefined : parseHolder(current), waited);
    await new Promise((resolve) => setTimeout(resolve, Math.min(25 + Math.random() * 75, timeoutMs - waited)));
  }
}

/** Creates `file` with `text` if it does not exist (O_EXCL); false when it exists. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FacerecError(`Cannot create the lock file ${file} (${(error as Error).message})`, { cause: error });
  }
  try {
    await handle.writeFile(text, 'utf8');
  } catch (error) {
    await handle.close();
    await unlink(file).catch(() => undefined);
    throw new FacerecError(`Cannot write the lock file ${file} (${(error as Error).message})`, { cause: error });
  }
  await handle.close();
  return true;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (value && Number.isSafeInteger(value.pid) && typeof value.hostname === 'string' && typeof value.time === 'string') return value as LockHolder;
  } catch {
    // Not JSON: half written or foreign.
  }
  return undefined;
}

/** A lock is stale when its process is gone (same host) or it stayed unreadable too long. */
async function isStale(lockFile: string, text: string): Promise<boolean> {
  const holder = parseHolder(text);
  if (!holder) {
    const info = await lstat(lockFile).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS;
  }
  if (holder.hostname !== os.hostname()) return false;
  if (holder.pid === process.pid) return !held.has(lockFile);
  return !isProcessAlive(holder.pid);
}

/** Removes the `.break` file of a process killed while it broke a stale lock (nobody else would see it). */
async function removeStaleBreaker(lockFile: string): Promise<void> {
  const breaker = `${lockFile}.break`;
  const text = await readFile(breaker, 'utf8').catch(() => undefined);
  if (text !== undefined && (await isStale(breaker, text))) await unlink(breaker).catch(() => undefined);
}

/**
 * Removes a stale lock file whose content is still `staleText` and returns whether it did. A second lock
 * (`.break`) makes sure two waiters that both saw the stale lock cannot both delete it, the later one deleting
 * the earlier one's new lock.
 */
async function breakStale(lockFile: string, staleText: string): Promise<boolean> {
  const breaker = `${lockFile}.break`;
  const mine = `${JSON.stringify({ pid: process.pid, hostname: os.hostname(), time: new Date().toISOString() })}\n`;
  if (!(await createExclusive(breaker, mine))) {
    // Another waiter is breaking it; its breaker is left only if it died in these few lines.
    const other = await readFile(breaker, 'utf8').catch(() => undefined);
    if (other !== undefined && (await isStale(breaker, other))) await unlink(breaker).catch(() => undefined);
    return false;
  }
  held.add(breaker);
  try {
    if ((await readFile(lockFile, 'utf8').catch(() => undefined)) !== staleText) return false;
    return await unlink(lockFile).then(() => true, () => false);
  } finally {
    held.delete(breaker);
    await unlink(breaker).catch(() => undefined);
  }
}
