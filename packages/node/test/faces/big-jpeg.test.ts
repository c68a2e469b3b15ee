// A big JPEG goes through the bounded path: decoded shrunk for detection, faces cut from the full photo, same faces as the full decode.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cosineSimilarity, decodeImageAsync, FacePipeline, initBackend, InvalidImageError, iou, isScalableImage, loadFacePipeline, openImageBytes, readImage,
  type Box, type PixelRect, type RawImage, type ScalableImage,
} from '@facerec/node';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

const orl = fileURLToPath(new URL('../../../../examples/data/orl', import.meta.url));

/** Pastes gray `face` blown up by `zoom` (nearest neighbour) into an RGB photo of width `W` at (x, y); returns where. */
function paste(photo: Uint8Array, W: number, face: RawImage, zoom: number, x: number, y: number): Box {
  const w = Math.round(face.width * zoom), h = Math.round(face.height * zoom);
  for (let j = 0; j < h; j++) {
    const sy = Math.min(face.height - 1, Math.floor(j / zoom));
    for (let i = 0; i < w; i++) {
      const v = face.data[sy * face.width + Math.min(face.width - 1, Math.floor(i / zoom))]!;
      photo.fill(v, ((y + j) * W + x + i) * 3, ((y + j) * W + x + i) * 3 + 3);
    }
  }
  return { x, y, width: w, height: h };
}

/** Records every call the pipeline makes on `image`. */
function spy(image: ScalableImage): { image: ScalableImage; resized: Array<[number, number]>; regions: Array<{ rect: PixelRect; w: number; h: number }> } {
  const calls = { resized: [] as Array<[number, number]>, regions: [] as Array<{ rect: PixelRect; w: number; h: number }> };
  return {
    ...calls,
    image: {
      ...image,
      resized: (w, h) => (calls.resized.push([w, h]), image.resized(w, h)),
      region: (rect, w, h) => (calls.regions.push({ rect, w, h }), image.region(rect, w, h)),
    },
  };
}

describe('a 6000×4000 JPEG opened with openImageBytes', () => {
  const W = 6000, H = 4000;
  let pipeline: FacePipeline;
  let jpeg: Uint8Array;
  let near: Box, far: Box;

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipeline();
    const data = new Uint8Array(W * H * 3).fill(120);
    // A close portrait (face ~800 px) and a person further back (face ~300 px), as phone photos have.
    near = paste(data, W, await readImage(path.join(orl, 's1', '1.pgm')), 11, 3200, 900);
    far = paste(data, W, await readImage(path.join(orl, 's2', '1.pgm')), 4, 800, 2400);
    jpeg = new Uint8Array(await sharp(data, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }, 60_000);
  afterAll(() => pipeline?.dispose());
  expectNoLeakPerTest();

  it('is decoded only at the detection size and per face region, and finds the faces the full decode finds', async () => {
    const opened = await openImageBytes(jpeg, 'big.jpg');
    expect(isScalableImage(opened)).toBe(true);
    const image = opened as ScalableImage;
    expect([image.width, image.height, image.channels]).toEqual([W, H, 3]);

    const calls = spy(image);
    const faces = await pipeline.embedFaces(calls.image);
    // One whole copy, at the detection size (1280 px), never the full photo; regions of at most 1024 px.
    expect(calls.resized).toEqual([[1280, 853]]);
    expect(calls.regions.length).toBe(2);
    for (const r of calls.regions) expect(Math.max(r.w, r.h)).toBeLessThanOrEqual(1024);

    // The same photo decoded whole (the path without sharp's lazy reads) gives the same faces and embeddings.
    const whole = await pipeline.embedFaces(await decodeImageAsync(jpeg, 'big.jpg'));
    expect(faces).toHaveLength(2);
    expect(whole).toHaveLength(2);
    for (const box of [near, far]) {
      const lazy = faces.find((f) => iou(f.box, box) > 0.3);
      const full = whole.find((f) => iou(f.box, box) > 0.3);
      expect(lazy).toBeDefined();
      expect(full).toBeDefined();
      expect(iou(lazy!.box, full!.box)).toBeGreaterThan(0.9);
      expect(cosineSimilarity(lazy!.embedding, full!.embedding)).toBeGreaterThan(0.97);
    }
  }, 120_000);

  it('keeps the size limits: an over-limit header is refused before anything is decoded', async () => {
    const error = await openImageBytes(jpeg, 'big.jpg', { maxResolutionInMP: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidImageError);
    expect((error as Error).message).toContain('big.jpg');
    // The JS decoder has no lazy path: the photo comes back decoded whole.
    const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 9, g: 99, b: 199 } } }).jpeg().toBuffer();
    expect(isScalableImage(await openImageBytes(new Uint8Array(small), 'small.jpg', { wholeUpTo: 32, decoder: 'js' }))).toBe(false);
    // Small photos are decoded whole by sharp too.
    expect(isScalableImage(await openImageBytes(new Uint8Array(small), 'small.jpg'))).toBe(false);
  });
});

describe('a ScalableImage from sharp', () => {
  /** 1200×900 colour gradient photo stored rotated, with EXIF orientation 6: viewers (and sharp) turn it upright. */
  async function rotatedJpeg(): Promise<{ bytes: Uint8Array; upright: RawImage }> {
    const width = 1200, height = 900;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data.set([Math.floor((x * 255) / width), Math.floor((y * 255) / height), 128], (y * width + x) * 3);
    }
    const upright: RawImage = { data, width, height, channels: 3 };
    const stored = await sharp(data, { raw: { width, height, channels: 3 } }).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    return { bytes: new Uint8Array(stored), upright };
  }

  it('applies EXIF orientation and gives the whole copy and regions where the upright photo has them', async () => {
    const { bytes, upright } = await rotatedJpeg();
    const image = (await openImageBytes(bytes, 'turned.jpg', { wholeUpTo: 100 })) as ScalableImage;
    expect([image.width, image.height]).toEqual([1200, 900]);
    const sample = (img: RawImage, x: number, y: number) => [...img.data.slice((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)].map(Math.round);
    const expectNear = (got: number[], want: number[]) => got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(8));

    const rect = { x: 800, y: 100, width: 200, height: 400 };
    const expectRegion = async (w: number, h: number) => {
      const region = await image.region(rect, w, h);
      expect([region.width, region.height]).toEqual([w, h]);
      expectNear(sample(region, w / 2, h / 2), sample(upright, 900, 300));
    };
    // A region at full resolution (cut while decoding), one shrunk 4× (the photo decoded shrunk, then cut)...
    await expectRegion(200, 400);
    await expectRegion(50, 100);
    const copy = await image.resized(300, 225);
    expect([copy.width, copy.height, copy.channels]).toEqual([300, 225, 3]);
    expectNear(sample(copy, 150, 200), sample(upright, 602, 802));
    // ... and one no finer than the whole copy, cut from it.
    await expectRegion(20, 40);
    await expect(image.region({ x: 1100, y: 0, width: 200, height: 10 }, 10, 10)).rejects.toThrow(/rect/);
    await expect(image.resized(1300, 900)).rejects.toThrow(/size/);
  });

  it('names the file when the data behind a good header is broken', async () => {
    const { bytes } = await rotatedJpeg();
    const cut = bytes.slice(0, Math.floor(bytes.length / 2));
    const opened = openImageBytes(cut, 'cut.jpg', { wholeUpTo: 100 }).then((image) => (image as ScalableImage).resized(300, 225));
    const error = await opened.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidImageError);
    expect((error as Error).message).toContain('cut.jpg');
  });
});
