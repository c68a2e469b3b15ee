// A gallery that persists in the browser: embeddings in IndexedDB (with the embedder and landmark source), searched from memory, exportable as files.
import {
  FacerecError,
  GALLERY_FORMAT,
  GALLERY_FORMAT_VERSION,
  InvalidArgumentError,
  MemoryGalleryStore,
  ModelFormatError,
  type Candidate,
  type GalleryCount,
  type GalleryEntry,
  type GalleryIndex,
  type GalleryInfo,
  type GalleryStore,
  type StoreSearchOptions,
} from '@facerec/core';
import { validateGalleryIndex } from '@facerec/core/internal';
import { committed, openDatabase, request } from './idb.js';

const META = 'meta';
const ROWS = 'rows';
const INFO_KEY = 'info';

interface RowRecord {
  id?: number;
  label: string;
  embedding: Float32Array;
}

/** Options of {@link IndexedDbGalleryStore.open}. */
export interface OpenIndexedDbGalleryOptions {
  /**
   * What the embeddings are (e.g. `{ embedder: 'dlib', dimensions: 128, threshold: 0.91, landmarks: 'mesh' }`;
   * `new Gallery(pipeline).store.info` gives the pipeline's). Needed to create the database; when it exists,
   * the embedder, dimensions and landmark source must be the stored ones.
   */
  readonly info?: GalleryInfo;
}

/**
 * A {@link GalleryStore} in this origin's IndexedDB, kind `'indexeddb'`: the gallery survives a reload. Every
 * embedding is kept in the database (one record per embedding, with its label) and mirrored in memory, where
 * search is exact (a {@link MemoryGalleryStore}); the database records the embedder, its dimensions, threshold
 * and landmark source once. `add` writes all of its embeddings in one transaction before the memory copy
 * changes, so a failed write changes nothing. Use it as `new Gallery(pipeline, { store })`.
 */
export class IndexedDbGalleryStore implements GalleryStore {
  /** `'indexeddb'`. */
  readonly kind = 'indexeddb';
  private closed = false;

  private constructor(private readonly db: IDBDatabase, readonly name: string, readonly info: GalleryInfo, private readonly memory: MemoryGalleryStore) {}

  /**
   * Opens (or, with `options.info`, creates) the gallery database `name`.
   * @throws InvalidArgumentError when the database does not exist and no `info` is given, or holds other embeddings than `info` says;
   * ModelFormatError when what it holds is not a facerec gallery.
   */
  static async open(name = 'facerec-gallery', options: OpenIndexedDbGalleryOptions = {}): Promise<IndexedDbGalleryStore> {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', `must be a database name, got ${JSON.stringify(name)}`);
    const wanted = options.info;
    if (wanted) checkInfo(wanted);
    const db = await openDatabase(name, 1, (d) => {
      d.createObjectStore(META);
      d.createObjectStore(ROWS, { keyPath: 'id', autoIncrement: true }).createIndex('label', 'label');
    });
    try {
      const read = db.transaction([META, ROWS], 'readonly');
      const stored = (await request(read.objectStore(META).get(INFO_KEY))) as unknown;
      const records = (await request(read.objectStore(ROWS).getAll())) as RowRecord[];
      let info: GalleryInfo;
      if (stored === undefined) {
        if (!wanted) throw new InvalidArgumentError('options.info', `the gallery database "${name}" does not exist yet: give the embedder's info to create it`);
        info = { embedder: wanted.embedder, dimensions: wanted.dimensions, threshold: wanted.threshold, ...(wanted.landmarks ? { landmarks: wanted.landmarks } : {}) };
        const write = db.transaction(META, 'readwrite');
        write.objectStore(META).put({ format: GALLERY_FORMAT, formatVersion: GALLERY_FORMAT_VERSION, ...info }, INFO_KEY);
        await committed(write);
      } else {
        info = storedInfo(stored, `IndexedDB gallery "${name}"`);
        if (wanted) {
          for (const key of ['embedder', 'dimensions', 'landmarks'] as const) {
            if (wanted[key] !== info[key]) throw new InvalidArgumentError(`options.info.${key}`, `is ${String(wanted[key])} but the gallery database "${name}" holds ${String(info[key])}`);
          }
        }
      }
      const memory = new MemoryGalleryStore(info);
      for (const r of records) memory.addSync(r.label, [r.embedding]);
      return new IndexedDbGalleryStore(db, name, info, memory);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Deletes the gallery database `name` (close open stores on it first). */
  static async deleteDatabase(name = 'facerec-gallery'): Promise<void> {
    await request(indexedDB.deleteDatabase(name) as IDBRequest<unknown>);
  }

  /** Adds embeddings of `label`: written to IndexedDB in one transaction, then searchable. */
  async add(label: string, embeddings: readonly Float32Array[]): Promise<void> {
    this.checkOpen();
    embeddings.forEach((e, i) => {
      if (!(e instanceof Float32Array) || e.length !== this.info.dimensions) {
        throw new InvalidArgumentError(`embeddings[${i}]`, `has ${String(e?.length)} values, the gallery holds ${this.info.dimensions}-d embeddings`);
      }
    });
    if (embeddings.length === 0) return;
    const tx = this.db.transaction(ROWS, 'readwrite');
    const rows = tx.objectStore(ROWS);
    for (const e of embeddings) rows.add({ label, embedding: e.slice() } satisfies RowRecord);
    await committed(tx);
    this.memory.addSync(label, embeddings);
  }

  /** Removes `label` and every embedding of it from IndexedDB and memory. */
  async remove(label: string): Promise<boolean> {
    this.checkOpen();
    const tx = this.db.transaction(ROWS, 'readwrite');
    const rows = tx.objectStore(ROWS);
    const keys = await request(rows.index('label').getAllKeys(label));
    for (const key of keys) rows.delete(key);
    await committed(tx);
    return this.memory.removeSync(label) > 0 || keys.length > 0;
  }

  /** Enrolled people in `compareLabels` order. */
  async labels(): Promise<string[]> {
    this.checkOpen();
    return this.memory.labels();
  }

  /** People and embeddings held. */
  async count(): Promise<GalleryCount> {
    this.checkOpen();
    return this.memory.count();
  }

  /** The best people for each query: exact, from the copy in memory. */
  async search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Candidate[][]> {
    this.checkOpen();
    return this.memory.search(queries, options);
  }

  /** Every stored embedding with its label. */
  async *entries(): AsyncIterable<GalleryEntry> {
    this.checkOpen();
    yield* this.memory.entries();
  }

  /**
   * The gallery as the two files of a gallery folder, `gallery.json` (the index: embedder, dimensions,
   * threshold, landmark source, a label per row) and `embeddings.bin` (float32 rows): what `facerec` in Node
   * reads as a gallery folder, and {@link IndexedDbGalleryStore.importFiles} reads back.
   */
  async exportFiles(): Promise<File[]> {
    this.checkOpen();
    const rows: string[] = [];
    const vectors: Float32Array[] = [];
    for await (const entry of this.memory.entries()) {
      rows.push(entry.label);
      vectors.push(entry.embedding);
    }
    const matrix = new Float32Array(rows.length * this.info.dimensions);
    vectors.forEach((v, r) => matrix.set(v, r * this.info.dimensions));
    const index: GalleryIndex = { format: GALLERY_FORMAT, formatVersion: GALLERY_FORMAT_VERSION, ...this.info, rows };
    return [
      new File([JSON.stringify(index, null, 2)], 'gallery.json', { type: 'application/json' }),
      new File([littleEndian(matrix)], 'embeddings.bin', { type: 'application/octet-stream' }),
    ];
  }

  /**
   * Adds the people of exported files (`gallery.json` and `embeddings.bin`, any order) to this gallery; returns
   * how many embeddings were added. All land in one transaction, or none.
   * @throws ModelFormatError naming the file that is missing, damaged or holds another embedder's embeddings.
   */
  async importFiles(files: FileList | Iterable<File>): Promise<number> {
    this.checkOpen();
    const list = [...(files as Iterable<File>)];
    const find = (name: string): File => {
      const file = list.find((f) => f.name === name || f.name.endsWith(`/${name}`));
      if (!file) throw new ModelFormatError(name, `is missing among the files (${list.map((f) => f.name).join(', ') || 'none'})`);
      return file;
    };
    const indexFile = find('gallery.json');
    const binFile = find('embeddings.bin');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await indexFile.text());
    } catch (error) {
      throw new ModelFormatError(indexFile.name, 'is not JSON', { cause: error });
    }
    const index = validateGalleryIndex(parsed, indexFile.name);
    if (index.embedder !== this.info.embedder || index.dimensions !== this.info.dimensions || index.landmarks !== this.info.landmarks) {
      throw new ModelFormatError(indexFile.name, `holds ${index.embedder} (${index.dimensions}-d, landmarks ${String(index.landmarks)}) embeddings; this gallery holds ${this.info.embedder} (${this.info.dimensions}-d, landmarks ${String(this.info.landmarks)})`);
    }
    const bytes = new Uint8Array(await binFile.arrayBuffer());
    const d = index.dimensions;
    if (bytes.length !== index.rows.length * d * 4) throw new ModelFormatError(binFile.name, `holds ${bytes.length} bytes; the index needs ${index.rows.length} × ${d} float32 values`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const byLabel = new Map<string, Float32Array[]>();
    index.rows.forEach((label, r) => {
      const e = new Float32Array(d);
      for (let i = 0; i < d; i++) e[i] = view.getFloat32((r * d + i) * 4, true);
      if (!e.every(Number.isFinite)) throw new ModelFormatError(binFile.name, `row ${r} (${label}) holds NaN or infinite values`);
      byLabel.set(label, [...(byLabel.get(label) ?? []), e]);
    });
    const tx = this.db.transaction(ROWS, 'readwrite');
    const rows = tx.objectStore(ROWS);
    for (const [label, es] of byLabel) for (const e of es) rows.add({ label, embedding: e } satisfies RowRecord);
    await committed(tx);
    for (const [label, es] of byLabel) this.memory.addSync(label, es);
    return index.rows.length;
  }

  /** Closes the database connection and frees the search matrix. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    await this.memory.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new FacerecError(`The IndexedDB gallery "${this.name}" is closed`);
  }
}

function checkInfo(info: GalleryInfo): void {
  if (typeof info?.embedder !== 'string' || !(Number.isInteger(info.dimensions) && info.dimensions > 0) || !(info.threshold >= -1 && info.threshold <= 1)) {
    throw new InvalidArgumentError('options.info', 'needs embedder (a name), dimensions (a positive integer) and threshold (in [-1, 1])');
  }
}

/** The info a database recorded, checked as a gallery index without rows. */
function storedInfo(value: unknown, source: string): GalleryInfo {
  const index = validateGalleryIndex({ rows: [], ...(value as object) }, source);
  return { embedder: index.embedder, dimensions: index.dimensions, threshold: index.threshold, ...(index.landmarks ? { landmarks: index.landmarks } : {}) };
}

/** Float32 values as little-endian bytes (the saved form on every platform). */
function littleEndian(values: Float32Array): ArrayBuffer {
  const out = new ArrayBuffer(values.length * 4);
  const view = new DataView(out);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}
