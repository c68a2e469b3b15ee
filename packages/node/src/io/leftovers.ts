// Temp names that carry the writer's pid and host, and the clean-up of what a killed writer left beside a target.
import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { hostTag, isProcessAlive } from './process-alive.js';

/** What a hidden sibling is for: a folder being filled (`saving`), the replaced folder (`old`), a file being written (`tmp`). */
export type TempTag = 'saving' | 'old' | 'tmp';

/** Leftovers named by facerec versions without a pid (mkdtemp's 6 characters) count as dead after this long. */
const LEGACY_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * A hidden, unique name beside `target` (same filesystem, so rename is atomic):
 * `.<name>.<tag>-<pid>-<host>-<random>`. The pid and host let a later save tell a killed writer's
 * leftovers from a live writer's.
 */
export function tempSiblingPath(target: string, tag: TempTag): string {
  const base = path.basename(target);
  return path.join(path.dirname(target), `.${base}.${tag}-${process.pid}-${hostTag()}-${randomBytes(4).toString('hex')}`);
}

/** A hidden sibling of a target left by some writer. */
export interface Leftover {
  readonly path: string;
  readonly tag: TempTag;
  /** Writer's pid; undefined for names without one (older facerec versions). */
  readonly pid: number | undefined;
  /** Writer's host tag; undefined when the name has none (older versions wrote on this host only). */
  readonly host: string | undefined;
}

const CURRENT = /^(saving|old|tmp)-(\d+)-(?:(.+)-)?([0-9a-f]{8})$/;
const LEGACY_MKDTEMP = /^saving-[A-Za-z0-9]{6}$/;

/** Parses `name` as a leftover of the target called `base`, or undefined when it is not one. */
export function parseLeftover(base: string, name: string): Omit<Leftover, 'path'> | undefined {
  const prefix = `.${base}.`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  const match = CURRENT.exec(rest);
  if (match) return { tag: match[1] as TempTag, pid: Number(match[2]), host: match[3] };
  if (LEGACY_MKDTEMP.test(rest)) return { tag: 'saving', pid: undefined, host: undefined };
  return undefined;
}

/** The leftovers beside `target` (none when its folder cannot be read). */
export async function findLeftovers(target: string): Promise<Leftover[]> {
  const dir = path.dirname(target);
  const base = path.basename(target);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.flatMap((name) => {
    const parsed = parseLeftover(base, name);
    return parsed ? [{ ...parsed, path: path.join(dir, name) }] : [];
  });
}

/**
 * True when the writer of `leftover` is gone: a pid on this host that no longer runs (never this process,
 * which may be saving the same target concurrently), or an unnamed legacy folder older than an hour.
 * Leftovers of other hosts are never judged dead: their pids mean nothing here.
 */
export async function isDeadLeftover(leftover: Leftover): Promise<boolean> {
  if (leftover.pid === undefined) {
    const info = await lstat(leftover.path).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > LEGACY_MAX_AGE_MS;
  }
  if (leftover.host !== undefined && leftover.host !== hostTag()) return false;
  return leftover.pid !== process.pid && !isProcessAlive(leftover.pid);
}

/**
 * When `target` is missing because a writer was killed between moving the previous folder aside and moving
 * the new one in, moves the previous folder back. Returns whether it did.
 */
export async function recoverInterruptedSwap(target: string): Promise<boolean> {
  if (await lstat(target).then(() => true, () => false)) return false;
  const leftovers = await findLeftovers(target);
  // Killed between the two renames, a writer leaves its filled `saving` folder too; after a completed swap it
  // does not (that folder became the target), so an `old` folder alone is never brought back over a deletion.
  const wasSwapping = (old: Leftover): boolean =>
    leftovers.some((l) => l.tag === 'saving' && (old.host === undefined ? l.pid === undefined : l.pid === old.pid && l.host === old.host));
  const olds: Array<{ path: string; ctimeMs: number }> = [];
  for (const leftover of leftovers) {
    if (leftover.tag !== 'old' || !wasSwapping(leftover) || !(await isDeadLeftover(leftover))) continue;
    const info = await lstat(leftover.path).catch(() => undefined);
    if (info?.isDirectory()) olds.push({ path: leftover.path, ctimeMs: info.ctimeMs });
  }
  // Normally one; if several, the most recently moved aside is the last complete save.
  olds.sort((a, b) => b.ctimeMs - a.ctimeMs);
  const newest = olds[0];
  if (!newest) return false;
  // Another process may recover (or save) at the same moment: then the rename fails and theirs stands.
  return rename(newest.path, target).then(() => true, () => false);
}

/** Deletes the leftovers of dead writers beside `target` (call {@link recoverInterruptedSwap} first). */
export async function removeDeadLeftovers(target: string): Promise<void> {
  for (const leftover of await findLeftovers(target)) {
    if (await isDeadLeftover(leftover)) await rm(leftover.path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Makes `target` present again if a swap left it missing: restores the previous folder of a killed writer,
 * or waits (up to `timeoutMs`) while a running writer is between its two renames. Returns at once when
 * `target` exists or no swap is under way.
 */
export async function settleSwap(target: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await lstat(target).then(() => true, () => false)) return;
    if (await recoverInterruptedSwap(target)) return;
    let live = false;
    for (const leftover of await findLeftovers(target)) {
      if (leftover.tag === 'old' && !(await isDeadLeftover(leftover))) live = true;
    }
    if (!live || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
