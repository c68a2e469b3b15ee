// Constant-velocity motion of a face box (an alpha-beta filter on centre and size), so a tracker looks where a moving face will be.
import type { Box } from '../faces/geometry.js';

/** How much a new observation moves the position (alpha) and the velocity (beta): the filter's gains. */
const ALPHA = 0.7;
const BETA = 0.3;
/** Largest time step the velocity is extrapolated over, in seconds: a face lost for longer is not flung across the frame. */
const MAX_EXTRAPOLATION = 1;

/**
 * A box's centre and size with their velocities (pixels per second). Plain numbers, updated in place: one
 * per track, stepped once per frame.
 */
export class BoxMotion {
  private cx: number;
  private cy: number;
  private w: number;
  private h: number;
  private vx = 0;
  private vy = 0;
  private vw = 0;
  private vh = 0;
  private t: number;
  private observations = 1;

  constructor(box: Box, t: number) {
    this.cx = box.x + box.width / 2;
    this.cy = box.y + box.height / 2;
    this.w = box.width;
    this.h = box.height;
    this.t = t;
  }

  /** Where the box is expected at time `t` (seconds), from the last estimate and velocity. */
  predict(t: number): Box {
    const dt = Math.min(MAX_EXTRAPOLATION, Math.max(0, t - this.t));
    const w = Math.max(1, this.w + this.vw * dt);
    const h = Math.max(1, this.h + this.vh * dt);
    return { x: this.cx + this.vx * dt - w / 2, y: this.cy + this.vy * dt - h / 2, width: w, height: h };
  }

  /** Corrects the estimate with the box observed at time `t`. */
  update(box: Box, t: number): void {
    const dt = t - this.t;
    const p = this.predict(t);
    const px = p.x + p.width / 2, py = p.y + p.height / 2;
    const ox = box.x + box.width / 2, oy = box.y + box.height / 2;
    this.observations++;
    if (!(dt > 0)) {
      // Two observations at one instant: average the position, keep the velocity.
      this.cx = (px + ox) / 2; this.cy = (py + oy) / 2; this.w = (p.width + box.width) / 2; this.h = (p.height + box.height) / 2;
      return;
    }
    // The second observation gives the first velocity outright; later ones correct it by a fraction.
    const beta = this.observations === 2 ? 1 : BETA;
    const alpha = this.observations === 2 ? 1 : ALPHA;
    const rx = ox - px, ry = oy - py, rw = box.width - p.width, rh = box.height - p.height;
    this.cx = px + alpha * rx;
    this.cy = py + alpha * ry;
    this.w = p.width + alpha * rw;
    this.h = p.height + alpha * rh;
    this.vx += (beta * rx) / dt;
    this.vy += (beta * ry) / dt;
    this.vw += (beta * rw) / dt;
    this.vh += (beta * rh) / dt;
    this.t = t;
  }
}
