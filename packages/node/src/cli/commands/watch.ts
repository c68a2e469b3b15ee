// `facerec watch <source> --gallery <dir>`: follow and name faces on a video, file, stream, camera or image folder; events as JSON Lines.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, UNKNOWN, type TrackInfo } from '@facerec/core';
import { GALLERY_INDEX } from '../../gallery/files.js';
import { parseGalleryTarget } from '../../stores/target.js';
import { annotateImage, openGallery } from '../../gallery/index.js';
import { JsonLinesFile, type ExistingFile, type WatchEvent } from '../../video/events.js';
import { SnapshotWriter } from '../../video/snapshots.js';
import { resolveSource } from '../../video/source.js';
import { watchVideo, type FrameTrack, type WatchStats } from '../../video/watch.js';
import { WebhookSender } from '../../video/webhook.js';
import { VideoWriter, videoOutputFormat } from '../../video/writer.js';
import type { VideoFrame, VideoInfo } from '../../video/reader.js';
import { UsageError, asUsage, intFlag, numberFlag, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { initBackendFromFlags, modelDirFlag, presetFlag, pretrainedFlagOptions } from './pretrained-flags.js';

export const watchUsage = `Usage: facerec watch <source> --gallery <dir> [options]

Follows every face on a video and names it from the gallery. <source> is a video file, a folder of
numbered images, a stream URL (rtsp://, http://...) or a camera (/dev/video0); ffmpeg decodes it (from the
PATH, --ffmpeg, FACEREC_FFMPEG, or the npm package @ffmpeg-installer/ffmpeg). Events are JSON Lines, one
object per line with its kind in "type" (times t in seconds from the start of the source):
  {"type":"track_start","track_id":1,"t":0.12,"box":{"x":..,"y":..,"width":..,"height":..}}
  {"type":"identified","track_id":1,"label":"alice","score":0.95,"t":0.2,"snapshot":"..."}
  {"type":"watchlist","track_id":1,"label":"alice","score":0.95,"t":0.2,"snapshot":"..."}
  {"type":"track_end","track_id":1,"label":"alice","first_t":0.12,"last_t":4.8,"frames":118}
Ctrl-C or SIGTERM stops it cleanly: open tracks end, every event is written and files are closed.

Options:
  --gallery <dir>        the gallery to name faces from (facerec enroll makes one)
  --watchlist <a,b>      labels that raise a "watchlist" event (each must be in the gallery)
  --events <file>        write the events there (default: standard output); an existing file is refused
  --append               add to an existing --events file
  --force                overwrite an existing --events or --annotate file
  --snapshots <dir>      save a face crop per identification (JPEG; --snapshot-format png)
  --annotate <out.mp4>   write the video with boxes and names (.mp4, .mkv, .mov, .webm, .avi)
  --webhook <url>        POST each watchlist event as JSON (retried with backoff); --webhook-all: every event
  --fps <n>              frames per second to process (default: the source's)
  --width <px>           scale frames to this width first
  --min-face <px>        smallest face to look for, in source pixels (default 80)
  --detect-every <n>     look for faces on every n-th frame, tracks follow their motion between (default 2)
  --detection-size <px>  long side of the copy faces are looked for on (default 640)
  --threshold <x>        similarity threshold for a name (default: the gallery's)
  --preset <name>        check that the gallery was built with this preset
  --realtime             read a file at its own frame rate, as a camera would deliver it
  --reconnect <n>        times to reopen a stream or camera that drops (default 5)
  --ffmpeg <path>        the ffmpeg executable
  --quiet                no progress line
  --models <dir>         folder with the model files (default: the installed npm packages)
  --backend <name>       auto | gpu | wasm | cpu (default auto)
  --threads <n>          threads for the wasm backend
`;

/** Seconds a shutdown waits for the webhook to take the last events. */
const WEBHOOK_FLUSH_S = 10;

export async function watchCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    gallery: { type: 'string' }, watchlist: { type: 'string' }, events: { type: 'string' }, append: { type: 'boolean' }, force: { type: 'boolean' },
    snapshots: { type: 'string' }, 'snapshot-format': { type: 'string' }, annotate: { type: 'string' }, webhook: { type: 'string' }, 'webhook-all': { type: 'boolean' },
    fps: { type: 'string' }, width: { type: 'string' }, 'min-face': { type: 'string' }, 'detect-every': { type: 'string' }, 'detection-size': { type: 'string' }, threshold: { type: 'string' },
    preset: { type: 'string' }, realtime: { type: 'boolean' }, reconnect: { type: 'string' }, ffmpeg: { type: 'string' }, quiet: { type: 'boolean' },
    ...pretrainedFlagOptions,
  });
  if (values.help) {
    io.out(watchUsage);
    return 0;
  }
  // Every flag is checked, and every output refused or accepted, before the models load.
  if (positionals.length !== 1) throw new UsageError('watch needs exactly one source (a video file, image folder, stream URL or /dev/videoN)');
  const source = positionals[0]!;
  const galleryDir = values.gallery;
  if (typeof galleryDir !== 'string') throw new UsageError('--gallery <dir> is required');
  if (parseGalleryTarget(galleryDir).kind === 'folder' && !existsSync(path.join(galleryDir, GALLERY_INDEX))) throw new UsageError(`${galleryDir} holds no gallery; make one with "facerec enroll ${galleryDir} <label> <photos...>"`);
  const watchlist = typeof values.watchlist === 'string' ? values.watchlist.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [];
  if (values.append && values.force) throw new UsageError('--append and --force exclude each other');
  const existing: ExistingFile = values.append ? 'append' : values.force ? 'overwrite' : 'refuse';
  const eventsFile = typeof values.events === 'string' ? values.events : undefined;
  if (eventsFile && existing === 'refuse' && existsSync(eventsFile)) throw new UsageError(`--events ${eventsFile} exists; add --append to add to it or --force to overwrite it`);
  const annotateFile = typeof values.annotate === 'string' ? values.annotate : undefined;
  if (annotateFile) {
    asUsage(() => videoOutputFormat(annotateFile));
    if (!values.force && existsSync(annotateFile)) throw new UsageError(`--annotate ${annotateFile} exists; add --force to overwrite it`);
  }
  const snapshotFormat = values['snapshot-format'] ?? 'jpeg';
  if (snapshotFormat !== 'jpeg' && snapshotFormat !== 'jpg' && snapshotFormat !== 'png') throw new UsageError(`--snapshot-format must be jpeg or png, got "${String(snapshotFormat)}"`);
  const fps = numberFlag(values, 'fps', 0.01, 1000);
  const width = intFlag(values, 'width');
  const minFaceSize = intFlag(values, 'min-face', 80)!;
  const detectEvery = intFlag(values, 'detect-every', 2)!;
  const detectionSize = intFlag(values, 'detection-size', 640)!;
  if (detectionSize < 128) throw new UsageError(`--detection-size must be at least 128, got ${detectionSize}`);
  const threshold = numberFlag(values, 'threshold', -1, 1);
  const reconnect = values.reconnect === undefined ? undefined : Number(values.reconnect);
  if (reconnect !== undefined && !(Number.isInteger(reconnect) && reconnect >= 0)) throw new UsageError(`--reconnect must be a whole number ≥ 0, got "${String(values.reconnect)}"`);
  const preset = values.preset !== undefined ? presetFlag(values) : undefined;
  const webhook = typeof values.webhook === 'string' ? asUsage(() => new WebhookSender(values.webhook as string, { onFailure: (e, why) => io.err(`facerec watch: webhook gave up on a ${e.type} event of track ${e.track_id}: ${why}\n`) })) : undefined;
  const ffmpegPath = typeof values.ffmpeg === 'string' ? values.ffmpeg : undefined;
  await resolveSource(source);

  await initBackendFromFlags(values);
  const { gallery, pipeline } = await openGallery(galleryDir, { ...(preset !== undefined ? { preset } : {}), ...modelDirFlag(values) }).catch((error: unknown) => {
    throw error instanceof InvalidArgumentError && error.argument === 'preset' ? new UsageError(error.message) : error;
  });
  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // Repeated signals (a terminal's Ctrl-C can arrive twice through a parent) change nothing: the shutdown is under way.
    if (controller.signal.aborted) return;
    stoppedBy = signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let events: JsonLinesFile | undefined;
  let writer: VideoWriter | undefined;
  const progress = new WatchProgress(io, !values.quiet && process.stderr.isTTY === true);
  try {
    const people = await gallery.labels();
    if (people.length === 0) throw new UsageError(`${galleryDir} holds no people yet; add them with "facerec enroll"`);
    for (const label of watchlist) if (!people.includes(label)) throw new UsageError(`--watchlist: "${label}" is not in the gallery (it has ${people.join(', ')})`);
    events = eventsFile ? new JsonLinesFile(eventsFile, existing) : undefined;
    const snapshots = typeof values.snapshots === 'string' ? new SnapshotWriter(values.snapshots, snapshotFormat === 'png' ? 'png' : 'jpeg') : undefined;
    const onEvent = (event: WatchEvent) => {
      const line = JSON.stringify(event);
      if (events) events.write(event);
      else io.out(`${line}\n`);
      if (webhook && (values['webhook-all'] || event.type === 'watchlist')) webhook.send(event);
      progress.event(event);
    };
    const onFrame = async (frame: VideoFrame, tracks: readonly FrameTrack[]) => {
      if (!annotateFile) return;
      writer ??= await VideoWriter.open(annotateFile, { width: frame.width, height: frame.height, fps: fps ?? 25, ...(ffmpegPath ? { ffmpegPath } : {}), overwrite: Boolean(values.force) });
      const drawn = annotateImage(frame, tracks.map((t) => ({ box: t.box, text: `${t.trackId} ${t.label ?? '...'}`, known: t.label !== undefined && t.label !== UNKNOWN && !t.watched })));
      await writer.write(drawn);
    };
    let stats: WatchStats | undefined;
    let failure: unknown;
    try {
      stats = await watchVideo(source, {
        pipeline, gallery, watchlist, signal: controller.signal,
        ...(threshold !== undefined ? { threshold } : {}),
        video: {
          ...(fps !== undefined ? { fps } : {}), ...(width !== undefined ? { width } : {}), ...(ffmpegPath ? { ffmpegPath } : {}),
          ...(reconnect !== undefined ? { reconnectAttempts: reconnect } : {}), realtime: Boolean(values.realtime),
          onReconnect: (attempt, delay, why) => io.err(`${progress.clear()}facerec watch: ${source} dropped (${why}); reopening in ${(delay / 1000).toFixed(1)} s (attempt ${attempt})\n`),
        },
        detection: { minFaceSize, detectionSize },
        detectEvery,
        onEvent,
        onFrame,
        onProgress: (s, info) => progress.update(s, info),
        ...(snapshots ? { snapshot: (frame: VideoFrame, track: TrackInfo) => snapshots.save(frame, track.box, track.id, track.label ?? UNKNOWN, frame.t) } : {}),
      });
    } catch (error) {
      failure = error;
    }
    // Outputs are finished whatever happened: the events so far stand, the video is closed or removed.
    if (writer) {
      if (failure === undefined) await writer.close();
      else await writer.abort();
    }
    const undelivered = webhook ? await webhook.flush(WEBHOOK_FLUSH_S * 1000) : 0;
    events?.close();
    events = undefined;
    io.err(progress.clear());
    if (failure !== undefined) throw failure;
    io.err(`${summary(stats!, stoppedBy)}${eventsFile ? `; events in ${eventsFile}` : ''}${annotateFile ? `; video in ${annotateFile}` : ''}\n`);
    if (webhook && (undelivered > 0 || webhook.failed > 0)) {
      io.err(`facerec watch: ${webhook.failed} event(s) could not be delivered to ${webhook.url}\n`);
      return 1;
    }
    return 0;
  } finally {
    events?.close();
    // Closed above on the way out; here only when something failed before (abort removes the unfinished file).
    await writer?.abort().catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await gallery.close();
    pipeline.dispose();
  }
}

function summary(stats: WatchStats, stoppedBy: string | undefined): string {
  const how = stoppedBy ? `stopped by ${stoppedBy} after` : 'watched';
  const dropped = stats.dropped > 0 ? `, ${stats.dropped} dropped` : '';
  return `${how} ${stats.frames} frames (${stats.t.toFixed(1)} s of video${dropped}) at ${stats.fps.toFixed(1)} fps: ${stats.tracks} tracks, ${stats.identified} named, ${stats.alerts} watchlist alerts`;
}

/** The progress line on a terminal: frames, fps, tracks and alerts, redrawn at most 4 times a second. */
class WatchProgress {
  private last = 0;
  private drawn = false;
  private readonly alerts: string[] = [];

  constructor(private readonly io: CommandIO, private readonly tty: boolean) {}

  update(stats: WatchStats, info: VideoInfo | undefined): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.last < 250) return;
    this.last = now;
    const size = info ? `${info.width}×${info.height} ` : '';
    const alert = this.alerts.length > 0 ? `  last alert: ${this.alerts[this.alerts.length - 1]}` : '';
    this.io.err(`\r\x1b[2K${size}frame ${stats.frames}  t ${stats.t.toFixed(1)} s  ${stats.fps.toFixed(1)} fps  tracks ${stats.activeTracks} (${stats.tracks})  named ${stats.identified}  alerts ${stats.alerts}${alert}`);
    this.drawn = true;
  }

  event(event: WatchEvent): void {
    if (event.type === 'watchlist') this.alerts.push(`${event.label} at ${event.t.toFixed(1)} s`);
  }

  /** Text that erases the progress line (when one is drawn), to print a message after. */
  clear(): string {
    if (!this.drawn) return '';
    this.drawn = false;
    return '\r\x1b[2K';
  }
}
