// The store interface of a gallery: where enrolled embeddings live and how the nearest people are found (memory, folder, PGlite, PostgreSQL, IndexedDB).
import type { LandmarkSource } from '../faces/pipeline.js';
import type { Candidate } from '../recognizer/result.js';

/** What a gallery needs to describe itself when saved. */
export interface GalleryInfo {
  /** Embedder name; a gallery only compares embeddings of the same embedder. */
  readonly embedder: string;
  readonly dimensions: number;
  readonly threshold: number;
  /**
   * Where the landmarks that aligned the enrolled faces came from: the face mesh or the detector (presets
   * `default` and `fast` share an embedder but not this). Absent when unknown (embeddings enrolled directly,
   * galleries saved before it was recorded).
   */
  readonly landmarks?: LandmarkSource;
}

/** One enrolled embedding and its person. */
export interface GalleryEntry {
  readonly label: string;
  /** L2-normalised, `info.dimensions` long. */
  readonly embedding: Float32Array;
}

/** How many people and embeddings a store holds. */
export interface GalleryCount {
  readonly people: number;
  readonly embeddings: number;
}

/** Options of {@link GalleryStore.search}. */
export interface StoreSearchOptions {
  /** People per query, best first. */
  readonly k: number;
  /** Leave out people whose best score is below this cosine similarity. Default: keep all `k`. */
  readonly minScore?: number;
}

/**
 * Where a gallery's embeddings live. Every store answers the same questions the same way, so a
 * `Gallery` works on any of them: the in-memory exact store (`MemoryGalleryStore`, the default),
 * a gallery folder, PGlite or PostgreSQL with pgvector (Node), IndexedDB (browser).
 *
 * Rules every implementation keeps:
 * - Embeddings given to `add` are L2-normalised, finite and `info.dimensions` long (a `Gallery`
 *   checks them); a store still refuses a wrong length with an InvalidArgumentError.
 * - A score is the cosine similarity (−1..1); a person's score is the best over their embeddings.
 * - `search` returns, per query, up to `k` distinct people, best first. An exact store finds the true best;
 *   an approximate index (HNSW) may miss a person, never invents a score.
 * - `add` of one call lands whole or not at all; `remove` removes every embedding of the label.
 * - `labels` is in `compareLabels` order.
 */
export interface GalleryStore {
  /** What kind of store this is: `'memory'`, `'folder'`, `'pglite'`, `'postgres'`, `'indexeddb'`, … */
  readonly kind: string;
  /** What the stored embeddings are; fixed when the store was created. */
  readonly info: GalleryInfo;
  /** Adds embeddings of `label` (kept with any it has already). */
  add(label: string, embeddings: readonly Float32Array[]): Promise<void>;
  /** Removes `label` and all its embeddings; resolves whether it was enrolled. */
  remove(label: string): Promise<boolean>;
  /** Enrolled people in `compareLabels` order. */
  labels(): Promise<string[]>;
  /** People and embeddings held. */
  count(): Promise<GalleryCount>;
  /** The best people for each query embedding (see the rules above). */
  search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Candidate[][]>;
  /** Every stored embedding with its label (to copy a gallery to another store without re-embedding). */
  entries(): AsyncIterable<GalleryEntry>;
  /** Releases the store (connections, files, locks, tensors). Using it afterwards is an error. */
  close(): Promise<void>;
}
