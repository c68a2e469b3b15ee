// Face unlock: guided enrolment with quality checks, matching over frames of one tracked face, and an active liveness challenge.
export { FaceUnlock } from './face-unlock.js';
export type { FaceUnlockEvent, FaceUnlockOptions, FaceUnlockRunOptions, RefusalReason, UnlockResult } from './face-unlock.js';
export { DEFAULT_MATCH_FRAMES, UNLOCK_THRESHOLD_MARGIN, UnlockDecision, defaultUnlockThreshold } from './decision.js';
export type { UnlockDecisionOptions, UnlockStep } from './decision.js';
export { FaceMesh, poseOf } from './face-mesh.js';
export type { FacePose } from './face-mesh.js';
export { ChallengeWatcher } from './liveness.js';
export type { LivenessChallenge, LivenessLimits } from './liveness.js';
export { faceQuality } from './quality.js';
export type { FaceQuality, QualityLimits, QualityProblem } from './quality.js';
