// Public API of the recognizer folder: opening a saved FaceRecognizer of either kind from a folder.
export { openRecognizer, type OpenRecognizerOptions } from './open.js';
