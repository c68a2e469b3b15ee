// A training progress bar on stderr: epoch, batch, loss, accuracy, speed and ETA.
import type { BatchLog, EpochLog } from '@facerec/core';

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Renders progress for an interactive terminal (one updating line) or a log (one line per epoch). */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;

  /** `write` receives the text; `tty` chooses one redrawn line (terminal) or a line per epoch (log). */
  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  /** Called after each batch; redraws at most 10 times a second. */
  batch(log: BatchLog): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && log.batch < log.batches) return;
    this.lastDraw = now;
    const done = (log.epoch - 1) * log.batches + log.batch;
    const total = log.epochs * log.batches;
    const elapsed = (now - this.started) / 1000;
    const eta = (elapsed / done) * (total - done);
    const width = 24;
    const filled = Math.round((width * log.batch) / log.batches);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.write(
      `\r\x1b[2Kepoch ${log.epoch}/${log.epochs} ${bar} ${log.batch}/${log.batches}  loss ${log.loss.toFixed(4)}  acc ${(log.accuracy * 100).toFixed(1)}%  ETA ${formatSeconds(eta)}`,
    );
  }

  /** Called after each epoch: prints a permanent line. */
  epoch(log: EpochLog): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = (elapsed / log.epoch) * (log.epochs - log.epoch);
    const val = log.valLoss !== undefined ? `  val_loss ${log.valLoss.toFixed(4)}  val_acc ${((log.valAccuracy ?? 0) * 100).toFixed(1)}%` : '';
    const line =
      `epoch ${String(log.epoch).padStart(String(log.epochs).length)}/${log.epochs}  loss ${log.loss.toFixed(4)}  acc ${(log.accuracy * 100).toFixed(1)}%${val}` +
      `  lr ${log.learningRate.toExponential(2)}  ${Math.round(log.imagesPerSecond)} img/s  ETA ${formatSeconds(eta)}`;
    this.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
