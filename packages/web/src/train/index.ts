// Training in the browser: datasets from picked files, a held-out split, and fit with progress.
export { folderLabel, loadLabeledFiles } from './files.js';
export type { LoadLabeledFilesOptions } from './files.js';
export { splitDataset } from './split.js';
export type { DatasetSplit } from './split.js';
export { assertCanTrain, trainRecognizer } from './train.js';
export type { TrainingProgress, TrainRecognizerOptions } from './train.js';
