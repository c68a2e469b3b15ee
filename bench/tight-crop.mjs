// Tight face crops as cropped-face datasets ship them (Extended Yale B's cropped set: 168×192 grey, eyes at a third
// of the height), cut around the face the pipeline finds in a photo; shared by the lighting benches.
import { similarityTransform } from '@facerec/node';

export const TIGHT_WIDTH = 168;
export const TIGHT_HEIGHT = 192;
/** Where the face lies in a tight crop, roughly (the face mesh's input box). */
export const TIGHT_FACE = { x: 0.18 * TIGHT_WIDTH, y: 0.12 * TIGHT_HEIGHT, width: 0.64 * TIGHT_WIDTH, height: 0.78 * TIGHT_HEIGHT };
const TIGHT = [[0.3, 0.34], [0.7, 0.34], [0.5, 0.55], [0.34, 0.74], [0.66, 0.74]].map(([x, y]) => ({ x: x * TIGHT_WIDTH, y: y * TIGHT_HEIGHT }));

/** A tight 168×192 grey crop (bilinear) of `image`'s main face as `pipeline` finds it (or the centre's). */
export async function tightCrop(pipeline, image) {
  const W = TIGHT_WIDTH, H = TIGHT_HEIGHT;
  const m = similarityTransform(TIGHT, (await pipeline.embedMainFaceOrCentre(image)).landmarks);
  const { width: IW, height: IH, channels: C, data } = image;
  const out = new Uint8Array(W * H);
  const px = (x, y) => { let s = 0; for (let c = 0; c < C; c++) s += data[(y * IW + x) * C + c]; return s / C; };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const sx = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2] - 0.5, sy = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5] - 0.5;
    const x0 = Math.max(0, Math.min(IW - 2, Math.floor(sx))), y0 = Math.max(0, Math.min(IH - 2, Math.floor(sy)));
    const fx = Math.max(0, Math.min(1, sx - x0)), fy = Math.max(0, Math.min(1, sy - y0));
    out[y * W + x] = Math.round((1 - fx) * (1 - fy) * px(x0, y0) + fx * (1 - fy) * px(x0 + 1, y0) + (1 - fx) * fy * px(x0, y0 + 1) + fx * fy * px(x0 + 1, y0 + 1));
  }
  return { width: W, height: H, channels: 1, data: out };
}
