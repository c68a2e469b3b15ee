// Public API of the io folder: model folders and atomic file helpers.
export { readJsonFile, writeFileAtomic, writeJsonFile } from './atomic.js';
export { fileSystemHandler, MODEL_JSON, WEIGHTS_BIN } from './file-system-handler.js';
