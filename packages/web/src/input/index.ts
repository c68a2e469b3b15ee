// Browser input: image sources → RawImage / float tensors, and decoding of picked files.
export { sourceSize, isImageData } from './sources.js';
export type { BrowserImageSource, ImageSize } from './sources.js';
export { readPixels, clipBox } from './pixels.js';
export type { ReadPixelsOptions } from './pixels.js';
export { browserImageToTensor } from './tensor.js';
export type { ImageToTensorOptions } from './tensor.js';
export { decodeImageFile, isImageFileName, IMAGE_FILE_EXTENSIONS } from './files.js';
export { toImageData } from './image-data.js';
