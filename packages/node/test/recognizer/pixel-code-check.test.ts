// Tests for whether a CNN keeps pixel codes: kept for photos that line up pixel for pixel (one pose per person under several lamps, as a light stage takes them), dropped for ORL's photos, whose faces move in the frame.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CNN_TEXTURE_MATCHING, FaceRecognizer, METADATA_KEY, initBackend, loadImageFolder } from '@facerec/node';
import type { FaceImage, LabeledImage, PreprocessingConfig, RawImage } from '@facerec/node';
import { framedFaces, imageTextures } from '../../../core/src/recognizer/cnn-texture.js';
import { TextureGallery, withoutPixelCodes } from '../../../core/src/recognizer/face-texture.js';
import { pixelCodesHold, type FaceFramer } from '../../../core/src/recognizer/pixel-code-check.js';
import { memorySink } from '../../../core/test/helpers/memory-sink.js';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

beforeAll(async () => {
  await initBackend('wasm');
});
expectNoLeakPerTest();

/** How a CNN without a crop frames photos for their textures. */
const FRAMING = { inputSize: [64, 64] as [number, number], channels: 1 as const, normalization: 'none' as const };
const frame: FaceFramer = (photos, size) => framedFaces(photos, FRAMING, size);

/** `image` under soft light from one side: brightness falling linearly across it by `fall` (negative: from the other side), gamma `gamma`. */
function softLight(image: RawImage, fall: number, gamma: number): RawImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = y * image.width + x;
      const ramp = 1 - fall * (x / (image.width - 1) - 0.5);
      data[i] = Math.min(255, Math.round(255 * (image.data[i]! / 255) ** gamma * ramp));
    }
  }
  return { ...image, data };
}

/** ORL's first `people` people: photos 1–5 each, as ORL has them (the face moves and turns from photo to photo). */
async function orl(people: number): Promise<LabeledImage<FaceImage>[]> {
  const keep = new Set(Array.from({ length: people }, (_, i) => `s${i + 1}`));
  return (await loadImageFolder(ORL_DIR, { split: { type: 'first', count: 5 } })).train.filter((d) => keep.has(d.label));
}

/** Each person's first photo under 5 soft lamps: one pose per person, as a light stage photographs it. */
function lightStage(photos: readonly LabeledImage<FaceImage>[]): LabeledImage<FaceImage>[] {
  const firsts = photos.filter((d, i) => i === 0 || photos[i - 1]!.label !== d.label);
  const lamps: Array<[number, number]> = [[0, 1], [0.3, 0.9], [-0.3, 0.9], [0.15, 1.15], [-0.15, 1.1]];
  return firsts.flatMap((d) => lamps.map(([fall, gamma]) => ({ label: d.label, image: softLight(d.image as RawImage, fall, gamma) })));
}

const peopleOf = (photos: readonly LabeledImage<FaceImage>[]): number[] => photos.map((d) => Number(d.label.slice(1)) - 1);

describe('pixel codes for a CNN (pixelCodesHold)', () => {
  it('holds for photos of one pose per person, not for ORL photos whose faces move', async () => {
    const photos = await orl(10);
    const stage = lightStage(photos);
    expect(stage).toHaveLength(50);
    expect((await pixelCodesHold(stage.map((d) => d.image), peopleOf(stage), DEFAULT_CNN_TEXTURE_MATCHING, frame)).holds).toBe(true);
    expect((await pixelCodesHold(photos.map((d) => d.image), peopleOf(photos), DEFAULT_CNN_TEXTURE_MATCHING, frame)).holds).toBe(false);
  }, 60_000);

  it('does not hold without pixel codes, or with fewer than 8 photos of people with two', async () => {
    const stage = lightStage(await orl(10));
    expect((await pixelCodesHold(stage.map((d) => d.image), peopleOf(stage), withoutPixelCodes(DEFAULT_CNN_TEXTURE_MATCHING), frame)).holds).toBe(false);
    // 7 people with one photo each and one with two: one photo can be named, too few to tell.
    const few = [...stage.filter((_, i) => i % 5 === 0).slice(0, 7), stage[45]!, stage[46]!];
    expect((await pixelCodesHold(few.map((d) => d.image), peopleOf(few), DEFAULT_CNN_TEXTURE_MATCHING, frame)).holds).toBe(false);
  }, 60_000);

  it('a CNN saves its texture match with pixel codes only where they hold', async () => {
    const photos = await orl(6);
    type Saved = { texture: Record<string, unknown>; preprocessing: PreprocessingConfig };
    const saved = async (train: readonly LabeledImage<FaceImage>[]): Promise<Saved> => {
      const r = new FaceRecognizer({ inputSize: [32, 32], seed: 1 });
      try {
        await r.fit(train, { epochs: 1 });
        const sink = memorySink();
        await r.save(sink.handler);
        return sink.artifacts().userDefinedMetadata![METADATA_KEY] as Saved;
      } finally {
        r.dispose();
      }
    };
    const staged = lightStage(photos);
    const { texture: stage, preprocessing } = await saved(staged);
    expect(stage).toMatchObject({ pixelRadius: 3, pixelSize: 96 });
    // Each photo's texture in its place, the check's reused ones as the rest: as if all were read afresh.
    const people = stage.people as number[];
    const afresh = TextureGallery.fromTextures(DEFAULT_CNN_TEXTURE_MATCHING, await imageTextures(staged.map((d) => d.image), preprocessing, DEFAULT_CNN_TEXTURE_MATCHING), people, 6);
    expect(stage.textures).toBe(afresh.toSaved().textures);
    const moving = (await saved(photos)).texture;
    expect(moving).toMatchObject(withoutPixelCodes(DEFAULT_CNN_TEXTURE_MATCHING));
    expect(moving).not.toHaveProperty('pixelRadius');
    expect(moving).not.toHaveProperty('pixelSize');
  }, 90_000);
});
