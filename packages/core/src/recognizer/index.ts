// The FaceRecognizer API, the one recognition result every recognizer gives, and its saved-model metadata.
export { FaceRecognizer } from './face-recognizer.js';
export type { EvaluationReport, FaceRecognizerOptions, FitOptions, PredictOptions } from './face-recognizer.js';
export { compareLabels } from './labels.js';
export { UNKNOWN, type Candidate, type Recognition, type RecognizedFace, type ScoreKind } from './result.js';
export { METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION, validateMetadata } from './metadata.js';
export type { RecognizerMetadata } from './metadata.js';
