// Public API of the explain module: heat maps of why two faces matched, and their JSON and picture building blocks.
export { DEFAULT_EXPLAIN_METHODS, explainMatch, EXPLAIN_METHODS, GRADCAM_STAGES, INTEGRATED_GRADIENTS_STAGES, type EnrolledPerson, type ExplainFace, type ExplainMethod, type ExplainOptions, type Explanation, type FaceExplanation } from './explain.js';
export { heatColour, heatMapOf, heatMapRgba, overlayHeatMap, upsampleHeatMap, type HeatMap } from './heatmap.js';
export { explanationToJson, personOf, type ExplanationJson } from './json.js';
