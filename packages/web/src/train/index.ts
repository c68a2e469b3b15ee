// Training in the browser: datasets from picked files and fit with progress (core's splitDataset holds out test images).
export { folderLabel, loadLabeledFiles } from './files.js';
export type { LoadLabeledFilesOptions } from './files.js';
export { assertCanTrain, trainRecognizer } from './train.js';
export type { TrainingProgress, TrainRecognizerOptions } from './train.js';
