// Public API of the image folder: decoding, encoding and image file helpers.
export { decodeImage, decodeImageAsync, openImageBytes, type DecodeImageOptions, type ImageDecoder, type OpenImageOptions } from './decode.js';
export { detectImageFormat, type ImageFormat } from './format.js';
export { encodePng } from './png-encode.js';
export { IMAGE_EXTENSIONS, isImageFile, openImage, readImage, writeImageFile } from './files.js';
