// Detects (and in Node 20, enables) WebAssembly relaxed SIMD, whose FMA doubles the kernels' multiply-add rate.
import { setFlagsFromString } from 'node:v8';

// (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd))
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const BODY = [0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b];
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY,
]);

function validates(): boolean {
  const api = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  try {
    return api.validate(PROBE);
  } catch {
    return false;
  }
}

let cached: boolean | null = null;

/**
 * Whether relaxed SIMD can be used. Node 20's V8 implements it behind --experimental-wasm-relaxed-simd
 * (on by default from Node 22); the flag only widens what the validator accepts, so turning it on at run
 * time changes nothing else in the process.
 */
export function relaxedSimdAvailable(): boolean {
  if (cached !== null) return cached;
  cached = validates();
  if (!cached) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      cached = validates();
    } catch {
      cached = false;
    }
  }
  return cached;
}
