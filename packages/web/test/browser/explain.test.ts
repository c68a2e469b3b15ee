// Match explanations in the browser: every method on the default and faceres embedders, and the canvas overlay.
import * as tf from '@tensorflow/tfjs-core';
import { decodeImageFile, drawExplanation, drawHeatMap, explainMatch, initBackend, loadFacePipelineFromUrl, type FacePipeline, type RawImage } from '@facerec/web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

async function lfw(person: string, n: number): Promise<RawImage> {
  const file = `${person}_${String(n).padStart(4, '0')}.jpg`;
  const response = await fetch(`${__FACEREC_LFW_URL__}/${person}/${file}`);
  return decodeImageFile(new File([await response.blob()], file));
}

describe('drawHeatMap', () => {
  test('blends the map over the canvas: red on the hot cell, blue on the cold one, the face still showing', () => {
    const canvas = new OffscreenCanvas(40, 40);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = 'rgb(128, 128, 128)';
    ctx.fillRect(0, 0, 40, 40);
    drawHeatMap(ctx, { rows: 2, cols: 2, values: Float32Array.of(1, 0, 0, 0) });
    const hot = ctx.getImageData(2, 2, 1, 1).data, cold = ctx.getImageData(37, 37, 1, 1).data;
    expect(hot[0]!).toBeGreaterThan(hot[2]! + 50);
    expect(cold[2]!).toBeGreaterThan(cold[0]!);
    // Blended, not replaced: the grey still shows through the faint cold cell.
    expect(Math.abs(cold[1]! - 128)).toBeLessThan(60);
  });
});

describe.each(['default', 'faceres'] as const)('explainMatch in the browser (%s)', (preset) => {
  let pipeline: FacePipeline;
  let a: RawImage, b: RawImage;

  beforeAll(async () => {
    await initBackend('wasm');
    pipeline = await loadFacePipelineFromUrl({ preset, modelUrl: __FACEREC_MODEL_URLS__ });
    [a, b] = await Promise.all([lfw('Abel_Pacheco', 1), lfw('Abel_Pacheco', 2)]);
    // Warm-up with the embedder's default method: dlib keeps the filters of its backward pass from the first gradient explanation on.
    await explainMatch(pipeline, a, b);
    // dlib's default works from conv64_2 on: the pixel methods' filters for the layers before it come with their first use.
    if (preset === 'default') await explainMatch(pipeline, a, b, { method: 'gradient-x-input' });
  });
  afterAll(() => pipeline?.dispose());

  test.each(preset === 'default' ? ['integrated-gradients', 'gradient-x-input', 'gradcam', 'occlusion'] as const : ['gradcam', 'occlusion'] as const)('%s gives a normalised map per face and draws on a canvas, leaking no tensors', async (method) => {
    const before = tf.memory().numTensors;
    const ex = await explainMatch(pipeline, a, b, { method, grid: 4, patchCells: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(ex.faces).toHaveLength(2);
    expect(ex.score).toBeGreaterThan(ex.threshold - 0.3);
    for (const { map } of ex.faces) {
      expect(Math.max(...map.values)).toBeCloseTo(1, 5);
      expect(Math.min(...map.values)).toBeGreaterThanOrEqual(0);
    }
    const canvas = new OffscreenCanvas(600, 400);
    const size = drawExplanation(canvas.getContext('2d')!, ex, { panel: 128 });
    expect(size.width).toBe(3 * 12 + 2 * 128);
    const pixels = canvas.getContext('2d')!.getImageData(12, 44, 128, 128).data;
    let coloured = 0;
    for (let p = 0; p < pixels.length; p += 4) if (Math.abs(pixels[p]! - pixels[p + 2]!) > 40) coloured++;
    expect(coloured, 'the map tints the face').toBeGreaterThan(100);
  });
});
