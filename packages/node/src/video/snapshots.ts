// Face snapshots of a watched video: a crop around the face saved as JPEG or PNG, never over an existing file.
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { FacerecError, type Box, type RawImage } from '@facerec/core';
import { encodePng } from '../image/index.js';
import { errorReason } from '../io/atomic.js';
import { tempSiblingPath } from '../io/leftovers.js';

/** Image formats of snapshots. */
export type SnapshotFormat = 'jpeg' | 'png';

/** The crop is this many face sides wide: the face and some of its surroundings. */
const CROP_SIDES = 2;
const JPEG_QUALITY = 90;

/**
 * Saves face crops into a folder. File names carry the run's start time, the track, its label and the time in
 * the video (`20261201-120000-track3-alice-12.48s.jpg`), so runs never collide; an existing file is never
 * replaced (the crop is written beside it under a temp name and linked into place, which fails if the name is taken).
 */
export class SnapshotWriter {
  private readonly run: string;
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string, readonly format: SnapshotFormat = 'jpeg', now = new Date()) {
    this.run = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  }

  /** Crops `box` (with margin) from `frame`, writes it, and returns the file's path. */
  async save(frame: RawImage, box: Box, trackId: number, label: string, t: number): Promise<string> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    const crop = cropAround(frame, box);
    const safeLabel = label.replace(/[^\p{L}\p{N}_.-]+/gu, '_').slice(0, 60);
    const file = path.join(this.dir, `${this.run}-track${trackId}-${safeLabel}-${t.toFixed(2)}s.${this.format === 'png' ? 'png' : 'jpg'}`);
    const temp = tempSiblingPath(file, 'tmp');
    try {
      await writeFile(temp, this.format === 'png' ? encodePng(crop) : jpeg(crop), { flag: 'wx' });
      await link(temp, file);
      return file;
    } catch (error) {
      throw new FacerecError(`Cannot write snapshot ${file} (${errorReason(error)})`, { cause: error });
    } finally {
      await rm(temp, { force: true });
    }
  }
}

/** A square of CROP_SIDES face sides around `box`, clipped to the frame, as an RGB copy. */
function cropAround(frame: RawImage, box: Box): RawImage {
  const side = Math.max(box.width, box.height) * CROP_SIDES;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const x0 = Math.max(0, Math.floor(cx - side / 2)), y0 = Math.max(0, Math.floor(cy - side / 2));
  const x1 = Math.min(frame.width, Math.ceil(cx + side / 2)), y1 = Math.min(frame.height, Math.ceil(cy + side / 2));
  const width = Math.max(1, x1 - x0), height = Math.max(1, y1 - y0);
  const c = frame.channels;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = ((y0 + y) * frame.width + x0 + x) * c;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) out[o + k] = frame.data[s + (c === 1 ? 0 : k)]!;
    }
  }
  return { data: out, width, height, channels: 3 };
}

function jpeg(image: RawImage): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba[p * 4] = image.data[p * 3]!;
    rgba[p * 4 + 1] = image.data[p * 3 + 1]!;
    rgba[p * 4 + 2] = image.data[p * 3 + 2]!;
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(encodeJpeg({ data: rgba, width: image.width, height: image.height }, JPEG_QUALITY).data);
}
