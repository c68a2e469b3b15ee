// Live recognition: faces found, tracked and named on every frame of a camera, a video file or a canvas.
export { LiveRecognizer } from './live-recognizer.js';
export type { LiveFace, LiveFrame, LiveRecognizerOptions, LiveTuning } from './live-recognizer.js';
export { recognizeVideo } from './recognize-video.js';
export type { LiveLoop, RecognizeVideoOptions } from './recognize-video.js';
export { openCamera } from './camera.js';
export type { Camera, OpenCameraOptions } from './camera.js';
