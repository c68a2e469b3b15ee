// openVideo: frames from a file, an image folder and a local HTTP live stream through ffmpeg; options, reconnection, truncated files, early stop.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, FfmpegNotFoundError, InvalidArgumentError, openVideo, VideoSourceError, type VideoFrame } from '@facerec/node';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { truncateFile } from './clips.js';
import { ffmpegChildren, freePort, serveLive } from './streams.js';

const run = promisify(execFile);
let dir = '';
let clip = '';

/** A 3 s, 10 fps, 160×120 test pattern (its frame counter moves every frame). */
async function testPattern(file: string, seconds = 3): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=10:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', file]);
}

async function collect(frames: AsyncIterable<VideoFrame>, limit = Infinity): Promise<Array<{ index: number; t: number; width: number; height: number; first: number; buffer: ArrayBufferLike }>> {
  const out = [];
  for await (const f of frames) {
    out.push({ index: f.index, t: f.t, width: f.width, height: f.height, first: f.data[0]!, buffer: f.data.buffer });
    if (out.length >= limit) break;
  }
  return out;
}

beforeAll(async () => {
  dir = await makeTempDir('facerec-video-');
  clip = path.join(dir, 'pattern.mkv');
  await testPattern(clip);
});
afterAll(removeTempDirs);

describe('openVideo on files', () => {
  it('gives every frame of a file with its index, time and size, in a few reused buffers', async () => {
    const reader = openVideo(clip);
    const frames = await collect(reader);
    expect(frames).toHaveLength(30);
    expect(frames.map((f) => f.index)).toEqual([...Array(30).keys()]);
    frames.forEach((f, i) => expect(f.t).toBeCloseTo(i / 10, 9));
    expect(frames.every((f) => f.width === 160 && f.height === 120)).toBe(true);
    expect(reader.info).toMatchObject({ kind: 'file', width: 160, height: 120, fps: 10, live: false });
    // Frames are copied into a small pool of preallocated buffers (queue 2 + 2), not a new buffer per frame.
    expect(new Set(frames.map((f) => f.buffer)).size).toBeLessThanOrEqual(4);
  });

  it('resamples the frame rate and scales the frames when asked', async () => {
    const frames = await collect(openVideo(clip, { fps: 5, width: 80 }));
    expect(frames).toHaveLength(15);
    expect(frames[1]!.t).toBeCloseTo(0.2, 9);
    expect(frames[0]).toMatchObject({ width: 80, height: 60 });
  });

  it('stops ffmpeg when the consumer leaves early', async () => {
    const long = path.join(dir, 'long.mkv');
    await testPattern(long, 30);
    const frames = await collect(openVideo(long), 3);
    expect(frames).toHaveLength(3);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('gives the frames of a truncated file, then a VideoSourceError naming it', async () => {
    const cut = path.join(dir, 'cut.mkv');
    await truncateFile(clip, cut, 0.5);
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const f of openVideo(cut)) seen.push(f.index);
    } catch (e) {
      error = e;
    }
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.length).toBeLessThan(30);
    expect(error).toBeInstanceOf(VideoSourceError);
    expect((error as VideoSourceError).source).toBe(cut);
    expect((error as VideoSourceError).frames).toBe(seen.length);
    expect(String(error)).toMatch(/cut\.mkv: is corrupt or truncated.*after \d+ frames/);
  });

  it('refuses a missing file, a file that is no video, and bad options', async () => {
    await expect(collect(openVideo(path.join(dir, 'nope.mp4')))).rejects.toThrow(/nope\.mp4: cannot be opened/);
    const text = path.join(dir, 'notes.mp4');
    await writeFile(text, 'not a video\n');
    await expect(collect(openVideo(text))).rejects.toThrow(VideoSourceError);
    expect(() => openVideo(clip, { fps: 0 })).toThrow(InvalidArgumentError);
    expect(() => openVideo(clip, { width: 10.5 })).toThrow(/width/);
  });

  it('says how to get ffmpeg when it cannot be found', async () => {
    await expect(collect(openVideo(clip, { ffmpegPath: path.join(dir, 'no-ffmpeg') }))).rejects.toThrow(FfmpegNotFoundError);
    await expect(collect(openVideo(clip, { ffmpegPath: path.join(dir, 'no-ffmpeg') }))).rejects.toThrow(/apt-get install ffmpeg.*@ffmpeg-installer\/ffmpeg/);
  });
});

describe('openVideo on image folders', () => {
  it('reads numbered images in natural order (1, 2, 10) at the folder frame rate', async () => {
    const folder = path.join(dir, 'images');
    await mkdir(folder);
    // Each image a solid grey level that says its number; 10 sorts after 2 only in natural order.
    for (const n of [1, 2, 3, 10]) {
      const data = new Uint8Array(32 * 24 * 3).fill(n * 20);
      await writeFile(path.join(folder, `frame${n}.png`), encodePng({ data, width: 32, height: 24, channels: 3 }));
    }
    const frames = await collect(openVideo(folder, { folderFps: 4 }));
    expect(frames.map((f) => f.first)).toEqual([20, 40, 60, 200]);
    expect(frames.map((f) => f.t)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(frames[0]).toMatchObject({ width: 32, height: 24 });
  });

  it('refuses an empty folder and one that mixes formats', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    await expect(collect(openVideo(empty))).rejects.toThrow(/no images/);
    const mixed = path.join(dir, 'mixed');
    await mkdir(mixed);
    const image = encodePng({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 });
    await writeFile(path.join(mixed, '1.png'), image);
    await writeFile(path.join(mixed, '2.bmp'), image);
    await expect(collect(openVideo(mixed))).rejects.toThrow(/mixes image formats/);
  });
});

describe('openVideo on a live HTTP stream', () => {
  it('reads a stream served by ffmpeg, reopens it when it drops and comes back, and gives up after the attempts', async () => {
    const port = await freePort();
    const short = path.join(dir, 'short.mkv');
    await testPattern(short, 1.5);
    const first = serveLive(short, port);
    let second: ReturnType<typeof serveLive> | undefined;
    let secondStarted: Promise<void> | undefined;
    const reasons: string[] = [];
    const reader = openVideo(first.url, {
      reconnectAttempts: 4,
      reconnectDelayMs: 200,
      onReconnect: (attempt, _delay, why) => {
        reasons.push(why);
        // The server comes back once (as soon as the first one has let go of the port) while the reader retries.
        secondStarted ??= first.done.then(() => void (second = serveLive(short, port)));
      },
    });
    const seen: VideoFrame['t'][] = [];
    let error: unknown;
    try {
      for await (const f of reader) seen.push(f.t);
    } catch (e) {
      error = e;
    }
    await secondStarted;
    await second?.done;
    expect(reader.info).toMatchObject({ kind: 'stream', live: true, width: 160, height: 120 });
    // Two servings of 15 frames (a frame or two may be lost at each end of a live stream).
    expect(seen.length).toBeGreaterThanOrEqual(24);
    expect(seen.length).toBeLessThanOrEqual(32);
    // Times keep increasing across the reconnection.
    expect(seen.every((t, i) => i === 0 || t > seen[i - 1]!)).toBe(true);
    // At least: the drop that came back, and the 4 attempts after the second drop.
    expect(reader.reconnects).toBeGreaterThanOrEqual(5);
    expect(reasons.length).toBe(reader.reconnects);
    expect(error).toBeInstanceOf(VideoSourceError);
    expect(String(error)).toMatch(/live\.ts: lost, and not back after 4 attempts/);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('drops the oldest frames of a live stream when the consumer is slower, and keeps every frame of a file', async () => {
    const short = path.join(dir, 'slow.mkv');
    await testPattern(short, 2);
    const server = serveLive(short, await freePort());
    try {
      const reader = openVideo(server.url, { reconnectAttempts: 2, reconnectDelayMs: 150 });
      let delivered = 0;
      try {
        for await (const _ of reader) {
          delivered++;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } catch (error) {
        expect(error).toBeInstanceOf(VideoSourceError);
      }
      expect(reader.dropped).toBeGreaterThan(0);
      expect(delivered + reader.dropped).toBeGreaterThanOrEqual(18);
      await server.done;
    } finally {
      server.child.kill('SIGKILL');
    }
    const file = openVideo(short);
    let frames = 0;
    for await (const _ of file) {
      frames++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(frames).toBe(20);
    expect(file.dropped).toBe(0);
  });
});
