// Decides whether a save may replace a folder: only a missing or empty one, or one facerec wrote for the same kind of data.
import { lstat, readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { FacerecError, VERSION } from '@facerec/core';
import { errorReason } from './atomic.js';

/** Name of the marker file facerec writes into every folder it saves. */
export const FOLDER_MARKER = 'facerec.json';
/** Version of the folder layout the marker describes. */
export const FOLDER_FORMAT_VERSION = 1;

/** What a facerec folder holds. */
export type FolderKind = 'model' | 'gallery';

/** The content of {@link FOLDER_MARKER}. */
export interface FolderMarker {
  readonly kind: FolderKind;
  readonly formatVersion: number;
  /** facerec version that wrote the folder (informative). */
  readonly writtenBy?: string;
}

/** How to recognise one kind of facerec folder. */
export interface FolderSpec {
  readonly kind: FolderKind;
  /** The files a save of this kind writes (besides the marker). */
  readonly files: readonly string[];
  /** Recognises a folder written before the marker existed by its own files (all of them are in `files`). */
  readonly isUnmarked: (dir: string) => Promise<boolean>;
}

/** Files the operating system drops into folders a user browses; replacing them loses nothing. */
const OS_METADATA: ReadonlySet<string> = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** A save was refused because its target holds something facerec did not write; nothing was changed. */
export class SaveTargetError extends FacerecError {
  /** The folder (or file) the save was pointed at. */
  readonly path: string;
  /** Up to a few of the entries facerec did not write (empty when the reason is not extra files). */
  readonly unexpected: readonly string[];
  constructor(target: string, reason: string, unexpected: readonly string[] = []) {
    super(`Refusing to save into ${target}: ${reason}. Nothing was changed; save to a new or empty folder instead.`);
    this.path = target;
    this.unexpected = unexpected;
  }
}

/** The marker content a save of `kind` writes. */
export function folderMarker(kind: FolderKind): FolderMarker {
  return { kind, formatVersion: FOLDER_FORMAT_VERSION, writtenBy: `facerec ${VERSION}` };
}

/** Parses a marker file's text; undefined when it is not one. */
export function parseFolderMarker(text: string): FolderMarker | undefined {
  try {
    const value = JSON.parse(text) as Partial<FolderMarker> | null;
    if (value === null || typeof value !== 'object') return undefined;
    if ((value.kind !== 'model' && value.kind !== 'gallery') || !Number.isInteger(value.formatVersion)) return undefined;
    return value as FolderMarker;
  } catch {
    return undefined;
  }
}

const listed = (names: readonly string[]): string =>
  names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');

/**
 * The real path a save of `spec.kind` to `dir` may replace (symbolic links resolved), after checking that it is
 * missing, empty, or a folder facerec wrote for the same kind of data that holds nothing else.
 * @throws SaveTargetError naming `dir` otherwise (a file, the current folder, another kind, foreign entries).
 */
export async function checkSaveTarget(dir: string, spec: FolderSpec): Promise<string> {
  let target = path.resolve(dir);
  const link = await lstat(target).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    target = await realpath(target).catch((error: unknown) => {
      throw new SaveTargetError(dir, `it is a symbolic link that cannot be followed (${errorReason(error)})`);
    });
  }
  const cwd = process.cwd();
  if (target === path.parse(target).root) throw new SaveTargetError(dir, 'it is the root of a file system');
  if (cwd === target || cwd.startsWith(`${target}${path.sep}`)) {
    throw new SaveTargetError(dir, 'it is the current folder or holds it');
  }
  const info = await lstat(target).catch(() => undefined);
  if (!info) return target;
  if (!info.isDirectory()) throw new SaveTargetError(dir, 'it exists and is not a folder');
  const entries = (await readdir(target)).filter((name) => !OS_METADATA.has(name));
  if (entries.length === 0) return target;

  const known = new Set(spec.files);
  if (entries.includes(FOLDER_MARKER)) {
    const text = await readFile(path.join(target, FOLDER_MARKER), 'utf8').catch(() => '');
    const marker = parseFolderMarker(text);
    if (!marker) throw new SaveTargetError(dir, `its ${FOLDER_MARKER} is not a facerec folder marker`);
    if (marker.kind !== spec.kind) throw new SaveTargetError(dir, `it holds a facerec ${marker.kind}, not a ${spec.kind}`);
    if (marker.formatVersion > FOLDER_FORMAT_VERSION) {
      throw new SaveTargetError(dir, `it was written by a newer facerec (folder format ${marker.formatVersion}; this one writes ${FOLDER_FORMAT_VERSION})`);
    }
    const foreign = entries.filter((name) => name !== FOLDER_MARKER && !known.has(name));
    if (foreign.length > 0) throw new SaveTargetError(dir, `besides the ${spec.kind} it holds files facerec did not write (${listed(foreign)})`, foreign.slice(0, 5));
    return target;
  }
  const foreign = entries.filter((name) => !known.has(name));
  if (foreign.length > 0) {
    throw new SaveTargetError(dir, `it holds files that are not a facerec ${spec.kind} (${listed(foreign)})`, foreign.slice(0, 5));
  }
  if (!(await spec.isUnmarked(target))) {
    throw new SaveTargetError(dir, `its ${listed(entries)} ${entries.length > 1 ? 'are' : 'is'} not a ${spec.kind} facerec saved`, entries.slice(0, 5));
  }
  return target;
}
