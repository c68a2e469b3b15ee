// One recognition session: backend, pipeline, gallery and LiveRecognizer built from plain data; the worker runs it, and so does the page when it has no worker.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackendSelection, Gallery, type FacePipeline, type GalleryData, type TrackInfo } from '@facerec/core';
import { initBackend } from '../backends/index.js';
import { drawRecognizedFaces } from '../faces/draw.js';
import { loadFacePipelineFromUrl } from '../faces/pretrained.js';
import type { BrowserImageSource } from '../input/index.js';
import { LiveRecognizer, type LiveFrame } from '../live/index.js';
import type { SessionConfig, SessionInfo } from './protocol.js';

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** The pipeline and the live recognizer of one worker (or of the page, as the fallback). */
export class RecognitionSession {
  private gallery: Gallery;
  private live: LiveRecognizer;

  private constructor(
    private readonly config: SessionConfig,
    private readonly pipeline: FacePipeline,
    gallery: Gallery,
    private readonly overlay: Context2D | undefined,
    readonly info: SessionInfo,
  ) {
    this.gallery = gallery;
    this.live = this.recognizer(gallery);
  }

  /**
   * Chooses the backend (initBackend's rules), loads the models and builds the gallery and recognizer.
   * Everything made is freed again when a later step throws.
   */
  static async start(config: SessionConfig, overlay?: HTMLCanvasElement | OffscreenCanvas): Promise<RecognitionSession> {
    const selection = await initBackend(config.backend, config.backendOptions);
    const pipeline = await loadFacePipelineFromUrl(config.models);
    let gallery: Gallery | undefined;
    try {
      gallery = Gallery.fromData(config.gallery, pipeline, 'options.gallery');
      const context = overlay ? ((overlay.getContext('2d') as Context2D | null) ?? undefined) : undefined;
      const info = { backend: selection.backend, backendDescription: describeBackendSelection(selection) };
      return new RecognitionSession(config, pipeline, gallery, context, info);
    } catch (error) {
      gallery?.dispose();
      pipeline.dispose();
      throw error;
    }
  }

  /** Finds, follows and names the faces of one frame, and draws them on the overlay when there is one. */
  async process(frame: BrowserImageSource, t: number): Promise<LiveFrame> {
    const result = await this.live.process(frame, t);
    if (this.overlay) {
      const canvas = this.overlay.canvas;
      if (canvas.width !== result.width || canvas.height !== result.height) {
        canvas.width = result.width;
        canvas.height = result.height;
      }
      drawRecognizedFaces(this.overlay, result.faces, { ...this.config.draw, clear: true, scoreKind: 'cosine' });
    }
    return result;
  }

  /** Replaces the gallery (after an enrolment); tracks start again, so every face is named by the new one. */
  setGallery(data: GalleryData): TrackInfo[] {
    const gallery = Gallery.fromData(data, this.pipeline, 'gallery');
    const live = this.recognizer(gallery);
    const ended = this.live.reset();
    this.gallery.dispose();
    this.gallery = gallery;
    this.live = live;
    return ended;
  }

  /** Forgets every track; returns the tracks that ended. */
  reset(): TrackInfo[] {
    return this.live.reset();
  }

  /** Tensors alive in this tfjs engine (the worker's own, or the page's in the fallback). */
  static tensors(): number {
    return tf.engine().state.numTensors;
  }

  /** Frees the gallery and the models. */
  dispose(): void {
    this.live.reset();
    this.gallery.dispose();
    this.pipeline.dispose();
  }

  private recognizer(gallery: Gallery): LiveRecognizer {
    return new LiveRecognizer({ ...this.config.tuning, pipeline: this.pipeline, gallery });
  }
}
