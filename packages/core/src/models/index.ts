// CNN architectures and the helpers that run them.
export { ARCHITECTURES, createModel } from './architectures.js';
export type { ArchitectureName, ModelSpec } from './architectures.js';
