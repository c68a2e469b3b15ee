// Public API of node's explain folder: explanations of a match drawn as a PNG-ready picture.
export { explanationPicture, type ExplanationPictureOptions } from './picture.js';
