// Public API of the dataset folder: folder-per-person datasets and prediction inputs.
export { loadImageFolder } from './image-folder.js';
export { loadImagesForPrediction, type PredictionImagesOptions } from './prediction.js';
export type { ImageFolderDataset, ImageFolderOptions, ImageFolderSplit, SkippedFile, SourcedImage } from './types.js';
