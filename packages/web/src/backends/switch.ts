// Changes backend with recognizers in use, copying their weights through memory instead of letting tfjs move them.
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer } from '@facerec/core';
import type { BackendRequest, BackendSelection } from '@facerec/core';
import { initBackend } from './init.js';
import type { WebBackendOptions } from './options.js';

/** The backend now in use and the recognizers re-created on it (same order as given). */
export interface BackendSwitch {
  readonly selection: BackendSelection;
  readonly recognizers: FaceRecognizer[];
}

/** Saves a recognizer to memory; weights are read with `await data()`, which works on every backend. */
async function snapshot(recognizer: FaceRecognizer): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await recognizer.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts!;
}

/**
 * Switches to another backend and re-creates `recognizers` on it, disposing the old ones. Use it instead of a
 * bare `initBackend` once models exist: tfjs moves a tensor to the new backend when it is next used, and
 * tfjs-backend-webgpu 4.22 hands such tensors over as zeros (weights silently lost), so the weights are copied
 * through memory here. Threshold, labels and preprocessing come along. A recognizer on a pretrained backbone keeps
 * its `FacePipeline`, which is not copied (tfjs moves its weights itself, losing them when leaving WebGPU): choose
 * the backend before loading pipelines.
 *
 * @throws BackendError when no requested backend starts (the recognizers are then left as they were).
 */
export async function switchBackend(request: BackendRequest, recognizers: readonly FaceRecognizer[], options: WebBackendOptions = {}): Promise<BackendSwitch> {
  const saved = await Promise.all(recognizers.map(snapshot));
  const selection = await initBackend(request, options);
  const fresh = await Promise.all(saved.map((a, i) => {
    const { threshold, backbone } = recognizers[i]!;
    return FaceRecognizer.load(tf.io.fromMemory(a), { threshold, ...(backbone ? { backbone } : {}) });
  }));
  for (const old of recognizers) old.dispose();
  return { selection, recognizers: fresh };
}
