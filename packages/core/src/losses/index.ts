// Loss functions for training.
export { softmaxCrossEntropy } from './softmax-cross-entropy.js';
export type { CrossEntropyOptions } from './softmax-cross-entropy.js';
