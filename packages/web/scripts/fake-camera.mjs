// Writes the Y4M file Chromium's fake camera plays in the camera tests: real face photos from fixtures/, moving about.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's LFW fixtures (250×250 gray JPEGs). */
export const LFW_DIR = fileURLToPath(new URL('../../../fixtures/lfw/images', import.meta.url)).replace(/\/$/, '');

/** The fake camera's frame size and rate. */
export const CAMERA = { width: 640, height: 480, fps: 15, frames: 30 };

/**
 * The people the camera shows, side by side, each photo moving on a small loop (it is still a photo): the test
 * enrols `enrolled` from its other photos; `stranger` is enrolled nowhere.
 */
export const CAMERA_SCENE = {
  enrolled: { name: 'Abel_Pacheco', shown: 'Abel_Pacheco_0001.jpg', enrolFrom: ['Abel_Pacheco_0002.jpg', 'Abel_Pacheco_0004.jpg'] },
  stranger: { name: 'Akhmed_Zakayev', shown: 'Akhmed_Zakayev_0001.jpg' },
  /** Tile side in the frame (the 250-pixel photos scaled), and their top-left corners at rest. */
  tile: 280,
  at: [{ x: 20, y: 100 }, { x: 340, y: 100 }],
};

/** Gray photo → `side × side` luma bytes (sharp, a root dev dependency, decodes and scales). */
async function lumaTile(file, side) {
  const { default: sharp } = await import('sharp');
  return sharp(file).grayscale().resize(side, side).raw().toBuffer();
}

/**
 * Writes the Y4M (4:2:0, gray: chroma 128) once per content into the temp folder and returns its path:
 * `CAMERA.frames` frames in which both photos drift a few pixels on a closed loop (the file loops seamlessly).
 */
export async function writeFakeCamera() {
  const { width, height, fps, frames } = CAMERA;
  const scene = CAMERA_SCENE;
  const key = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'facerec-fake-camera');
  const path = join(dir, `faces-${key}.y4m`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const tiles = await Promise.all([scene.enrolled, scene.stranger].map((p) => lumaTile(join(LFW_DIR, p.name, p.shown), scene.tile)));
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const parts = [header];
  for (let f = 0; f < frames; f++) {
    const luma = Buffer.alloc(width * height, 100);
    const phase = (2 * Math.PI * f) / frames;
    tiles.forEach((tile, k) => {
      const ox = Math.round(scene.at[k].x + 12 * Math.sin(phase + k));
      const oy = Math.round(scene.at[k].y + 8 * Math.cos(phase + k));
      for (let y = 0; y < scene.tile; y++) {
        const row = oy + y;
        if (row < 0 || row >= height) continue;
        for (let x = 0; x < scene.tile; x++) {
          const col = ox + x;
          if (col >= 0 && col < width) luma[row * width + col] = tile[y * scene.tile + x];
        }
      }
    });
    parts.push(Buffer.from('FRAME\n'), luma, chroma);
  }
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, Buffer.concat(parts));
  renameSync(temp, path);
  return path;
}
