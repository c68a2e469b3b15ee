// Match explanations in the browser: heat maps drawn over faces on a canvas.
export { drawExplanation, drawHeatMap } from './overlay.js';
export type { Canvas2D, DrawExplanationOptions, DrawHeatMapOptions } from './overlay.js';
