// Whether this engine validates WebAssembly relaxed SIMD, whose FMA doubles the kernels' multiply-add rate.

// (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd))
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const BODY = [0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b];
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY,
]);

/** Whether `WebAssembly.validate` accepts a relaxed-SIMD FMA (asked each time: a flag may turn it on later). */
export function relaxedSimdValidates(): boolean {
  const api = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  try {
    return api?.validate(PROBE) === true;
  } catch {
    return false;
  }
}
