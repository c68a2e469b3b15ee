// Public API of the models folder: locating and loading the pretrained face networks.
export { locateModelDir } from './locate.js';
export { loadFacePipeline, loadGraphModelFile, loadEmbeddingNet, type LoadFacePipelineOptions } from './load.js';
