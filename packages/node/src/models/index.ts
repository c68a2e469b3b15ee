// Public API of the models folder: locating and loading the pretrained face networks.
export { locateModelDir, MODELS_PACKAGE } from './locate.js';
export { loadFacePipeline, loadGraphModelFile, loadEmbeddingNet, resolveEmbedderSpecs, type LoadFacePipelineOptions } from './load.js';
