// CNN architectures and the helpers that run them.
export { ARCHITECTURES, PROBABILITIES_LAYER, createModel, forwardLogits } from './architectures.js';
export type { ArchitectureName, ModelSpec } from './architectures.js';
