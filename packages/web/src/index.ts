// @facerec/web: everything from @facerec/core plus browser input, backends, storage, video and training helpers.
export * from '@facerec/core';
export * from './input/index.js';
export * from './backends/index.js';
export * from './faces/index.js';
export * from './video/index.js';
export * from './live/index.js';
export * from './unlock/index.js';
export * from './train/index.js';
export * from './storage/index.js';
export * from './explain/index.js';
export * from './worker/index.js';
