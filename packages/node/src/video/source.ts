// What a video source string names (a file, a stream URL, a V4L2 camera or a folder of numbered images) and how ffmpeg opens it.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareLabels } from '@facerec/core';
import { errorReason } from '../io/atomic.js';
import { isImageFile, readImage } from '../image/index.js';
import { VideoSourceError } from './errors.js';

/** Kinds of source: a stream and a camera may drop and come back; a file and a folder end. */
export type VideoSourceKind = 'file' | 'stream' | 'camera' | 'folder';

/** A source resolved for ffmpeg. */
export interface ResolvedSource {
  readonly kind: VideoSourceKind;
  /** What the user gave (used in messages). */
  readonly source: string;
  /** ffmpeg arguments up to and including `-i <input>`. */
  readonly inputArgs: string[];
  /** A folder's images in natural order (fed to ffmpeg's stdin), and the first one's size. */
  readonly images?: readonly string[];
  readonly imageSize?: { readonly width: number; readonly height: number };
}

/** Options that shape how a source is opened. */
export interface SourceOptions {
  /** Frame rate given to a folder of images (their timestamps). Default 25. */
  readonly folderFps?: number;
  /** Extra ffmpeg input options placed before `-i` (e.g. `['-f', 'avfoundation']`). */
  readonly inputArgs?: readonly string[];
  /** A stream that delivers nothing for this long counts as dropped (ffmpeg's socket timeout). Default 10 s. */
  readonly stallTimeoutMs?: number;
}

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Works out what `source` is. A URL (`rtsp://`, `http://`...) is a stream, `/dev/videoN` a V4L2 camera, a
 * folder a sequence of images (in natural order: 1, 2, 10), anything else a video file.
 * @throws VideoSourceError when the file or folder does not exist or the folder holds no images.
 */
export async function resolveSource(source: string, options: SourceOptions = {}): Promise<ResolvedSource> {
  const extra = [...(options.inputArgs ?? [])];
  const scheme = URL_SCHEME.exec(source)?.[1]?.toLowerCase();
  const timeoutUs = String(Math.round((options.stallTimeoutMs ?? 10_000) * 1000));
  if (scheme !== undefined) {
    // rtsp over TCP: no lost UDP packets smearing frames; timeouts so a stalled stream ends and is reopened.
    const transport = scheme === 'rtsp' || scheme === 'rtsps' ? ['-rtsp_transport', 'tcp', '-timeout', timeoutUs] : scheme === 'http' || scheme === 'https' || scheme === 'tcp' ? ['-rw_timeout', timeoutUs] : [];
    return { kind: 'stream', source, inputArgs: [...transport, ...extra, '-i', source] };
  }
  if (/^\/dev\/video\d+$/.test(source)) {
    return { kind: 'camera', source, inputArgs: [...(extra.length > 0 ? extra : ['-f', 'v4l2']), '-i', source] };
  }
  let isDir: boolean;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch (error) {
    throw new VideoSourceError(source, `cannot be opened (${errorReason(error)}); give a video file, a folder of images, a stream URL or /dev/videoN`, 0, { cause: error });
  }
  if (!isDir) return { kind: 'file', source, inputArgs: [...extra, '-i', source] };
  const images = (await readdir(source)).filter(isImageFile).sort(compareLabels).map((name) => path.join(source, name));
  if (images.length === 0) throw new VideoSourceError(source, 'is a folder with no images (.jpg, .png, .bmp, .pgm, .ppm)');
  const extensions = new Set(images.map((f) => path.extname(f).toLowerCase().replace('.jpeg', '.jpg')));
  if (extensions.size > 1) throw new VideoSourceError(source, `mixes image formats (${[...extensions].join(', ')}); ffmpeg reads a sequence of one format`);
  const first = await readImage(images[0]!);
  const fps = options.folderFps ?? 25;
  return {
    kind: 'folder',
    source,
    // The images go through stdin, so any names work (gaps in the numbering too).
    inputArgs: ['-f', 'image2pipe', '-framerate', String(fps), ...extra, '-i', 'pipe:0'],
    images,
    imageSize: { width: first.width, height: first.height },
  };
}
