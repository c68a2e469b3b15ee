// Public API of the gallery folder: atomic, locked save and load of a Gallery, updates under the lock, and drawing results.
export { saveGallery, loadGallery, GALLERY_INDEX, GALLERY_EMBEDDINGS, type SaveGalleryOptions, type LoadGalleryOptions } from './files.js';
export { updateGallery } from './update.js';
export { annotateImage, type Annotation } from './annotate.js';
export { openGallery, type OpenGalleryOptions } from './open.js';
