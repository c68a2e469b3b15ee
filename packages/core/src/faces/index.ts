// Public API of the faces module: detection, landmarks, alignment and embeddings with pretrained networks.
export { applyAffine, invertAffine, iou, similarityTransform, type Affine, type Point } from './geometry.js';
export { warpAffine } from './warp.js';
export { FaceDetector, DEFAULT_DETECTION_SIZE, type DetectOptions, type DetectionWindow, type RawDetection } from './detector.js';
export { checkGraphModel, loadGraphModelFromFiles, type GraphModelFiles, type FaceGraphModel, type GraphModelSignature } from './graph-model.js';
export type { NetworkSignature } from './model-checks.js';
export { FaceEmbedder, FusedEmbedder, cosineSimilarity, graphEmbeddingNet, type Embedder, type EmbedderInfo, type EmbedderSpec, type EmbeddingNet, type EmbeddingNetSplit, type FaceToEmbed } from './embedder.js';
export { ARCFACE_TEMPLATE, DLIB_CHIP_TEMPLATE, zoomTemplate } from './templates.js';
export { centredLandmarks, type FiveLandmarks } from './landmarks.js';
export { FACERES, MOBILEFACE, MOBILEFACENET, DLIB, EMBEDDERS, FACE_PRESETS, FUSIONS, FUSION_THRESHOLD, DETECTOR_FILE, type FacePreset, type FacePresetSpec, type FusionSpec } from './presets.js';
export { FacePipeline, mainFace, type DetectedFace, type EmbeddedFace, type LandmarkSource } from './pipeline.js';
export { ResNet34Descriptor, RESNET34_BLOCKS } from './resnet34.js';
export { LandmarkRefiner, MESH_FILE, type RefinedFace } from './mesh.js';
export { buildFacePipeline, MODELS_PACKAGE, type FacePipelineOptions, type ModelFile, type ModelFileReader, type ModelPackage } from './load.js';
