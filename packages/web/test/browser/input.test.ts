// Every browser image source becomes the same float32 RGB tensor; unloaded and empty sources fail clearly.
import * as tf from '@tensorflow/tfjs-core';
import { browserImageToTensor, initBackend, InvalidImageError, InvalidArgumentError, readPixels, sourceSize, toGrayscale, toImageData } from '@facerec/web';
import { beforeAll, describe, expect, test } from 'vitest';

// 6×4 RGBA pattern with distinct values per pixel and channel (opaque: canvases premultiply alpha).
const W = 6;
const H = 4;
function pattern(): ImageData {
  const image = new ImageData(W, H);
  for (let p = 0; p < W * H; p++) {
    image.data[p * 4] = p * 10;
    image.data[p * 4 + 1] = 255 - p * 7;
    image.data[p * 4 + 2] = (p * 37) % 256;
    image.data[p * 4 + 3] = 255;
  }
  return image;
}

function expectedRgb(image: ImageData, box = { x: 0, y: 0, width: W, height: H }): number[] {
  const out: number[] = [];
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) for (let c = 0; c < 3; c++) out.push(image.data[(y * W + x) * 4 + c]!);
  }
  return out;
}

function patternCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  canvas.getContext('2d')!.putImageData(pattern(), 0, 0);
  return canvas;
}

async function patternImage(): Promise<HTMLImageElement> {
  const blob = await new Promise<Blob>((resolve) => patternCanvas().toBlob((b) => resolve(b!), 'image/png'));
  const img = new Image();
  img.src = URL.createObjectURL(blob);
  await img.decode();
  return img;
}

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('browserImageToTensor', () => {
  const sources: Array<[string, () => Promise<Parameters<typeof browserImageToTensor>[0]>]> = [
    ['ImageData', async () => pattern()],
    ['HTMLCanvasElement', async () => patternCanvas()],
    ['OffscreenCanvas', async () => {
      const c = new OffscreenCanvas(W, H);
      c.getContext('2d')!.putImageData(pattern(), 0, 0);
      return c;
    }],
    ['ImageBitmap', async () => createImageBitmap(pattern())],
    ['HTMLImageElement', patternImage],
  ];

  test.each(sources)('%s gives exact float32 RGB pixels', async (_name, make) => {
    const t = browserImageToTensor(await make());
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([H, W, 3]);
    expect(await values(t)).toEqual(expectedRgb(pattern()));
  });

  test.each(sources)('%s cut to a box (clipped to the image)', async (_name, make) => {
    const t = browserImageToTensor(await make(), { box: { x: 2, y: 1, width: 10, height: 2 } });
    expect(t.shape).toEqual([2, 4, 3]);
    expect(await values(t)).toEqual(expectedRgb(pattern(), { x: 2, y: 1, width: 4, height: 2 }));
  });

  test('channels: 1 converts to gray on the CPU exactly as toGrayscale does', async () => {
    const gray = browserImageToTensor(pattern(), { channels: 1 });
    expect(gray.shape).toEqual([H, W, 1]);
    const rgb = browserImageToTensor(pattern());
    const expected = toGrayscale(rgb);
    const [a, b] = [await values(gray), await values(expected)];
    rgb.dispose();
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-4));
  });

  test('toImageData shows a gray RawImage as opaque RGBA', () => {
    const image = toImageData({ data: new Uint8Array([0, 100, 200, 255]), width: 2, height: 2, channels: 1 });
    expect(Array.from(image.data.slice(4, 8))).toEqual([100, 100, 100, 255]);
  });

  test('a playing video gives its current frame', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = 'rgb(200, 40, 90)';
    ctx.fillRect(0, 0, 64, 48);
    const stream = canvas.captureStream(30);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    const painting = setInterval(() => ctx.fillRect(0, 0, 64, 48), 20);
    try {
      await video.play();
      await new Promise<void>((resolve) => (video.readyState >= 2 ? resolve() : video.addEventListener('loadeddata', () => resolve(), { once: true })));
      expect(sourceSize(video)).toEqual({ width: 64, height: 48 });
      const v = await values(browserImageToTensor(video, { box: { x: 20, y: 10, width: 8, height: 8 } }));
      expect(v.length).toBe(8 * 8 * 3);
      // Video goes through YUV: allow a few levels of rounding.
      expect(Math.abs(v[0]! - 200)).toBeLessThan(6);
      expect(Math.abs(v[1]! - 40)).toBeLessThan(6);
      expect(Math.abs(v[2]! - 90)).toBeLessThan(6);
    } finally {
      clearInterval(painting);
      video.pause();
      stream.getTracks().forEach((t) => t.stop());
    }
  });
});

describe('unusable sources', () => {
  test('an <img> still loading', () => {
    const img = new Image();
    img.src = '/never-served.png?' + Math.random();
    expect(() => browserImageToTensor(img, { source: 'photo' })).toThrow(InvalidImageError);
    expect(() => browserImageToTensor(img, { source: 'photo' })).toThrow(/photo.*not finished loading/);
  });

  test('an <img> that failed to load, or has no src', async () => {
    const img = new Image();
    const failed = new Promise((resolve) => (img.onerror = resolve));
    img.src = 'data:image/png;base64,AAAA';
    await failed;
    expect(() => readPixels(img)).toThrow(/failed to load or has no pixels/);
    expect(() => readPixels(new Image())).toThrow(InvalidImageError);
  });

  test('a video without a frame (zero-size)', () => {
    const video = document.createElement('video');
    expect(() => browserImageToTensor(video, { source: 'camera' })).toThrow(/camera.*<video> has no frame yet/);
  });

  test('an empty canvas, a closed ImageBitmap, an unsupported value', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 0;
    expect(() => readPixels(canvas)).toThrow(/canvas is empty/);
    const bitmap = await createImageBitmap(pattern());
    bitmap.close();
    expect(() => readPixels(bitmap)).toThrow(/ImageBitmap/);
    expect(() => readPixels({ width: 2, height: 2 } as unknown as ImageData)).toThrow(/unsupported source Object/);
  });

  test('a box outside the image', () => {
    expect(() => readPixels(pattern(), { box: { x: 10, y: 10, width: 5, height: 5 } })).toThrow(InvalidArgumentError);
    expect(() => readPixels(pattern(), { box: { x: Number.NaN, y: 0, width: 5, height: 5 } })).toThrow(/box\.x/);
  });
});
