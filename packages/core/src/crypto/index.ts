// Public API of at-rest encryption: a Cipher (AES-256-GCM, WebCrypto) for saved galleries, with a passphrase or a raw key.
export {
  Cipher,
  PBKDF2_ITERATIONS,
  PBKDF2_MIN_ITERATIONS,
  KEY_BYTES,
  parseKeyFile,
  type EncryptionOptions,
} from './cipher.js';
export { isSealed } from './header.js';
export { type EncryptedGalleryStub } from './gallery.js';
