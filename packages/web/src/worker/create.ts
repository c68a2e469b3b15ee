// createRecognitionWorker: live recognition in a dedicated Web Worker, fed ImageBitmaps from the page, or on the page's thread when the browser cannot.
import { Gallery, InvalidArgumentError, type BackendRequest, type FacePipelineOptions, type GalleryData, type TrackInfo } from '@facerec/core';
import type { WebBackendOptions } from '../backends/index.js';
import type { DrawFacesOptions } from '../faces/draw.js';
import type { LoadFacePipelineFromUrlOptions } from '../faces/pretrained.js';
import { sourceSize, type BrowserImageSource } from '../input/index.js';
import type { LiveFrame, LiveTuning } from '../live/index.js';
import { runFrameLoop, type FrameLoop, type FrameLoopOptions, type FrameLoopStats } from '../video/frame-loop.js';
import { RecognitionWorkerError, type SessionConfig, type SessionInfo } from './protocol.js';
import { RecognitionSession } from './session.js';
import { WorkerClient } from './client.js';

/** Where the recognition runs: `'auto'` (default) a worker when the browser has what it needs, else the page's thread. */
export type RecognitionMode = 'auto' | 'worker' | 'main-thread';

/** Options of {@link createRecognitionWorker}. */
export interface RecognitionWorkerOptions extends LiveTuning, FacePipelineOptions {
  /** Where the model files are served (as {@link loadFacePipelineFromUrl}); relative URLs resolve against the page. */
  readonly modelUrl: LoadFacePipelineFromUrlOptions['modelUrl'];
  /** Who the faces are: a gallery (its embeddings are copied to the worker) or its {@link Gallery.toData} output. */
  readonly gallery: Gallery | GalleryData;
  /** The worker's backend, chosen by `initBackend`'s rules. Default `'auto'`. */
  readonly backend?: BackendRequest;
  /** Options of that `initBackend` call; a relative `wasmPaths` resolves against the page. */
  readonly backendOptions?: WebBackendOptions;
  /**
   * A canvas the boxes and names are drawn on after each frame, sized to the frame. In a worker it is handed
   * over (`transferControlToOffscreen`), so the page can no longer draw on it itself.
   */
  readonly overlay?: HTMLCanvasElement | OffscreenCanvas;
  /** How the overlay is drawn. */
  readonly draw?: Omit<DrawFacesOptions, 'clear' | 'scoreKind'>;
  /** Default `'auto'`; `'worker'` throws when the browser cannot run it in a worker. */
  readonly mode?: RecognitionMode;
  /**
   * Makes the worker. Default `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`, the
   * package's `@facerec/web/worker` entry, which bundlers (vite, webpack 5, parcel) turn into a worker chunk.
   */
  readonly worker?: () => Worker;
}

/** Options of {@link RecognitionWorker.run}. */
export interface RecognitionRunOptions extends FrameLoopOptions {
  /** Called after each frame with its faces and the loop's figures. */
  readonly onFaces?: (frame: LiveFrame, stats: FrameLoopStats) => void | Promise<void>;
}

/** Live recognition in a worker (or, as the fallback, on the page's thread): same answers as {@link LiveRecognizer}. */
export interface RecognitionWorker {
  /** Where the recognition runs. */
  readonly mode: 'worker' | 'main-thread';
  /** Why it runs on the page's thread (undefined in a worker). */
  readonly fallbackReason: string | undefined;
  /** The backend the recognition runs on, and why others were skipped. */
  readonly info: SessionInfo;
  /**
   * Recognises one frame (a copy is taken now, so a playing video may move on). `t` is its time in seconds
   * (default now) and must not go back. Frames are processed one after another in the order given.
   * @throws InvalidImageError for a source with no frame yet; the worker's typed errors as thrown there.
   */
  process(source: BrowserImageSource, t?: number): Promise<LiveFrame>;
  /** Recognises every new frame of a `<video>` (camera or file), one at a time, skipping those that arrive meanwhile. */
  run(video: HTMLVideoElement, options?: RecognitionRunOptions): FrameLoop;
  /** Replaces the gallery (after an enrolment); tracks start again. Resolves the tracks that ended. */
  setGallery(gallery: Gallery | GalleryData): Promise<TrackInfo[]>;
  /** Forgets every track (a new video, a cut); resolves the tracks that ended. */
  reset(): Promise<TrackInfo[]>;
  /** Tensors alive in the engine the recognition runs on (the worker's own), for leak checks. */
  tensors(): Promise<number>;
  /** Frees the models and the gallery and ends the worker; later calls reject. */
  dispose(): Promise<void>;
}

/** Why this browser cannot run the recognition in a worker, or undefined when it can. */
export function workerUnavailableReason(overlay?: HTMLCanvasElement | OffscreenCanvas): string | undefined {
  if (typeof Worker !== 'function') return 'this browser has no Web Workers';
  if (typeof OffscreenCanvas !== 'function') return 'this browser has no OffscreenCanvas (a worker reads frames through one)';
  if (typeof createImageBitmap !== 'function') return 'this browser has no createImageBitmap (frames are sent to the worker as ImageBitmaps)';
  if (overlay && !(overlay instanceof OffscreenCanvas) && typeof (overlay as Partial<HTMLCanvasElement>).transferControlToOffscreen !== 'function') {
    return 'the overlay canvas cannot be handed to a worker (no transferControlToOffscreen)';
  }
  return undefined;
}

/** `url` made absolute against the page: a worker resolves relative URLs against its script instead. */
function absolute(url: string): string {
  const base = globalThis.document?.baseURI ?? globalThis.location?.href;
  return base ? new URL(url, base).href : url;
}

function absoluteUrls<T extends string | Readonly<Record<string, string | undefined>>>(urls: T): T {
  if (typeof urls === 'string') return absolute(urls) as T;
  return Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, v === undefined ? v : absolute(v)])) as T;
}

async function sessionConfig(options: RecognitionWorkerOptions): Promise<SessionConfig> {
  const { modelUrl, gallery, backend, backendOptions, draw, preset, embedder, mesh, threshold, detectionSize, minFaceSize, scanFrames, scoreThreshold, tracker } = options;
  if (!modelUrl) throw new InvalidArgumentError('modelUrl', 'give the URL the model files are served from');
  if (!gallery) throw new InvalidArgumentError('gallery', 'give a Gallery or its toData() output');
  const pick = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const wasmPaths = backendOptions?.wasmPaths;
  return {
    models: pick({ modelUrl: absoluteUrls(modelUrl), preset, embedder, mesh }),
    gallery: gallery instanceof Gallery ? await gallery.toData() : gallery,
    backend: backend ?? 'auto',
    backendOptions: { ...backendOptions, ...(wasmPaths !== undefined ? { wasmPaths: absoluteUrls(wasmPaths) } : {}) },
    tuning: pick({ threshold, detectionSize, minFaceSize, scanFrames, scoreThreshold, tracker }),
    draw: draw ?? {},
  };
}

const defaultWorker = (): Worker => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

/**
 * Starts live recognition off the page's thread: a dedicated Web Worker loads the models from `modelUrl`,
 * picks its backend by `initBackend`'s rules and runs a {@link LiveRecognizer} over the `gallery`; the page
 * sends each frame as a transferred `ImageBitmap` and gets the same {@link LiveFrame} back, so a slow frame
 * never blocks the page. Without Web Workers, OffscreenCanvas or createImageBitmap (or with
 * `mode: 'main-thread'`) the same recognition runs on the page's thread (its `initBackend` then sets the page's
 * tfjs backend), and `fallbackReason` says why.
 * Errors thrown in the worker reach the caller as the same typed errors (`ModelFormatError`...); a crash or a
 * script that cannot load as a {@link RecognitionWorkerError}.
 *
 * ```ts
 * const recognition = await createRecognitionWorker({ modelUrl: '/models', gallery, overlay });
 * recognition.run(video, { onFaces: ({ faces }) => console.log(faces.map((f) => f.label)) });
 * ```
 * @throws InvalidArgumentError for a bad option; the worker's errors while loading (ModelFormatError, BackendError).
 */
export async function createRecognitionWorker(options: RecognitionWorkerOptions): Promise<RecognitionWorker> {
  if (!options) throw new InvalidArgumentError('options', 'need modelUrl and gallery');
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'worker' && mode !== 'main-thread') throw new InvalidArgumentError('mode', `must be 'auto', 'worker' or 'main-thread', got ${String(mode)}`);
  const config = await sessionConfig(options);
  let reason = mode === 'main-thread' ? 'mode is "main-thread"' : workerUnavailableReason(options.overlay);
  if (mode === 'worker' && reason) throw new InvalidArgumentError('mode', `is "worker" but ${reason}`);
  let worker: Worker | undefined;
  if (reason === undefined) {
    try {
      worker = (options.worker ?? defaultWorker)();
    } catch (error) {
      if (mode === 'worker') throw new RecognitionWorkerError(`the worker could not be created: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      reason = `the worker could not be created (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  if (worker) return workerRecognition(worker, config, options.overlay);
  return pageRecognition(config, options.overlay, reason!);
}

/** A frame as a transferable bitmap: checked first, so an empty source fails here with InvalidImageError. */
async function bitmapOf(source: BrowserImageSource): Promise<ImageBitmap> {
  sourceSize(source, 'frame');
  return createImageBitmap(source);
}

async function workerRecognition(worker: Worker, config: SessionConfig, overlay: HTMLCanvasElement | OffscreenCanvas | undefined): Promise<RecognitionWorker> {
  const client = new WorkerClient(worker);
  let offscreen: OffscreenCanvas | undefined;
  try {
    offscreen = overlay === undefined ? undefined : overlay instanceof OffscreenCanvas ? overlay : overlay.transferControlToOffscreen();
  } catch (error) {
    client.terminate();
    throw new InvalidArgumentError('overlay', `cannot be handed to the worker (${error instanceof Error ? error.message : String(error)}); pass a canvas no context was taken from`, { cause: error });
  }
  let info: SessionInfo;
  try {
    info = await client.request<SessionInfo>({ type: 'init', config, ...(offscreen ? { overlay: offscreen } : {}) }, offscreen ? [offscreen] : []);
  } catch (error) {
    client.terminate();
    throw error;
  }
  const recognition: RecognitionWorker = {
    mode: 'worker',
    fallbackReason: undefined,
    info,
    process: async (source, t = performance.now() / 1000) => {
      client.check();
      const frame = await bitmapOf(source);
      return client.request<LiveFrame>({ type: 'frame', frame, t }, [frame]);
    },
    run: (video, runOptions) => runVideo(recognition, video, runOptions),
    setGallery: async (gallery) => client.request<TrackInfo[]>({ type: 'gallery', gallery: gallery instanceof Gallery ? await gallery.toData() : gallery }),
    reset: () => client.request<TrackInfo[]>({ type: 'reset' }),
    tensors: () => client.request<number>({ type: 'tensors' }),
    dispose: () => client.close(),
  };
  return recognition;
}

async function pageRecognition(config: SessionConfig, overlay: HTMLCanvasElement | OffscreenCanvas | undefined, reason: string): Promise<RecognitionWorker> {
  let session: RecognitionSession | undefined = await RecognitionSession.start(config, overlay);
  const live = (): RecognitionSession => {
    if (!session) throw new RecognitionWorkerError('the recognition was disposed');
    return session;
  };
  const recognition: RecognitionWorker = {
    mode: 'main-thread',
    fallbackReason: reason,
    info: session.info,
    process: async (source, t = performance.now() / 1000) => live().process(source, t),
    run: (video, runOptions) => runVideo(recognition, video, runOptions),
    setGallery: async (gallery) => live().setGallery(gallery instanceof Gallery ? await gallery.toData() : gallery),
    reset: async () => live().reset(),
    tensors: async () => RecognitionSession.tensors(),
    dispose: async () => {
      session?.dispose();
      session = undefined;
    },
  };
  return recognition;
}

/** The frame loop of {@link RecognitionWorker.run}: media time orders the frames, as in `recognizeVideo`. */
function runVideo(recognition: RecognitionWorker, video: HTMLVideoElement, options: RecognitionRunOptions = {}): FrameLoop {
  const { onFaces, ...loopOptions } = options;
  let last = -Infinity;
  const loop: FrameLoop = runFrameLoop(video, async (info) => {
    const t = Math.max(info.mediaTime > 0 ? info.mediaTime : info.timestamp / 1000, last);
    last = t;
    const frame = await recognition.process(video, t);
    await onFaces?.(frame, { fps: loop.fps, frames: loop.frames, lastFrameMs: loop.lastFrameMs });
  }, loopOptions);
  return loop;
}
