// The FaceRecognizer API, the one recognition result every recognizer gives, the label order, and the saved-model metadata.
export { FaceRecognizer } from './face-recognizer.js';
export type { EvaluationReport, FaceRecognizerLoadOptions, FaceRecognizerOptions, PredictOptions } from './face-recognizer.js';
export type { FitOptions } from './fit-options.js';
export { DEFAULT_ILLUMINATION } from './illumination-default.js';
export { DEFAULT_TEXTURE_MATCHING, faceTexture, type SavedTextures, type TextureMatching, type TextureMethod } from './face-texture.js';
export { DEFAULT_CNN_TEXTURE_MATCHING } from './cnn-texture.js';
export { DEFAULT_RETRY_ILLUMINATION, type CropLandmarks } from './head-faces.js';
export { compareLabels } from './labels.js';
export { UNKNOWN, type Candidate, type Recognition, type RecognizedFace, type ScoreKind } from './result.js';
export { METADATA_KEY, MODEL_FORMAT, MODEL_FORMAT_VERSION } from './metadata.js';
export type { BackboneInfo, ClassifierMetadata, EmbeddingHeadMetadata, HeadKind, RecognizerMetadata } from './metadata.js';
