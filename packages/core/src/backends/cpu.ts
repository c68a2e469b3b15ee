// The plain tfjs CPU backend as a provider (always available; slow, used as the last fallback).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendProvider } from './select.js';

/**
 * Provider for tfjs's 'cpu' backend. The caller must have imported '@tensorflow/tfjs-backend-cpu'
 * (platform packages do), since core registers no backend itself.
 */
export const cpuBackendProvider: BackendProvider = {
  name: 'cpu',
  priority: 0,
  async init() {
    if (tf.findBackendFactory('cpu') === null && tf.findBackend('cpu') === null) {
      throw new Error('the tfjs cpu backend is not registered (import @tensorflow/tfjs-backend-cpu)');
    }
    const ok = await tf.setBackend('cpu');
    if (!ok) throw new Error('tf.setBackend("cpu") failed');
    await tf.ready();
    return {};
  },
};
