// The gallery schema's migrations, applied in order by both SQL stores (PGlite and PostgreSQL); never edit a released one, add the next.

/** One schema change: its version (1, 2, …), a name, and the SQL that makes it. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Version 1: the pgvector extension, one row per gallery (what its embeddings are, which index it has) and
 * one row per embedding. The embedding column is an unsized `vector` so galleries of different embedders
 * share the table; each gallery gets its own partial HNSW index on `embedding::vector(d)` (or `halfvec(d)`),
 * created with the gallery.
 */
const initial: Migration = {
  version: 1,
  name: 'galleries and faces',
  sql: `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE facerec_galleries (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  embedder text NOT NULL,
  dimensions integer NOT NULL CHECK (dimensions BETWEEN 1 AND 4000),
  threshold real NOT NULL CHECK (threshold BETWEEN -1 AND 1),
  landmarks text CHECK (landmarks IN ('mesh', 'detector')),
  index_type text NOT NULL DEFAULT 'vector' CHECK (index_type IN ('vector', 'halfvec')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE facerec_faces (
  id bigserial PRIMARY KEY,
  gallery_id integer NOT NULL REFERENCES facerec_galleries (id) ON DELETE CASCADE,
  label text NOT NULL,
  embedding vector NOT NULL
);
CREATE INDEX facerec_faces_label ON facerec_faces (gallery_id, label);
`,
};

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [initial];
