// Channel conversions on interleaved 8-bit pixels: drop alpha, collapse gray-looking colour to one channel.

/** Copies channel 0..keep-1 of each `stride`-byte pixel into a new packed array. */
export function selectChannels(data: Uint8Array, pixels: number, stride: number, keep: number): Uint8Array {
  if (stride === keep) return data;
  const out = new Uint8Array(pixels * keep);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += stride) {
    for (let c = 0; c < keep; c++) out[o++] = data[i + c]!;
  }
  return out;
}

/** True when every RGB pixel (first three of `stride` bytes) has R = G = B. */
export function isGrayRgb(data: Uint8Array, pixels: number, stride: number): boolean {
  for (let p = 0, i = 0; p < pixels; p++, i += stride) {
    const r = data[i]!;
    if (data[i + 1] !== r || data[i + 2] !== r) return false;
  }
  return true;
}
