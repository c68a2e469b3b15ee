// Public API of the image folder: decoding, encoding and image file helpers.
export { decodeImage, decodeImageAsync, type DecodeImageOptions, type ImageDecoder } from './decode.js';
export { detectImageFormat, type ImageFormat } from './format.js';
export { encodePng } from './png-encode.js';
export { IMAGE_EXTENSIONS, isImageFile, readImage, writeImageFile } from './files.js';
