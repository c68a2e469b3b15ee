// Public API of the io folder: model folders, atomic file helpers, and the errors of guarded saves and locks.
export { readJsonFile, writeFileAtomic, writeJsonFile } from './atomic.js';
export { fileSystemHandler, MODEL_JSON, WEIGHTS_BIN } from './file-system-handler.js';
export { SaveTargetError, FOLDER_MARKER, type FolderKind, type FolderMarker } from './save-target.js';
export { LockedError, DEFAULT_LOCK_TIMEOUT_MS, type LockHolder } from './lock.js';
