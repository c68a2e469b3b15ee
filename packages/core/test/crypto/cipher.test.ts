// Cipher: AES-256-GCM files round-trip, and a wrong key, a changed byte anywhere, a cut or a swapped file is a DecryptionError.
import { describe, expect, it } from 'vitest';
import { Cipher, DecryptionError, InvalidArgumentError, PBKDF2_MIN_ITERATIONS, isSealed, parseKeyFile } from '../../src/index.js';

// Few iterations keep the tests fast; the format and checks are the same as with the default.
const pass = { passphrase: 'correct horse battery staple', iterations: PBKDF2_MIN_ITERATIONS };
const plain = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 251);
const HEADER = 48;

async function reason(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DecryptionError);
  return (error as DecryptionError).reason;
}

describe('Cipher', () => {
  it('round-trips with a passphrase and with a raw key, with a fresh IV each time', async () => {
    const cipher = new Cipher(pass);
    const a = await cipher.seal(plain, 'test');
    const b = await cipher.seal(plain, 'test');
    expect(isSealed(a)).toBe(true);
    expect(a.length).toBe(HEADER + plain.length + 16);
    expect(Buffer.from(a.subarray(28, 40)).equals(Buffer.from(b.subarray(28, 40)))).toBe(false); // the IVs differ
    expect(await new Cipher(pass).open(a, 'test', 'a')).toEqual(plain);
    const key = new Uint8Array(32).fill(7);
    const sealed = await new Cipher({ key }).seal(plain, 'test');
    expect(await new Cipher({ key: key.slice() }).open(sealed, 'test', 'k')).toEqual(plain);
  });

  it('holds no run of the plain bytes', async () => {
    const sealed = await new Cipher(pass).seal(plain, 'test');
    expect(Buffer.from(sealed).indexOf(Buffer.from(plain.subarray(100, 116)))).toBe(-1);
  });

  it('says wrong-key for another passphrase, another key or the other kind of key', async () => {
    const sealed = await new Cipher(pass).seal(plain, 'test');
    expect(await reason(new Cipher({ ...pass, passphrase: 'Correct horse battery staple' }).open(sealed, 'test', 'f'))).toBe('wrong-key');
    expect(await reason(new Cipher({ key: new Uint8Array(32) }).open(sealed, 'test', 'f'))).toBe('wrong-key');
    const raw = await new Cipher({ key: new Uint8Array(32).fill(1) }).seal(plain, 'test');
    expect(await reason(new Cipher({ key: new Uint8Array(32).fill(2) }).open(raw, 'test', 'f'))).toBe('wrong-key');
  });

  it('refuses a changed byte in every region: header fields, ciphertext, tag', async () => {
    const cipher = new Cipher(pass);
    const sealed = await cipher.seal(plain, 'test');
    // version 6, kdf 7 (1 → 0 claims a raw key), iterations 8, salt 12, iv 28, key check 40, ciphertext 48.., tag last 16.
    const expected: Array<[number, string]> = [[0, 'not-encrypted'], [6, 'unsupported'], [7, 'wrong-key'], [8, 'wrong-key'], [9, 'damaged'], [12, 'wrong-key'], [30, 'damaged'], [41, 'wrong-key'],
      [HEADER, 'damaged'], [HEADER + 500, 'damaged'], [sealed.length - 16, 'damaged'], [sealed.length - 1, 'damaged']];
    for (const [at, why] of expected) {
      const bad = sealed.slice();
      bad[at]! ^= 0x01;
      expect(await reason(cipher.open(bad, 'test', 'f')), `byte ${at}`).toBe(why);
    }
    expect(await cipher.open(sealed, 'test', 'f')).toEqual(plain);
  });

  it('refuses a truncated file, an extended one and another file\'s context', async () => {
    const cipher = new Cipher(pass);
    const sealed = await cipher.seal(plain, 'index');
    for (const n of [3, HEADER - 1, HEADER + 15, sealed.length - 1]) expect(await reason(cipher.open(sealed.subarray(0, n), 'index', 'f')), `${n} bytes`).not.toBe('wrong-key');
    const longer = new Uint8Array(sealed.length + 1);
    longer.set(sealed);
    expect(await reason(cipher.open(longer, 'index', 'f'))).toBe('damaged');
    expect(await reason(cipher.open(sealed, 'embeddings', 'f'))).toBe('damaged');
    expect(await reason(cipher.open(plain, 'index', 'f'))).toBe('not-encrypted');
  });

  it('names the file in the message', async () => {
    const error = await new Cipher(pass).open(plain, 'x', '/tmp/g/embeddings.bin').catch((e: unknown) => e);
    expect(String(error)).toContain('/tmp/g/embeddings.bin');
  });

  it('checks its options and key files', () => {
    expect(() => new Cipher({ passphrase: '' })).toThrow(InvalidArgumentError);
    expect(() => new Cipher({ passphrase: 'x', iterations: 10 })).toThrow(InvalidArgumentError);
    expect(() => new Cipher({ key: new Uint8Array(16) })).toThrow(/32 bytes/);
    const hex = 'ab'.repeat(32);
    expect(parseKeyFile(new TextEncoder().encode(`${hex}\n`), 'k')).toEqual(new Uint8Array(32).fill(0xab));
    expect(parseKeyFile(new Uint8Array(32).fill(3), 'k')).toEqual(new Uint8Array(32).fill(3));
    expect(() => parseKeyFile(new Uint8Array(31), 'key.bin')).toThrow(/key.bin/);
  });
});
