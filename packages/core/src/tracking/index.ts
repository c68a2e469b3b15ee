// Public API of the tracking module: faces followed across video frames, named by a vote, and where to look for them.
export { FaceTracker, type FaceTrackerOptions, type TrackerDetection, type TrackerFrame, type TrackerStep, type TrackMatch } from './tracker.js';
export type { TrackInfo, TrackState } from './track.js';
export { WindowPlanner, type WindowPlannerOptions } from './windows.js';
export { assignMinCost } from './assignment.js';
