// @facerec/core: the platform-free public API. Everything a user imports comes from here.
export * from './errors/index.js';
export * from './image/index.js';
export * from './preprocess/index.js';
export * from './random/index.js';
export * from './models/index.js';
export * from './losses/index.js';
export * from './metrics/index.js';
export * from './train/index.js';
export * from './recognizer/index.js';
export * from './backends/index.js';
export * from './faces/index.js';
export * from './verification/index.js';
export * from './gallery/index.js';
export * from './crypto/index.js';
export * from './tracking/index.js';
export { VERSION } from './version.js';
export * from './explain/index.js';
