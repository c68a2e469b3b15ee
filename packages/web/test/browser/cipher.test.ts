// Cipher in the browser: the same WebCrypto code as in Node seals and opens, and refuses a wrong key or a changed byte.
import { describe, expect, it } from 'vitest';
import { Cipher, DecryptionError, PBKDF2_MIN_ITERATIONS } from '@facerec/web';

describe('Cipher (browser WebCrypto)', () => {
  it('round-trips, says wrong-key for another passphrase and damaged for a changed byte', async () => {
    const plain = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    const pass = { passphrase: 'pässphrase', iterations: PBKDF2_MIN_ITERATIONS };
    const sealed = await new Cipher(pass).seal(plain, 'browser');
    expect(Array.from(await new Cipher(pass).open(sealed, 'browser', 'x'))).toEqual(Array.from(plain));
    const wrong = await new Cipher({ ...pass, passphrase: 'other' }).open(sealed, 'browser', 'x').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DecryptionError);
    expect((wrong as DecryptionError).reason).toBe('wrong-key');
    const bad = sealed.slice();
    bad[100]! ^= 1;
    const damaged = await new Cipher(pass).open(bad, 'browser', 'x').catch((e: unknown) => e);
    expect((damaged as DecryptionError).reason).toBe('damaged');
  });
});
