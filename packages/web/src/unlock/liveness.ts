// The active liveness check of face unlock: a challenge (blink, turn the head left or right) answered on the face mesh.
import type { FacePose } from './face-mesh.js';

/** What the person is asked to do: blink, or turn the head to their own left or right. */
export type LivenessChallenge = 'blink' | 'turn-left' | 'turn-right';

/** How far an answer must go. */
export interface LivenessLimits {
  /** Head turn beyond the person's resting pose, in eye distances (see {@link FacePose.yaw}). Default 0.12. */
  readonly turn?: number;
  /** A blink: eye openness under this fraction of the resting openness, then back above 0.8 of it. Default 0.6. */
  readonly blink?: number;
}

/** Frames that set the resting pose before an answer counts. */
const REST_FRAMES = 3;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Follows one face's poses frame by frame and says when it has answered `challenge`. The resting pose is the
 * median of its first frames; a turn counts once the head is turned far enough the asked way from it, a blink
 * once the eyes close and open again. A flat photo moved, scaled or rotated keeps its head turn and its eyes as
 * open as printed, so it answers none (tilting a photo of a face that looks at the camera does not turn it either).
 */
export class ChallengeWatcher {
  private readonly rest: FacePose[] = [];
  private closed = false;
  /** Whether the challenge has been answered (it stays answered). */
  passed = false;

  /** @param challenge - What the person was asked to do. */
  constructor(readonly challenge: LivenessChallenge, private readonly limits: LivenessLimits = {}) {}

  /** Adds a frame's pose; returns whether the challenge has been answered (now or before). */
  observe(pose: FacePose): boolean {
    if (this.passed) return true;
    if (this.rest.length < REST_FRAMES) {
      this.rest.push(pose);
      return false;
    }
    const yaw0 = median(this.rest.map((p) => p.yaw));
    const eyes0 = median(this.rest.map((p) => p.eyeOpenness));
    const turn = this.limits.turn ?? 0.12;
    // The person's left is the image's right for a camera that is not mirrored: the nose moves to +yaw.
    if (this.challenge === 'turn-left') this.passed = pose.yaw - yaw0 >= turn;
    else if (this.challenge === 'turn-right') this.passed = yaw0 - pose.yaw >= turn;
    else {
      if (pose.eyeOpenness < eyes0 * (this.limits.blink ?? 0.6)) this.closed = true;
      else if (this.closed && pose.eyeOpenness > eyes0 * 0.8) this.passed = true;
    }
    return this.passed;
  }
}
