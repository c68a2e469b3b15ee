// The gallery folder as a store: gallery.json + embeddings.bin searched exactly in memory, every change a locked read-modify-write.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { FacerecError, Gallery, MemoryGalleryStore, type Candidate, type GalleryCount, type GalleryEntry, type GalleryInfo, type GalleryStore, type StoreSearchOptions } from '@facerec/core';
import { cipherOf } from '@facerec/core/internal';
import { GALLERY_FOLDER, GALLERY_INDEX, loadGallery, withGalleryLock, writeGalleryFolder, type SaveGalleryOptions } from '../gallery/files.js';
import { settleSwap } from '../io/leftovers.js';
import { checkSaveTarget } from '../io/save-target.js';

/** Options of {@link openFolderStore}. */
export interface FolderStoreOptions extends SaveGalleryOptions {
  /** What a new gallery holds; without it a folder with no gallery yet is an error. */
  readonly create?: () => Promise<GalleryInfo>;
}

/** What identifies one saved version of the folder's index (a save replaces the folder, so the inode changes). */
async function versionOf(dir: string): Promise<string | undefined> {
  const info = await stat(path.join(dir, GALLERY_INDEX)).catch(() => undefined);
  return info ? `${info.ino}:${info.mtimeMs}:${info.size}` : undefined;
}

/**
 * A {@link GalleryStore} on a gallery folder (what `saveGallery` writes). Reads are served from an in-memory
 * exact copy that is reloaded when another process has saved the folder; `add` and `remove` take the folder's
 * lock, re-read it, change it and save it atomically, so concurrent writers all land and a crash leaves the old
 * folder or the new one. Each change rewrites the whole folder: fine for thousands of faces, not millions
 * (use PGlite or PostgreSQL there).
 */
export class FolderGalleryStore implements GalleryStore {
  readonly kind = 'folder';
  private closed = false;

  private constructor(
    private readonly dir: string,
    private memory: MemoryGalleryStore,
    private version: string | undefined,
    private readonly options: SaveGalleryOptions,
  ) {}

  /** @internal Opens the folder; use {@link openFolderStore}. */
  static async open(dir: string, options: FolderStoreOptions): Promise<FolderGalleryStore | undefined> {
    await settleSwap(path.resolve(dir));
    // Refuse a folder that is not a gallery before anything else.
    await checkSaveTarget(dir, GALLERY_FOLDER);
    const version = await versionOf(dir);
    const { create, ...given } = options;
    // One Cipher for every read and write, so a passphrase is derived once.
    const saveOptions = given.encryption !== undefined ? { ...given, encryption: cipherOf(given.encryption) } : given;
    if (version !== undefined) return new FolderGalleryStore(dir, await loadMemory(dir, saveOptions), version, saveOptions);
    if (!create) return undefined;
    return new FolderGalleryStore(dir, new MemoryGalleryStore(await create()), undefined, saveOptions);
  }

  get info(): GalleryInfo {
    return this.memory.info;
  }

  async add(label: string, embeddings: readonly Float32Array[]): Promise<void> {
    await this.change((store) => store.addSync(label, embeddings));
  }

  /**
   * Adds many embeddings of many people in one locked read-modify-write (one save), e.g. an import.
   * @returns How many rows were added.
   */
  async bulkLoad(entries: Iterable<GalleryEntry> | AsyncIterable<GalleryEntry>): Promise<number> {
    const rows: GalleryEntry[] = [];
    for await (const entry of entries) rows.push(entry);
    return this.change((store) => {
      for (const entry of rows) store.addSync(entry.label, [entry.embedding]);
      return rows.length;
    });
  }

  async remove(label: string): Promise<boolean> {
    return this.change((store) => store.removeSync(label) > 0);
  }

  async labels(): Promise<string[]> {
    return (await this.fresh()).labels();
  }

  async count(): Promise<GalleryCount> {
    return (await this.fresh()).count();
  }

  async search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Candidate[][]> {
    return (await this.fresh()).search(queries, options);
  }

  async *entries(): AsyncIterable<GalleryEntry> {
    yield* (await this.fresh()).entries();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.memory.close();
  }

  /** The in-memory copy, reloaded first when the folder was saved since it was read. */
  private async fresh(): Promise<MemoryGalleryStore> {
    this.checkOpen();
    const now = await versionOf(this.dir);
    if (now !== undefined && now !== this.version) this.replace(await loadMemory(this.dir, this.options), now);
    return this.memory;
  }

  /** Under the lock: re-read the folder, apply `fn`, save; the saved copy becomes this store's. Nothing is saved when `fn` throws or changes nothing. */
  private async change<T>(fn: (store: MemoryGalleryStore) => T): Promise<T> {
    this.checkOpen();
    return withGalleryLock(this.dir, this.options, async () => {
      await settleSwap(path.resolve(this.dir));
      const saved = (await versionOf(this.dir)) !== undefined;
      const current = saved ? await loadMemory(this.dir, this.options) : new MemoryGalleryStore(this.memory.info);
      checkSameInfo(current.info, this.memory.info, this.dir);
      let result: T;
      try {
        result = fn(current);
        if (result !== false) await writeGalleryFolder(new Gallery(undefined, { store: current }), this.dir, this.options.encryption);
      } catch (error) {
        await current.close();
        throw error;
      }
      this.replace(current, await versionOf(this.dir));
      return result;
    });
  }

  private replace(store: MemoryGalleryStore, version: string | undefined): void {
    void this.memory.close();
    this.memory = store;
    this.version = version;
  }

  private checkOpen(): void {
    if (this.closed) throw new FacerecError(`The gallery store ${this.dir} is closed`);
  }
}

async function loadMemory(dir: string, options: SaveGalleryOptions): Promise<MemoryGalleryStore> {
  const gallery = await loadGallery(dir, undefined, options.encryption !== undefined ? { encryption: options.encryption } : {});
  return gallery.store as MemoryGalleryStore;
}

function checkSameInfo(saved: GalleryInfo, mine: GalleryInfo, dir: string): void {
  if (saved.embedder !== mine.embedder || saved.dimensions !== mine.dimensions) {
    throw new FacerecError(`Gallery ${dir} was replaced by one of ${saved.embedder} (${saved.dimensions}-d) embeddings while it was open with ${mine.embedder} (${mine.dimensions}-d)`);
  }
}

/**
 * Opens the gallery folder `dir` as a store (see {@link FolderGalleryStore}).
 * @returns undefined when the folder holds no gallery yet and `options.create` is not given.
 * @throws SaveTargetError when `dir` holds anything but a facerec gallery; ModelFormatError for damaged files.
 */
export function openFolderStore(dir: string, options: FolderStoreOptions = {}): Promise<FolderGalleryStore | undefined> {
  return FolderGalleryStore.open(dir, options);
}
