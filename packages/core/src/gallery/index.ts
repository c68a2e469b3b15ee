// Public API of the gallery module: enrol people, identify faces 1:N, verify 1:1, and the saved form.
export {
  Gallery,
  GALLERY_FORMAT,
  GALLERY_FORMAT_VERSION,
  type VerifyResult,
  type IdentifyOptions,
  type GalleryInfo,
  type GalleryData,
  type GalleryIndex,
} from './gallery.js';
