// Public API of the gallery module: enrol people, identify faces 1:N, verify 1:1, the store interface and the saved form.
export {
  Gallery,
  GALLERY_FORMAT,
  GALLERY_FORMAT_VERSION,
  type GalleryOptions,
  type VerifyResult,
  type IdentifyOptions,
  type GalleryData,
  type GalleryIndex,
} from './gallery.js';
export { MemoryGalleryStore } from './memory-store.js';
export type { GalleryStore, GalleryInfo, GalleryEntry, GalleryCount, StoreSearchOptions } from './gallery-store.js';
