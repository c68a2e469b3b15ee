// Public API of the gallery folder: atomic save and load of a Gallery, and drawing identification results.
export { saveGallery, loadGallery, GALLERY_INDEX, GALLERY_EMBEDDINGS } from './files.js';
export { annotateImage, type Annotation } from './annotate.js';
export { openGallery, type OpenGalleryOptions } from './open.js';
