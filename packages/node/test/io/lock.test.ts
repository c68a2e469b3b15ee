// withLock: one holder at a time, a bounded wait that ends in LockedError naming the pid, stale locks recovered.
import { existsSync } from 'node:fs';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LockedError } from '../../src/io/index.js';
import { lockFileFor, withLock } from '../../src/io/lock.js';
import { deadPid } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';

afterAll(removeTempDirs);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const holder = (pid: number, hostname = os.hostname()) => JSON.stringify({ pid, hostname, time: new Date().toISOString() });

describe('withLock', () => {
  it('lets one holder in at a time, removes the lock file afterwards, also when fn throws', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'gallery');
    expect(lockFileFor(target)).toBe(path.join(parent, '.gallery.lock'));
    const order: string[] = [];
    const task = (name: string) => withLock(target, 'gallery', async () => {
      order.push(`${name} in`);
      const lock = JSON.parse(await readFile(lockFileFor(target), 'utf8')) as { pid: number; hostname: string };
      expect(lock).toMatchObject({ pid: process.pid, hostname: os.hostname() });
      await sleep(60);
      order.push(`${name} out`);
    });
    await Promise.all([task('a'), task('b'), task('c')]);
    expect(order).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) expect(order[i + 1]).toBe(order[i]!.replace('in', 'out'));
    await expect(withLock(target, 'gallery', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await readdir(parent)).toEqual([]);
  });

  it('waits a bounded time for a live holder, then fails naming the gallery and the pid', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'gallery');
    await writeFile(lockFileFor(target), holder(process.ppid)); // the test runner: alive
    const start = Date.now();
    const error = await withLock(target, 'gallery', async () => 'ran', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - start).toBeGreaterThanOrEqual(300);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).message).toMatch(new RegExp(`gallery ${target} is locked by pid ${process.ppid} `));
    expect((error as LockedError).holder?.pid).toBe(process.ppid);
    expect(existsSync(lockFileFor(target))).toBe(true); // a live holder's lock is never removed
  });

  it('takes over a stale lock: a dead pid, this pid left by an earlier process, an unreadable file that stayed so', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'gallery');
    for (const text of [holder(await deadPid()), holder(process.pid), '']) {
      await writeFile(lockFileFor(target), text);
      if (text === '') await utimes(lockFileFor(target), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      expect(await withLock(target, 'gallery', async () => 'ran', { timeoutMs: 0 })).toBe('ran');
      expect(await readdir(parent)).toEqual([]);
    }
  });

  it('removes the .break file of a process killed while it broke a stale lock', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'gallery');
    await writeFile(`${lockFileFor(target)}.break`, holder(await deadPid()));
    await writeFile(lockFileFor(target), holder(await deadPid()));
    expect(await withLock(target, 'gallery', async () => 'ran', { timeoutMs: 1000 })).toBe('ran');
    expect(await readdir(parent)).toEqual([]);
  });

  it('never takes over a lock of another machine or a fresh unreadable one', async () => {
    const parent = await makeTempDir();
    const target = path.join(parent, 'gallery');
    await writeFile(lockFileFor(target), holder(await deadPid(), 'some-other-host'));
    await expect(withLock(target, 'gallery', async () => 'ran', { timeoutMs: 100 })).rejects.toThrow(/pid \d+ on some-other-host .*another machine/);
    await writeFile(lockFileFor(target), '');
    await expect(withLock(target, 'gallery', async () => 'ran', { timeoutMs: 100 })).rejects.toThrow(/locked by another process/);
  });
});
