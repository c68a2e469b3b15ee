// Video: a frame loop that never queues frames, its fps meter, and real-time recognition on top of it.
export { runFrameLoop } from './frame-loop.js';
export type { FrameInfo, FrameLoop, FrameLoopOptions, FrameLoopStats } from './frame-loop.js';
export { FpsMeter } from './fps.js';
export { startRecognitionLoop } from './recognition-loop.js';
export type { RecognitionLoopOptions } from './recognition-loop.js';
