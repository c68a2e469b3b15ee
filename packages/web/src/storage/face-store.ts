// Enrolled faces kept in IndexedDB: labelled face images that survive a reload, exportable as one file.
import { InvalidArgumentError, ModelFormatError, validateRawImage } from '@facerec/core';
import type { ChannelCount, LabeledImage, RawImage } from '@facerec/core';
import { committed, openDatabase, request } from './idb.js';

/** One enrolled face. */
export interface StoredFace {
  readonly id: number;
  readonly label: string;
  readonly image: RawImage;
  /** Where it came from (file name, 'webcam'...). */
  readonly source?: string;
  readonly addedAt: Date;
}

interface FaceRecord {
  id?: number;
  label: string;
  width: number;
  height: number;
  channels: ChannelCount;
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  source?: string;
  addedAt: number;
}

const STORE = 'faces';
const EXPORT_FORMAT = 'facerec-faces';

const toStored = (r: FaceRecord): StoredFace => ({
  id: r.id!,
  label: r.label,
  image: { data: r.data, width: r.width, height: r.height, channels: r.channels },
  ...(r.source ? { source: r.source } : {}),
  addedAt: new Date(r.addedAt),
});

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Labelled face images in an IndexedDB database, for enrolling people over several visits and training
 * from them. Open with {@link FaceStore.open}.
 */
export class FaceStore {
  private constructor(private readonly db: IDBDatabase) {}

  /** Opens (or creates) the store named `name` in this origin's IndexedDB. */
  static async open(name = 'facerec-faces'): Promise<FaceStore> {
    const db = await openDatabase(name, 1, (d) => {
      const store = d.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      store.createIndex('label', 'label');
    });
    return new FaceStore(db);
  }

  /** Adds a face of `label`; returns its id. The pixels are copied. */
  async add(label: string, image: RawImage, source?: string): Promise<number> {
    if (typeof label !== 'string' || label.trim() === '') throw new InvalidArgumentError('label', 'must be a non-empty name');
    validateRawImage(image, source ?? 'image');
    const record: FaceRecord = {
      label: label.trim(),
      width: image.width,
      height: image.height,
      channels: image.channels,
      data: image.data.slice(),
      ...(source ? { source } : {}),
      addedAt: Date.now(),
    };
    const tx = this.db.transaction(STORE, 'readwrite');
    const id = await request(tx.objectStore(STORE).add(record));
    await committed(tx);
    return id as number;
  }

  /** Every stored face, oldest first. */
  async list(): Promise<StoredFace[]> {
    const tx = this.db.transaction(STORE, 'readonly');
    const records = (await request(tx.objectStore(STORE).getAll())) as FaceRecord[];
    return records.map(toStored);
  }

  /** How many faces each person has. */
  async counts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const face of await this.list()) counts.set(face.label, (counts.get(face.label) ?? 0) + 1);
    return counts;
  }

  /** The faces as a dataset for `FaceRecognizer.fit`. */
  async toDataset(): Promise<LabeledImage<RawImage>[]> {
    return (await this.list()).map((f) => ({ image: f.image, label: f.label, source: f.source ?? `face ${f.id}` }));
  }

  /** Deletes one face. */
  async delete(id: number): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    await committed(tx);
  }

  /** Deletes every face of `label`. */
  async deleteLabel(label: string): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const keys = await request(store.index('label').getAllKeys(label));
    for (const key of keys) store.delete(key);
    await committed(tx);
  }

  /** Deletes every face. */
  async clear(): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
    await committed(tx);
  }

  /** All faces as one JSON file, for a backup or another browser ({@link FaceStore.importFile} reads it). */
  async exportFile(fileName = 'facerec-faces.json'): Promise<File> {
    const faces = (await this.list()).map((f) => ({
      label: f.label,
      width: f.image.width,
      height: f.image.height,
      channels: f.image.channels,
      float: f.image.data instanceof Float32Array,
      data: toBase64(new Uint8Array(f.image.data.buffer, f.image.data.byteOffset, f.image.data.byteLength)),
      ...(f.source ? { source: f.source } : {}),
    }));
    return new File([JSON.stringify({ format: EXPORT_FORMAT, version: 1, faces })], fileName, { type: 'application/json' });
  }

  /**
   * Adds the faces of a file written by {@link FaceStore.exportFile}; returns how many.
   * @throws ModelFormatError naming the file when it is not such a file or an image in it is damaged.
   */
  async importFile(file: Blob & { name?: string }): Promise<number> {
    const name = file.name ?? 'file';
    let parsed: { format?: unknown; faces?: unknown };
    try {
      parsed = JSON.parse(await file.text()) as typeof parsed;
    } catch (error) {
      throw new ModelFormatError(name, 'is not JSON', { cause: error });
    }
    if (parsed.format !== EXPORT_FORMAT || !Array.isArray(parsed.faces)) throw new ModelFormatError(name, `is not a ${EXPORT_FORMAT} file`);
    const faces = parsed.faces as Array<{ label: string; width: number; height: number; channels: ChannelCount; float?: boolean; data: string; source?: string }>;
    let added = 0;
    for (const [i, f] of faces.entries()) {
      const bytes = fromBase64(String(f.data));
      const data = f.float ? new Float32Array(bytes.buffer.slice(0)) : new Uint8ClampedArray(bytes.buffer);
      try {
        await this.add(f.label, { data, width: f.width, height: f.height, channels: f.channels }, f.source);
      } catch (error) {
        throw new ModelFormatError(name, `face ${i}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      added += 1;
    }
    return added;
  }

  /** Closes the database connection. */
  close(): void {
    this.db.close();
  }

  /** Deletes the whole database `name` (close open stores first). */
  static async deleteDatabase(name = 'facerec-faces'): Promise<void> {
    await request(indexedDB.deleteDatabase(name) as IDBRequest<unknown>);
  }
}
