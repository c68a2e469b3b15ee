// Detects (and in Node 20, enables) WebAssembly relaxed SIMD, whose FMA doubles the kernels' multiply-add rate.
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdValidates } from '@facerec/core/internal';

let cached: boolean | null = null;

/**
 * Whether relaxed SIMD can be used. Node 20's V8 implements it behind --experimental-wasm-relaxed-simd
 * (on by default from Node 22); the flag only widens what the validator accepts, so turning it on at run
 * time changes nothing else in the process.
 */
export function relaxedSimdAvailable(): boolean {
  cached ??= relaxedSimdValidates() || enableAndValidate();
  return cached;
}

function enableAndValidate(): boolean {
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return relaxedSimdValidates();
  } catch {
    return false;
  }
}
