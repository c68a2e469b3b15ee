// The FaceRecognizer API and its saved-model metadata.
export { FaceRecognizer, UNKNOWN_LABEL } from './face-recognizer.js';
export type { Candidate, EvaluationReport, FaceImage, FaceRecognizerOptions, FitOptions, Prediction, PredictOptions } from './face-recognizer.js';
export { METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION, validateMetadata } from './metadata.js';
export type { RecognizerMetadata } from './metadata.js';
