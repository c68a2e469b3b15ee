// Reads ffmpeg's stderr (run with -loglevel level+info): the output stream's size and rate, whether the input is live, and its errors.

/** The raw video stream ffmpeg announced. */
export interface OutputStream {
  readonly width: number;
  readonly height: number;
  /** Frames per second, when ffmpeg said. */
  readonly fps: number | undefined;
}

/** How many error lines are kept for messages. */
const KEEP_ERRORS = 8;

/** Parses ffmpeg's log line by line as chunks arrive. */
export class FfmpegLog {
  /** The output stream, once announced (before the first frame is written). */
  output: OutputStream | undefined;
  /** Whether the input has no duration (a live stream or camera): `Duration: N/A`. */
  live = false;
  /** The input's frame rate as ffmpeg guessed it (used when the output line has none). */
  private inputFps: number | undefined;
  /** Error lines, the first few and the latest, without the level tag and object addresses. */
  readonly errors: string[] = [];
  errorCount = 0;
  private partial = '';
  private inOutput = false;
  private inInput = false;

  /** Called once when the output stream is known. */
  constructor(private readonly onOutput: (stream: OutputStream) => void) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Flushes a last line without a newline. */
  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  /** A short description of what went wrong: the first error lines, or undefined when there were none. */
  summary(): string | undefined {
    if (this.errors.length === 0) return undefined;
    const more = this.errorCount > this.errors.length ? ` (and ${this.errorCount - this.errors.length} more)` : '';
    return `${this.errors.slice(0, 3).join('; ')}${more}`;
  }

  private line(line: string): void {
    const level = /\[(error|fatal|panic)\]\s*(.*)$/.exec(line);
    if (level) {
      this.errorCount++;
      const context = /^\[([^\]@]+?)\s*@\s*0x[0-9a-f]+\]/i.exec(line)?.[1];
      const text = `${context ? `${context}: ` : ''}${level[2]!.trim()}`;
      if (this.errors.length < KEEP_ERRORS) this.errors.push(text);
      return;
    }
    const body = line.replace(/^(\[[^\]]*\]\s*)+/, (m) => (/\[(info|verbose|warning)\]/.test(m) ? '' : m));
    if (/^Input #\d+/.test(body)) {
      this.inInput = true;
      this.inOutput = false;
    } else if (/^Output #\d+/.test(body)) {
      this.inOutput = true;
      this.inInput = false;
    } else if (this.inInput && /^\s*Duration: N\/A/.test(body)) {
      this.live = true;
    } else if (/^\s*Stream #\d+:\d+.*: Video: /.test(body)) {
      const size = /, (\d+)x(\d+)[ ,[]/.exec(`${body} `);
      const fps = /, ([\d.]+)(k?) (fps|tbr)/.exec(body);
      const rate = fps ? Number(fps[1]) * (fps[2] === 'k' ? 1000 : 1) : undefined;
      if (this.inInput) this.inputFps ??= rate;
      if (this.inOutput && size && !this.output) {
        this.output = { width: Number(size[1]), height: Number(size[2]), fps: rate ?? this.inputFps };
        this.onOutput(this.output);
      }
    }
  }
}
