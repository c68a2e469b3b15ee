// The plain JavaScript CPU backend: always works, slowest; the last fallback.
import { cpuBackendProvider as coreCpuProvider } from '@facerec/core';
import type { BackendDetails, BackendProvider } from '@facerec/core';

/** Provider for tfjs's 'cpu' backend (priority 0), loading tfjs-backend-cpu only when chosen. */
export function browserCpuBackendProvider(): BackendProvider {
  return {
    name: 'cpu',
    priority: 0,
    async init(): Promise<BackendDetails> {
      await import('@tensorflow/tfjs-backend-cpu');
      return { ...(await coreCpuProvider.init()), training: true };
    },
  };
}
