// `facerec watch` from the command line: every output on one run (events file, snapshots, annotated video, webhook with retries), usage errors, and a clean SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadFacePipeline, openVideo, readImage, saveGallery, type WatchEvent } from '@facerec/node';
import { runCapture } from '../fixtures/cli.js';
import { repoRoot } from '../fixtures/processes.js';
import { makeTempDir, removeTempDirs } from '../fixtures/temp.js';
import { expectEventsMatchScene, MAIN_CLIP, makeClip, makeGallery, WATCHED } from './scene.js';

let dir = '';
let galleryDir = '';
let clip = '';

beforeAll(async () => {
  await initBackend('wasm');
  dir = await makeTempDir('facerec-cli-watch-');
  galleryDir = path.join(dir, 'gallery');
  clip = path.join(dir, 'clip.mp4');
  const pipeline = await loadFacePipeline({ preset: 'fast' });
  try {
    const [gallery] = await Promise.all([makeGallery(pipeline), makeClip(clip, MAIN_CLIP)]);
    await saveGallery(gallery, galleryDir);
    gallery.dispose();
  } finally {
    pipeline.dispose();
  }
});
afterAll(removeTempDirs);

function parseLines(text: string): WatchEvent[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as WatchEvent);
}

/** A webhook receiver on 127.0.0.1 that answers 503 to the first try of every event, then 200. */
async function flakyReceiver(): Promise<{ server: Server; url: string; tries: Map<string, number>; bodies: Map<string, WatchEvent> }> {
  const tries = new Map<string, number>();
  const bodies = new Map<string, WatchEvent>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const n = (tries.get(key) ?? 0) + 1;
      tries.set(key, n);
      if (n === 1) {
        res.writeHead(503).end();
        return;
      }
      bodies.set(key, JSON.parse(body) as WatchEvent);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/alerts`, tries, bodies };
}

describe('facerec watch', () => {
  it('writes events, snapshots and an annotated video, and posts each watchlist alert once (after a retry)', async () => {
    const receiver = await flakyReceiver();
    const events = path.join(dir, 'events.jsonl');
    const snapshots = path.join(dir, 'snaps');
    const annotated = path.join(dir, 'annotated.mp4');
    const before = tf.memory().numTensors;
    try {
      const { code, err } = await runCapture(
        'watch', clip, '--gallery', galleryDir, '--watchlist', WATCHED, '--events', events, '--snapshots', snapshots,
        '--annotate', annotated, '--webhook', receiver.url, '--min-face', '40', '--detect-every', '1', '--backend', 'wasm',
      );
      expect(err).toMatch(/watched 56 frames \(6\.9 s of video\).*4 tracks, 3 named, 2 watchlist alerts/);
      expect(code).toBe(0);
    } finally {
      receiver.server.close();
    }
    expect(tf.memory().numTensors).toBe(before);
    const written = parseLines(await readFile(events, 'utf8'));
    expectEventsMatchScene(written, MAIN_CLIP, [WATCHED]);
    // Every alert reached the receiver once (its retries carry the same key), in order, as written to the file.
    const alerts = written.filter((e) => e.type === 'watchlist');
    expect([...receiver.bodies.values()]).toEqual(alerts);
    expect([...receiver.tries.values()]).toEqual(alerts.map(() => 2));
    // A snapshot per identification, a real JPEG of the face.
    const identified = written.filter((e) => e.type === 'identified');
    for (const e of identified) {
      expect(e.snapshot).toBeDefined();
      const image = await readImage(e.snapshot!);
      expect(image.width).toBeGreaterThan(60);
    }
    // The annotated video has every frame, at the source's size.
    let frames = 0;
    for await (const f of openVideo(annotated)) {
      expect(f.width).toBe(MAIN_CLIP.width);
      frames++;
    }
    expect(frames).toBe(MAIN_CLIP.fps * MAIN_CLIP.duration);
  });

  it('refuses bad calls before loading any model: exit 2 for usage, 1 for a source that is not there', async () => {
    const existing = path.join(dir, 'existing.jsonl');
    await writeFile(existing, 'not ours\n');
    expect((await runCapture('watch', clip)).code).toBe(2);
    const refused = await runCapture('watch', clip, '--gallery', galleryDir, '--events', existing);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/existing\.jsonl exists; add --append .* or --force/);
    expect(await readFile(existing, 'utf8')).toBe('not ours\n');
    expect((await runCapture('watch', clip, '--gallery', path.join(dir, 'no-gallery'))).err).toMatch(/holds no gallery/);
    expect((await runCapture('watch', clip, '--gallery', galleryDir, '--annotate', path.join(dir, 'out.gif'))).code).toBe(2);
    expect((await runCapture('watch', clip, '--gallery', galleryDir, '--webhook', 'ftp://x')).code).toBe(2);
    const missing = await runCapture('watch', path.join(dir, 'missing.mp4'), '--gallery', galleryDir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/missing\.mp4: cannot be opened/);
  });

  it('stops cleanly on SIGTERM: every started track ended in the events file, exit code 0', async () => {
    const bin = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const events = path.join(dir, 'sigterm.jsonl');
    // --realtime: the file plays at its own pace, as a camera would, so the signal lands mid-run.
    const child = spawn(process.execPath, [bin, 'watch', clip, '--gallery', galleryDir, '--events', events, '--realtime', '--min-face', '40', '--backend', 'wasm'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Signal once the second track has started (a little over a second into the clip).
    for (let i = 0; i < 600; i++) {
      const text = existsSync(events) ? await readFile(events, 'utf8') : '';
      if ((text.match(/track_start/g) ?? []).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toMatch(/stopped by SIGTERM after \d+ frames/);
    const written = parseLines(await readFile(events, 'utf8'));
    const started = written.filter((e) => e.type === 'track_start').map((e) => e.track_id);
    const ended = written.filter((e) => e.type === 'track_end').map((e) => e.track_id);
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(ended.sort()).toEqual(started.sort());
    // Stopped well before the end of the 7 s clip.
    expect(Math.max(...written.map((e) => (e.type === 'track_end' ? e.last_t : 0)))).toBeLessThan(6);
  });
});
