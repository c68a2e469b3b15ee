// Public API of the models folder: locating, loading and copying (into a web app) the pretrained face networks.
export { locateModelDir } from './locate.js';
export { copyModelFiles, COPIED_MODELS_FILE, type CopyModelFilesOptions, type CopyModelFilesResult } from './copy.js';
export { loadFacePipeline, loadGraphModelFile, loadEmbeddingNet, type LoadFacePipelineOptions } from './load.js';
