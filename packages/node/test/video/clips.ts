// Test videos made with ffmpeg from the repository's LFW face photos: faces on a plain background, moving, entering and leaving.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lfwImage } from '../../../core/test/helpers/datasets.js';

const run = promisify(execFile);

/** One appearance of a face in a clip: a photo (its square scaled to `size`) moving from (x0, y0) at (vx, vy) px/s between `from` and `to` seconds. */
export interface Appearance {
  /** LFW person and image number. */
  readonly person: string;
  readonly image: number;
  readonly from: number;
  readonly to: number;
  readonly x0: number;
  readonly y0: number;
  readonly vx?: number;
  readonly vy?: number;
  /** Side of the photo in the clip, pixels (its face is about 45% of it). Default 160. */
  readonly size?: number;
}

/** A clip to make. */
export interface ClipSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly duration: number;
  readonly appearances: readonly Appearance[];
  /** Container/codec by extension of the output file; default H.264 in whatever the name says. */
}

/**
 * Writes the clip to `file` (H.264, yuv420p). Each appearance is an overlay enabled only in its time range,
 * its position an expression of t, so faces glide in, cross and leave; the ground truth is the spec itself.
 */
export async function makeClip(file: string, spec: ClipSpec): Promise<void> {
  const inputs: string[] = ['-f', 'lavfi', '-i', `color=c=0x4a5a6a:s=${spec.width}x${spec.height}:r=${spec.fps}:d=${spec.duration}`];
  const filters: string[] = [];
  let last = '0:v';
  spec.appearances.forEach((a, i) => {
    inputs.push('-loop', '1', '-framerate', String(spec.fps), '-i', lfwImage(a.person, a.image));
    const size = a.size ?? 160;
    filters.push(`[${i + 1}:v]scale=${size}:${size},format=yuv420p[p${i}]`);
    const x = `${a.x0}+${a.vx ?? 0}*(t-${a.from})`;
    const y = `${a.y0}+${a.vy ?? 0}*(t-${a.from})`;
    filters.push(`[${last}][p${i}]overlay=x='${x}':y='${y}':enable='between(t,${a.from},${a.to})':eval=frame[v${i}]`);
    last = `v${i}`;
  });
  const args = ['-hide_banner', '-loglevel', 'error', '-y', ...inputs];
  if (filters.length > 0) args.push('-filter_complex', filters.join(';'), '-map', `[${last}]`);
  args.push('-t', String(spec.duration), '-r', String(spec.fps), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(spec.fps), '-pix_fmt', 'yuv420p', file);
  await run('ffmpeg', args);
}

/** Cuts the last part of a file off (a download that stopped). */
export async function truncateFile(from: string, to: string, keep: number): Promise<void> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const bytes = await readFile(from);
  await writeFile(to, bytes.subarray(0, Math.floor(bytes.length * keep)));
}
