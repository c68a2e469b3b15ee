// Encrypted PGlite galleries: the database lives in memory while open and is saved as one sealed (AES-256-GCM) dump of its data folder.
import { readFile } from 'node:fs/promises';
import { ModelFormatError, type Cipher } from '@facerec/core';
import { errorReason, writeFileAtomic } from '../io/atomic.js';

/** The sealed dump of an encrypted PGlite gallery, inside its folder (the folder holds nothing else). */
export const PGLITE_SEALED = 'gallery.pglite.enc';

/** The AES-GCM context of a sealed PGlite dump: a sealed gallery folder's payload cannot stand in for it, nor the reverse. */
const PGLITE_CONTEXT = 'facerec-pglite v1';

/** What the sealed store needs from PGlite: a tarball of its whole data folder. */
export interface DataDirDumper {
  dumpDataDir(compression?: 'auto' | 'gzip' | 'none'): Promise<Blob>;
}

/**
 * The data folder tarball sealed in `file`, to start PGlite from (`loadDataDir`); undefined when there is no file.
 * @throws DecryptionError naming `file` (wrong key, changed or cut file); ModelFormatError when it cannot be read.
 */
export async function readSealedDump(file: string, cipher: Cipher): Promise<Blob | undefined> {
  let sealed: Buffer;
  try {
    sealed = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFormatError(file, `cannot be read (${errorReason(error)})`, { cause: error });
  }
  const plain = await cipher.open(new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength), PGLITE_CONTEXT, file);
  // cipher.open returns a view of a whole ArrayBuffer of its own.
  return new Blob([plain as Uint8Array<ArrayBuffer>]);
}

/**
 * Seals a gzip tarball of `db`'s data folder into `file`, atomically (temp file, flushed, renamed over the old
 * one): a reader or a process killed meanwhile sees the previous dump or this one, never half of one.
 * @returns The sealed file's size in bytes.
 */
export async function writeSealedDump(db: DataDirDumper, file: string, cipher: Cipher): Promise<number> {
  const plain = new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer());
  try {
    const sealed = await cipher.seal(plain, PGLITE_CONTEXT);
    await writeFileAtomic(file, sealed);
    return sealed.length;
  } finally {
    // The plain copy of the database does not outlive the save.
    plain.fill(0);
  }
}

/**
 * Saves after each change, one dump at a time: changes made while a dump is running share the next one, so a
 * burst of writes costs two dumps, not one each. `save()` resolves once a dump that began after the call is on disk.
 */
export class SealedSaver {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly dump: () => Promise<void>) {}

  save(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const queued = this.running.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.start();
    });
    this.queued = queued;
    return queued;
  }

  private start(): Promise<void> {
    const running = this.dump().finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }
}
