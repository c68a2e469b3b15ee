// A harsher lighting proxy than Yale's three conditions: faces relit by one point light at many angles, with
// attached and cast shadows, at graded severities (like Extended Yale B's subsets), for bench:lighting-recipe.

/** Severity bands: the light's angle from the camera axis (degrees) and the ambient light left in shadow. */
export const SEVERITIES = {
  mild: { angle: [10, 35], ambient: 0.12 },
  medium: { angle: [35, 60], ambient: 0.06 },
  harsh: { angle: [60, 80], ambient: 0.03 },
  extreme: { angle: [80, 95], ambient: 0.015 },
  // Light from behind the face's plane (Extended Yale B's subset 5 reaches 130°): a rim of the face lit, the rest black.
  rear: { angle: [95, 130], ambient: 0.01 },
};

/** A seeded source of uniform numbers in [0, 1). */
export function seeded(k) {
  let s = ((k + 1) * 2654435761) >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 3266489917) >>> 0) / 4294967296);
}

/**
 * `image` (a gray or RGB RawImage of a roughly centred face) lit by a point light `severity` degrees off the
 * camera axis from a direction drawn all round the face (seeded by `k`): the face is modelled as a half-cylinder
 * with a nose ridge (normals, not a mesh), each pixel gets ambient + Lambertian light (attached shadows: the far
 * half goes to the ambient level), a soft cast shadow from the nose/brow away from the light on half of the draws,
 * an exposure in [0.55, 1.1], camera noise (σ 1.5 levels) and 8-bit rounding, so deep shadows lose their detail
 * as a camera's do. Deliberately not the training augmentation's model (a linear ramp and a half-plane).
 */
export function relightFace(image, k, severity) {
  const band = SEVERITIES[severity];
  if (!band) throw new Error(`unknown severity ${severity}`);
  const rnd = seeded(k * 7919 + Object.keys(SEVERITIES).indexOf(severity));
  const azimuth = rnd() * 2 * Math.PI;
  const polar = ((band.angle[0] + (band.angle[1] - band.angle[0]) * rnd()) * Math.PI) / 180;
  return shade(image, [Math.sin(polar) * Math.cos(azimuth), Math.sin(polar) * Math.sin(azimuth), Math.cos(polar)], band.ambient, rnd);
}

/** The light's angle from the camera axis (degrees) of a direction `azimuth` degrees to the side and `elevation` up. */
export const polarOf = (azimuth, elevation) => (Math.acos(Math.cos((azimuth * Math.PI) / 180) * Math.cos((elevation * Math.PI) / 180)) * 180) / Math.PI;

/** The unit vector towards a lamp `azimuth` degrees to the side and `elevation` degrees up: x to the image's right, y down, z towards the camera. */
export function lampVector(azimuth, elevation) {
  const a = (azimuth * Math.PI) / 180, e = (elevation * Math.PI) / 180;
  return [Math.sin(a) * Math.cos(e), -Math.sin(e), Math.cos(a) * Math.cos(e)];
}

/** The ambient share of the severity band a light `polar` degrees off the camera axis falls in. */
export const ambientAt = (polar) => Object.values(SEVERITIES).find((band) => polar <= band.angle[1])?.ambient ?? SEVERITIES.rear.ambient;

/**
 * `image` lit by a lamp `azimuth` degrees to the side (positive: from the image's right) and `elevation` degrees up,
 * as a light stage places its lamps: {@link relightFace}'s face model, exposure and noise (seeded by `k`), the ambient
 * light of the severity band its angle from the camera axis falls in (times `ambientScale`, at most all of it), and
 * a cast shadow that deepens with that angle up to 60° (a lamp near the camera casts almost none).
 */
export function relightFrom(image, k, azimuth, elevation, ambientScale = 1) {
  const polar = polarOf(azimuth, elevation);
  return shade(image, lampVector(azimuth, elevation), Math.min(1, ambientAt(polar) * ambientScale), seeded(k * 7919 + 101), Math.min(1, polar / 60));
}

/**
 * `image` shaded by a unit `light` vector with `ambient` light in shadow; exposure, cast shadow (its depth times
 * `castScale`) and noise drawn from `rnd`.
 */
function shade(image, light, ambient, rnd, castScale = 1) {
  const exposure = 0.55 + 0.55 * rnd();
  const castDepth = (rnd() < 0.5 ? 0.5 + 0.4 * rnd() : 0) * castScale;
  const castEdge = (rnd() - 0.5) * 0.3;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const { width, height, channels, data } = image;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const v = (2 * y) / (height - 1) - 1;
    for (let x = 0; x < width; x++) {
      const u = (2 * x) / (width - 1) - 1;
      // Half-cylinder across the face (curving away left and right) plus a smooth vertical ridge at the centre (nose).
      const cu = Math.max(-0.97, Math.min(0.97, u * 1.1));
      const ridge = 1.2 * (u / 0.12) * Math.exp(-((u / 0.12) ** 2) - ((v + 0.05) / 0.3) ** 4);
      let n = [cu + ridge, 0.35 * v, Math.sqrt(1 - cu * cu)];
      const len = Math.hypot(...n);
      n = n.map((c) => c / len);
      const lambert = Math.max(0, n[0] * light[0] + n[1] * light[1] + n[2] * light[2]);
      // The cast shadow falls on the side away from the light, its edge near the face's middle.
      const away = -(u * light[0] + v * light[1]) / Math.max(1e-3, Math.hypot(light[0], light[1]));
      const cast = 1 - castDepth / (1 + Math.exp(-(away - castEdge) / 0.05));
      const level = exposure * (ambient + (1 - ambient) * lambert) * cast;
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        out[i] = Math.max(0, Math.min(255, Math.round(data[i] * level + 1.5 * gauss())));
      }
    }
  }
  return { width, height, channels, data: out };
}
