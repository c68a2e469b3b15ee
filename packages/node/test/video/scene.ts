// The watch tests' scene: a gallery of three LFW people and a clip where two of them and a stranger walk through, with its ground truth.
import { expect } from 'vitest';
import { Gallery, readImage, type FacePipeline, type WatchEvent } from '@facerec/node';
import { lfwImage } from '../../../core/test/helpers/datasets.js';
import { makeClip, type Appearance, type ClipSpec } from './clips.js';

/** Enrolled people and the photos enrolled (the clips show another photo of each). */
export const ENROLLED = { Abel_Pacheco: [2, 4], Akhmed_Zakayev: [2, 3], Dick_Clark: [2, 3] } as const;
/** A person the gallery does not know. */
export const STRANGER = 'Martin_Verkerk';
/** The watched person. */
export const WATCHED = 'Akhmed_Zakayev';

/**
 * 7 s at 8 fps, 480×270: Abel walks through the top lane left to right, the stranger stands top right, Akhmed
 * walks in the bottom lane, leaves, and comes back from the right edge 2 s later (a second appearance).
 * Faces are about 58 pixels high. Nobody hides anyone (the lanes do not overlap). At 8 fps the tests detect on
 * every frame (detectEvery 1), as a 25 fps camera at the default detectEvery 2 would be twice as often.
 */
export const MAIN_CLIP: ClipSpec = {
  width: 480,
  height: 270,
  fps: 8,
  duration: 7,
  appearances: [
    { person: 'Abel_Pacheco', image: 1, from: 0.3, to: 6.3, x0: -100, y0: 0, vx: 90, size: 130 },
    { person: STRANGER, image: 1, from: 0.5, to: 3, x0: 340, y0: 0, size: 130 },
    { person: WATCHED, image: 1, from: 1, to: 3, x0: 330, y0: 140, vx: -40, size: 130 },
    { person: WATCHED, image: 1, from: 5, to: 7, x0: 480, y0: 140, vx: -60, size: 130 },
  ],
};

/** 2.5 s at 8 fps, 320×180: Akhmed walks in from the left. */
export const SHORT_CLIP: ClipSpec = {
  width: 320,
  height: 180,
  fps: 8,
  duration: 2.5,
  appearances: [{ person: WATCHED, image: 1, from: 0, to: 2.5, x0: -40, y0: 20, vx: 50, size: 130 }],
};

export { makeClip };

/** A gallery of ENROLLED made with `pipeline`. */
export async function makeGallery(pipeline: FacePipeline): Promise<Gallery> {
  const gallery = new Gallery(pipeline);
  for (const [person, images] of Object.entries(ENROLLED)) {
    const { added } = await gallery.enroll(person, await Promise.all(images.map((i) => readImage(lfwImage(person, i)))));
    expect(added).toBe(images.length);
  }
  return gallery;
}

/**
 * The appearance a track belongs to: among those on screen when it started, the one whose photo centre was
 * nearest the track's first box (the face sits in the middle of its photo).
 */
function appearanceOf(spec: ClipSpec, t: number, box: { x: number; y: number; width: number; height: number }): Appearance | undefined {
  let best: { a: Appearance; distance: number } | undefined;
  for (const a of spec.appearances) {
    if (t < a.from - 0.01 || t > a.to + 0.01) continue;
    const size = a.size ?? 160;
    const cx = a.x0 + (a.vx ?? 0) * (t - a.from) + size / 2, cy = a.y0 + (a.vy ?? 0) * (t - a.from) + size / 2;
    const distance = Math.hypot(box.x + box.width / 2 - cx, box.y + box.height / 2 - cy);
    if (distance < size / 2 && (!best || distance < best.distance)) best = { a, distance };
  }
  return best?.a;
}

/**
 * Checks a run's events against the clip's ground truth: one track per appearance, enrolled people named,
 * strangers unknown, watchlist events for watched people only (one per track), every track started, named
 * and ended once, in order.
 */
export function expectEventsMatchScene(events: readonly WatchEvent[], spec: ClipSpec, watched: readonly string[]): void {
  const starts = events.filter((e) => e.type === 'track_start');
  const ends = events.filter((e) => e.type === 'track_end');
  expect(starts.map((e) => e.track_id)).toEqual(starts.map((_, i) => i + 1));
  expect(ends.map((e) => e.track_id).sort((a, b) => a - b)).toEqual(starts.map((e) => e.track_id));
  // Each track's events come between its start and its end.
  for (const { track_id } of starts) {
    const at = events.flatMap((e, i) => (e.track_id === track_id ? [{ e, i }] : []));
    expect(at[0]!.e.type).toBe('track_start');
    expect(at[at.length - 1]!.e.type).toBe('track_end');
  }
  const matched = ends.map((end) => {
    if (end.type !== 'track_end') throw new Error('unreachable');
    const start = starts.find((e) => e.track_id === end.track_id)!;
    if (start.type !== 'track_start') throw new Error('unreachable');
    const appearance = appearanceOf(spec, start.t, start.box);
    expect(appearance, `track ${end.track_id} (from ${start.t} s at ${JSON.stringify(start.box)}) matches no appearance`).toBeDefined();
    // The track lasts about as long as its face is on screen (it may start a little late: entering, confirming).
    expect(end.last_t).toBeLessThanOrEqual(appearance!.to + 0.5);
    return { end, appearance: appearance! };
  });
  // One track per appearance: as many tracks as appearances, each appearance covered once.
  expect(new Set(matched.map((m) => m.appearance)).size).toBe(spec.appearances.length);
  expect(matched).toHaveLength(spec.appearances.length);
  for (const { end, appearance } of matched) {
    const expected = Object.hasOwn(ENROLLED, appearance.person) ? appearance.person : 'unknown';
    expect(end.label, `track ${end.track_id} is ${appearance.person}`).toBe(expected);
  }
  const alerts = events.filter((e) => e.type === 'watchlist');
  const watchedTracks = matched.filter((m) => watched.includes(m.appearance.person)).map((m) => m.end.track_id);
  expect(alerts.map((a) => a.track_id).sort((a, b) => a - b)).toEqual(watchedTracks.sort((a, b) => a - b));
  for (const a of alerts) if (a.type === 'watchlist') expect(watched).toContain(a.label);
}
