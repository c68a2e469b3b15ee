// Browser storage: recognizers in IndexedDB and as files, and an IndexedDB store of enrolled faces.
export { deleteStoredRecognizer, downloadRecognizer, exportRecognizer, importRecognizer, listStoredRecognizers, loadRecognizer, saveRecognizer } from './models.js';
export type { StoredModelInfo } from './models.js';
export { FaceStore } from './face-store.js';
export type { StoredFace } from './face-store.js';
