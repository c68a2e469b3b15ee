// Standard base64 (with padding) for core, which has neither Node's Buffer nor the DOM's atob/btoa in its types.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `bytes` as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    parts.push(ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + (left > 1 ? ALPHABET[(n >> 6) & 63]! : '=') + (left > 2 ? ALPHABET[n & 63]! : '='));
  }
  return parts.join('');
}

/** The bytes of standard base64 `text`; undefined when it holds a character outside the alphabet. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const chars = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(chars)) return undefined;
  const out = new Uint8Array(Math.floor((chars.length * 3) / 4));
  let bits = 0, acc = 0, o = 0;
  for (let i = 0; i < chars.length; i++) {
    acc = ((acc << 6) | ALPHABET.indexOf(chars[i]!)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
