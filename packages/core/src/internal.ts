// @facerec/core/internal: plumbing shared by @facerec/node and @facerec/web (and facerec's tests and benchmarks).
// Not part of the public API: anything here may change or go in any release, without a changeset.
export { firstNonFinite, requireFinite } from './errors/finite.js';
export { MAX_THREADS } from './backends/threads.js';
export { downscalePixels, type PixelRect } from './image/downscale.js';
export { weightedNms, type NmsCandidate } from './faces/nms.js';
export { manifestPaths } from './faces/graph-model.js';
export { detectionScale, detectionWindows, MIN_SCALED_FACE, type DetectionScale } from './faces/detector.js';
export { fiveFromBlazeFace } from './faces/landmarks.js';
export { templateInPixels, templateWithEyesAt } from './faces/templates.js';
export { DETECTOR_SIGNATURE } from './faces/presets.js';
export { MESH_SIGNATURE } from './faces/mesh.js';
export { readEmbeddingNet, readGraphModel, resolveEmbedderSpecs } from './faces/load.js';
export { EmbeddingStore } from './gallery/store.js';
export { validateGalleryIndex, infoOf } from './gallery/gallery.js';
export { forwardLogits, PROBABILITIES_LAYER } from './models/architectures.js';
export { validateMetadata } from './recognizer/metadata.js';
export { FUSED_ADAM_ALL_KERNEL, FUSED_ADAM_GROUP_ELEMENTS, FUSED_ADAM_KERNEL } from './train/optimizers.js';
export type { FusedAdamAttrs } from './train/optimizers.js';
export { cipherOf, isEncryptedGalleryStub, noKeyError, openGalleryData, sealGalleryData } from './crypto/gallery.js';
export {
  ADAM_KERNEL_NAME,
  DEFAULT_SPIN,
  isWasmMemory,
  JOB,
  KernelModuleError,
  KernelRuntime,
  KernelWorkerError,
  PACKED_WEIGHT_BUDGET,
  PackedWeightCache,
  PoolControl,
  registerKernels,
  relaxedSimdValidates,
  wasmApi,
  workerLoopSource,
} from './backends/wasm-kernels/index.js';
export type {
  AdamUpdateAttrs,
  KernelPool,
  KernelRuntimeOptions,
  PackedWeightHost,
  PoolWorkerData,
  RunFn,
  StartKernelPool,
  TfjsWasmModule,
  WasmBackend,
  WasmInstance,
  WasmMemory,
  WasmModule,
} from './backends/wasm-kernels/index.js';
