// Faces in browser images: where they are (a locator), who they are, and drawing the answer.
export { centerSquareBox, centerSquareLocator, wholeImageLocator } from './locate.js';
export type { CenterSquareOptions, FaceLocator } from './locate.js';
export { cropFaces, recognizeFaces } from './recognize.js';
export type { LocatedRecognition, RecognizeFacesOptions } from './recognize.js';
export { drawRecognizedFaces, faceLabel } from './draw.js';
export type { DrawFacesOptions, FaceToDraw } from './draw.js';
export { loadFacePipelineFromUrl, urlModelReader } from './pretrained.js';
export type { LoadFacePipelineFromUrlOptions } from './pretrained.js';
