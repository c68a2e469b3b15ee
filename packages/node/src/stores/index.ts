// Public API of the gallery stores: open a folder, PGlite or PostgreSQL gallery by its target, and their errors.
export { openGalleryStore, type OpenGalleryStoreOptions } from './open.js';
export { openFolderStore, FolderGalleryStore, type FolderStoreOptions } from './folder.js';
export { openPgliteStore, PGLITE_DATA, type PgliteStoreOptions } from './pglite.js';
export { PGLITE_SEALED } from './pglite-sealed.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres.js';
export { SqlGalleryStore, DEFAULT_EF_SEARCH, DEFAULT_HNSW, efSearchFor, type SqlGalleryOptions, type HnswOptions, type SqlClient } from './sql-store.js';
export { parseGalleryTarget, DEFAULT_GALLERY_NAME, type GalleryTarget } from './target.js';
export { MissingPackageError, GalleryStoreError } from './errors.js';
