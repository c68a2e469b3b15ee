// Public API of the preprocessing module: resizing, colour, crops, normalisation, the saved recipe and augmentation.
export type { ImageTensor } from './tensor.js';
export { resize, type ResizeOptions } from './resize.js';
export { toGrayscale, grayscaleToRgb, toChannels, LUMA_WEIGHTS } from './color.js';
export { centerCrop, cropBox, type CenterCropOptions } from './crop.js';
export { normalize, NORMALIZATION_MODES, type NormalizationMode } from './normalize.js';
export {
  tanTriggs,
  equalizeHistogram,
  clahe,
  normalizeIllumination,
  validateIlluminationStep,
  ILLUMINATION_METHODS,
  type IlluminationMethod,
  type IlluminationStep,
  type TanTriggsOptions,
  type ClaheOptions,
} from './illumination.js';
export { lbpHistograms, ltpHistograms, ltpCodes, codeDistance, NO_CODE, cellVisibility, chiSquareDistance, cellChiSquareDistance, LBP_BINS } from './lbp.js';
export { validatePreprocessingConfig, type PreprocessingConfig } from './config.js';
export { preprocessImage, preprocessBatch } from './pipeline.js';
export { augmentBatch, augmentationPresets, validateAugmentationConfig, type AugmentationConfig } from './augment.js';
