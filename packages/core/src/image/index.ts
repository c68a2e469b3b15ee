// Public API of the image module: the platform-free image types and their conversion to tensors.
export type { ChannelCount, RawImage, LabeledImage } from './types.js';
export { imageToTensor, tensorToRawImage, validateRawImage } from './convert.js';
