// A tfjs save handler that keeps the artifacts in memory, for save/load round trips without files.
import * as tf from '@tensorflow/tfjs-core';

/** A handler for `recognizer.save(handler)` and a getter for what it was given. */
export function memorySink(): { handler: tf.io.IOHandler; artifacts: () => tf.io.ModelArtifacts } {
  let saved: tf.io.ModelArtifacts | undefined;
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
  return { handler, artifacts: () => saved! };
}
