// WebGPU errors seen during the current test (the setup file fails the test unless the test takes them).
import type { WebGpuErrorReport } from '@facerec/web';

export const gpuErrors: WebGpuErrorReport[] = [];

/** Returns and clears the errors seen so far, for a test that expects some. */
export function takeGpuErrors(): WebGpuErrorReport[] {
  return gpuErrors.splice(0, gpuErrors.length);
}

/** Waits until queued GPU work has reported its errors (they arrive asynchronously). */
export async function settleGpu(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
