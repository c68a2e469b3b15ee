// Public API of the verification module: ROC, AUC, EER, TAR@FAR and the LFW k-fold protocol on plain numbers.
export { rocCurve, rocAuc, equalErrorRate, tarAtFar, bestThreshold, verificationAccuracy, type RocPoint } from './roc.js';
export { kFoldVerification, type VerificationReport } from './kfold.js';
export { parseLfwPairs, lfwImagePath, type LfwPair } from './pairs.js';
