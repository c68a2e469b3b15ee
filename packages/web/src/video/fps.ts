// Frames per second over a sliding window of recent frame times.

/** Counts frames and reports their rate over the last `windowMs` milliseconds. */
export class FpsMeter {
  private readonly times: number[] = [];
  private readonly windowMs: number;

  /** @param windowMs - Length of the averaging window. Default 1000 ms. */
  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
  }

  /** Records a frame finished at `time` (milliseconds, e.g. `performance.now()`). */
  tick(time: number): void {
    this.times.push(time);
    while (this.times.length > 2 && time - this.times[0]! > this.windowMs) this.times.shift();
  }

  /** Frames per second over the window; 0 before two frames. */
  get fps(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const span = this.times[n - 1]! - this.times[0]!;
    return span > 0 ? ((n - 1) * 1000) / span : 0;
  }

  /** Forgets every frame. */
  reset(): void {
    this.times.length = 0;
  }
}
