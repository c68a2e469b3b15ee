// Posts events to a webhook URL in order, each retried with backoff until the receiver takes it (or the attempts run out).
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@facerec/core';
import type { WatchEvent } from './events.js';

/** Options of {@link WebhookSender}. */
export interface WebhookOptions {
  /** Tries per event (the first plus retries). Default 5. */
  readonly attempts?: number;
  /** Wait before the first retry, doubled each time (up to 30 s). Default 500 ms. */
  readonly retryDelayMs?: number;
  /** A request without an answer after this long is retried. Default 5 s. */
  readonly timeoutMs?: number;
  /** Told about an event given up on (after its attempts, or refused with a 4xx status). */
  readonly onFailure?: (event: WatchEvent, reason: string) => void;
}

const MAX_DELAY_MS = 30_000;

/** Statuses worth retrying: the receiver is down or busy, not refusing this event. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Delivers events to `url` as JSON POSTs, one at a time in the order given (a receiver sees them as they
 * happened). A network error, a timeout, or a 5xx / 408 / 429 answer is retried with exponential backoff; any
 * other non-2xx answer gives the event up. Each request carries an `Idempotency-Key` header, the same on
 * every retry of an event, so a receiver can drop a duplicate when an answer was lost.
 */
export class WebhookSender {
  private readonly queue: Array<{ event: WatchEvent; key: string }> = [];
  private running: Promise<void> | undefined;
  private readonly run = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private abort = new AbortController();
  /** Events the receiver took, and events given up on. */
  delivered = 0;
  failed = 0;

  constructor(readonly url: string, private readonly options: WebhookOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidArgumentError('webhook', `must be an http(s) URL, got "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidArgumentError('webhook', `must be an http(s) URL, got "${url}"`);
    this.attempts = options.attempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (!(Number.isInteger(this.attempts) && this.attempts >= 1)) throw new InvalidArgumentError('attempts', `must be a positive integer, got ${String(this.attempts)}`);
  }

  /** Queues `event`; it is sent after the ones before it. */
  send(event: WatchEvent): void {
    this.queue.push({ event, key: `${this.run}-${++this.seq}` });
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /**
   * Waits until every queued event was delivered or given up on, at most `timeoutMs` (then the rest are
   * given up: a shutdown must end). Resolves to the number of events not delivered in time.
   */
  async flush(timeoutMs = Infinity): Promise<number> {
    if (!this.running) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.running.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'done') return 0;
    const left = this.queue.length;
    this.queue.length = 0;
    this.abort.abort();
    await this.running?.catch(() => undefined);
    this.abort = new AbortController();
    this.failed += left;
    return left;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const item = this.queue[0]!;
      const reason = await this.deliver(item.event, item.key);
      // flush() may have emptied the queue while this event was in flight.
      if (this.queue[0] === item) this.queue.shift();
      if (reason === undefined) {
        this.delivered++;
      } else if (!this.abort.signal.aborted) {
        this.failed++;
        this.options.onFailure?.(item.event, reason);
      }
    }
  }

  /** Sends one event with its retries; undefined when it was taken, else why not. */
  private async deliver(event: WatchEvent, key: string): Promise<string | undefined> {
    const body = JSON.stringify(event);
    let reason = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.abort.signal.aborted) return 'shut down before it was delivered';
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]),
        });
        // The body is read so the connection can be reused.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return undefined;
        reason = `HTTP ${response.status}`;
        if (!retryable(response.status)) return reason;
      } catch (error) {
        reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      }
      if (attempt < this.attempts) await this.sleep(Math.min(MAX_DELAY_MS, this.retryDelayMs * 2 ** (attempt - 1)));
    }
    return `${reason} after ${this.attempts} attempts`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
