// Runs async work over a list with bounded concurrency, keeping results in input order.
import { throwIfAborted } from '@facerec/core';

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order.
 * Stops starting new work after the first failure or when `signal` aborts (AbortError).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      throwIfAborted(signal);
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  throwIfAborted(signal);
  return results;
}
