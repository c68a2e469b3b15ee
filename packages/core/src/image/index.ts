// Public API of the image module: the platform-free image types, their conversion to tensors, decode limits and Netpbm.
export type { Box, ChannelCount, FaceImage, RawImage, LabeledImage, PixelArray } from './types.js';
export { imageToTensor, tensorToRawImage, validateRawImage } from './convert.js';
export { checkDimensions, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_RESOLUTION_MP, type DecodeLimits } from './limits.js';
export { decodePnm, isPnm } from './pnm.js';
export { isScalableImage, scalablePixels, type PipelineImage, type ScalableImage } from './scalable.js';
export type { PixelRect } from './downscale.js';
