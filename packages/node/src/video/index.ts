// Public API of the video folder: frames from files, streams, cameras and image folders through ffmpeg; watching them for faces.
export { openVideo, VideoReader, type VideoFrame, type VideoInfo, type OpenVideoOptions } from './reader.js';
export { findFfmpeg } from './ffmpeg.js';
export { VideoSourceError, VideoOutputError, FfmpegNotFoundError } from './errors.js';
export type { VideoSourceKind, SourceOptions } from './source.js';
export { watchVideo, type WatchOptions, type WatchStats, type FrameTrack } from './watch.js';
export type { FrameFacesOptions } from './faces.js';
export { JsonLinesFile, type WatchEvent, type WatchEventType, type EventBox, type ExistingFile } from './events.js';
export { WebhookSender, type WebhookOptions } from './webhook.js';
export { SnapshotWriter, type SnapshotFormat } from './snapshots.js';
export { VideoWriter, type VideoWriterOptions } from './writer.js';
