// Browser storage: recognizers in IndexedDB and as files, a gallery of embeddings in IndexedDB, and a store of enrolled face images.
export { deleteStoredRecognizer, downloadRecognizer, exportRecognizer, importRecognizer, listStoredRecognizers, loadRecognizer, saveRecognizer } from './models.js';
export type { StoredModelInfo } from './models.js';
export { FaceStore } from './face-store.js';
export { IndexedDbGalleryStore } from './gallery-store.js';
export type { OpenIndexedDbGalleryOptions } from './gallery-store.js';
export type { StoredFace } from './face-store.js';
