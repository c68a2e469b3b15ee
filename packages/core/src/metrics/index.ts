// Public API of the metrics module: classification scores on plain numbers and the training history record.
export {
  accuracy,
  topKAccuracy,
  confusionMatrix,
  perClassMetrics,
  classificationReport,
  type PerClassMetrics,
  type AveragedMetrics,
  type ClassificationReport,
  type ClassificationReportInput,
} from './classification.js';
export { createHistory, type TrainingHistory } from './history.js';
