// What the gradient methods share: the cosine to a fixed target with a chosen gradient, and freeing tfjs's tape when a backward pass fails.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Each row's cosine similarity to its target, `[rows]`, differentiable with respect to the embeddings `[rows, d]`.
 * The targets are held fixed: unit vectors (`targets`, one per row, as arrays or a `[rows, d]` tensor), or with
 * none, the faces' own embeddings: the
 * last `faces` rows are the faces' (two, each the other's target), and row i's target is the other face's,
 * i mod `faces` (default: every row is a face, rows = 2).
 * `'cosine'` is the true gradient of the cosine, (t − s·u)/‖e‖; `'fixed-norm'` holds the face's own norm fixed
 * too, t/‖e‖, so that behind a global average pool and a linear head the per-cell shares add up to s (the full
 * cosine's gradient is orthogonal to e and its shares would add up to zero).
 */
export function cosineToTargets(embeddings: tf.Tensor2D, targets: readonly Float32Array[] | tf.Tensor2D, gradient: 'cosine' | 'fixed-norm', faces?: number): tf.Tensor1D {
  const fixed = targets instanceof tf.Tensor ? targets : targets.length > 0 ? tf.tensor2d(targets.map((v) => Array.from(v))) : undefined;
  const cosine = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [e, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const norm = tf.maximum(tf.norm(e, 2, 1, true), 1e-12);
    const unit = tf.div(e, norm);
    // Computed inside the custom gradient, so no gradient flows into the targets.
    const t = fixed ?? otherFaces(unit, faces ?? e.shape[0]!);
    const value = tf.sum(tf.mul(unit, t), 1);
    save([norm, t, unit, value]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [n, target, u, s] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.mul(tf.reshape(dy, [-1, 1]), cosineGradient(target, tf.reshape(s, [-1, 1]), u, n, gradient));
      },
    };
  });
  return cosine(embeddings) as tf.Tensor1D;
}

/**
 * Each row's gradient of its cosine s to target t with respect to its embedding e (u = e/‖e‖, `norm` = ‖e‖, s and
 * `norm` as `[rows, 1]`): (t − s·u)/‖e‖, or t/‖e‖ for `'fixed-norm'` (see {@link cosineToTargets}).
 */
export function cosineGradient(target: tf.Tensor, s: tf.Tensor, u: tf.Tensor, norm: tf.Tensor, gradient: 'cosine' | 'fixed-norm'): tf.Tensor {
  return tf.div(gradient === 'cosine' ? tf.sub(target, tf.mul(s, u)) : target, norm);
}

/** Per row, the unit embedding of the other face: the faces are the last `faces` rows, row i pairs with face i mod `faces`. */
function otherFaces(unit: tf.Tensor, faces: number): tf.Tensor {
  const rows = unit.shape[0]!;
  const swapped = tf.reverse(tf.slice(unit, rows - faces, faces), 0);
  return rows === faces ? swapped : tf.tile(swapped, [rows / faces, 1]);
}

/** The part of tfjs's engine state that holds a gradient's tape. */
interface TapeState {
  gradientDepth: number;
  activeTape: Array<{ saved?: tf.Tensor[] }> | null;
}

/**
 * Runs `fn`, which takes a gradient. tfjs keeps the tensors saved for the backward pass outside every tidy and
 * frees them only when the backward pass completes: when it throws (a backend without a gradient kernel, such
 * as WASM's depthwise convolution), they would stay alive. They are freed here, and the error passed on.
 */
export function freeingTapeOnError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const state = (tf.engine() as unknown as { state: TapeState }).state;
    // Only an outermost gradient owns the tape (a nested one shares its caller's).
    if (state.gradientDepth === 0 && state.activeTape) {
      for (const node of state.activeTape) node.saved?.forEach((t) => t.dispose());
      state.activeTape = null;
    }
    throw error;
  }
}
