// Face verification: ROC metrics, the k-fold protocol, LFW pairs files and the LFW protocol run with a face pipeline.
export { rocCurve, rocAuc, equalErrorRate, tarAtFar, bestThreshold, verificationAccuracy, type RocPoint } from './roc.js';
export { kFoldVerification, type VerificationReport } from './kfold.js';
export { parseLfwPairs, lfwImagePath, type LfwPair } from './pairs.js';
export { evaluateLfw, type EvaluateLfwOptions, type LfwEvaluation } from './lfw.js';
