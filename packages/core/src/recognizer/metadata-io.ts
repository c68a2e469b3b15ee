// Saving and loading a recognizer's LayersModel with facerec's metadata in its artifacts, past tfjs's 1 MB advice on user-defined metadata.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../errors/index.js';

/** The save handler `destination` names: itself, or the first of tfjs's registered routers for a URL. */
function saveHandler(destination: tf.io.IOHandler | string): tf.io.IOHandler {
  if (typeof destination !== 'string') return destination;
  const handler = tf.io.getSaveHandlers(destination)[0];
  if (!handler) throw new InvalidArgumentError('destination', `no tfjs save handler takes "${destination}" (e.g. 'indexeddb://name', 'downloads://name', or a folder handler from @facerec/node)`);
  return handler;
}

/** The load handler `source` names: itself, a registered router's for a URL, or an HTTP request for http(s) URLs. */
function loadHandler(source: tf.io.IOHandler | string): tf.io.IOHandler {
  if (typeof source !== 'string') return source;
  const handler = tf.io.getLoadHandlers(source)[0];
  if (handler) return handler;
  if (tf.io.isHTTPScheme(source)) return tf.io.http(source);
  throw new InvalidArgumentError('source', `no tfjs load handler takes "${source}"`);
}

/**
 * Saves `model` with `metadata` as its artifacts' `userDefinedMetadata`. Added to the artifacts here rather than
 * through `setUserDefinedMetadata`, which writes a console warning above 1 MB: a CNN's training textures pass that
 * from about 130 photos, and the handlers (files, IndexedDB, downloads) store any size.
 */
export async function saveWithMetadata(model: tfl.LayersModel, destination: tf.io.IOHandler | string, metadata: Record<string, unknown>): Promise<tf.io.SaveResult> {
  const inner = saveHandler(destination);
  const save = inner.save?.bind(inner);
  if (!save) throw new InvalidArgumentError('destination', 'the handler given has no save method');
  return model.save({ save: (artifacts) => save({ ...artifacts, userDefinedMetadata: metadata as tf.io.ModelArtifacts['userDefinedMetadata'] }) });
}

/**
 * Loads a LayersModel and, apart from it, its artifacts' `userDefinedMetadata` (which `loadLayersModel` would set
 * on the model, with the same console warning above 1 MB).
 */
export async function loadWithMetadata(source: tf.io.IOHandler | string): Promise<{ model: tfl.LayersModel; metadata: Record<string, unknown> | undefined }> {
  const inner = loadHandler(source);
  const load = inner.load?.bind(inner);
  if (!load) throw new InvalidArgumentError('source', 'the handler given has no load method');
  let metadata: Record<string, unknown> | undefined;
  const model = await tfl.loadLayersModel({
    load: async () => {
      const { userDefinedMetadata, ...artifacts } = await load();
      metadata = userDefinedMetadata as Record<string, unknown> | undefined;
      return artifacts;
    },
  });
  return { model, metadata };
}
