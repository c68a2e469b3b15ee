// Encrypted gallery folders: a plain gallery.json stub (no names) + embeddings.bin holding the sealed index and rows.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FacerecError, ModelFormatError, type Cipher, type EncryptionOptions, type GalleryData } from '@facerec/core';
import { cipherOf, firstNonFinite, isEncryptedGalleryStub, noKeyError, openGalleryData, sealGalleryData } from '@facerec/core/internal';
import { errorReason } from '../io/atomic.js';
import { replaceFolder } from '../io/replace-dir.js';
import { GALLERY_EMBEDDINGS, GALLERY_FOLDER, GALLERY_INDEX } from './files.js';

/**
 * Writes `data` encrypted into `dir`, atomically like an unencrypted save (a temporary folder swapped in):
 * the old files are replaced whole, so a removed person's embeddings are in none of the new files.
 */
export async function writeSealedGallery(data: GalleryData, dir: string, encryption: EncryptionOptions | Cipher): Promise<void> {
  const { stub, sealed } = await sealGalleryData(data, cipherOf(encryption));
  try {
    await replaceFolder(dir, GALLERY_FOLDER, async (temp) => {
      await writeFile(path.join(temp, GALLERY_EMBEDDINGS), sealed, { flush: true, flag: 'wx' });
      await writeFile(path.join(temp, GALLERY_INDEX), `${JSON.stringify(stub, null, 2)}\n`, { flush: true, flag: 'wx' });
    });
  } catch (error) {
    if (error instanceof FacerecError) throw error;
    throw new ModelFormatError(dir, `cannot save the gallery (${errorReason(error)})`, { cause: error });
  }
}

/**
 * The index and rows of an encrypted gallery folder whose gallery.json parsed as `stored`, or undefined when
 * the gallery is not encrypted.
 * @throws DecryptionError naming the file: no key given, a wrong key, a changed or cut file.
 */
export async function readSealedGallery(dir: string, stored: unknown, encryption: EncryptionOptions | Cipher | undefined): Promise<{ index: unknown; embeddings: Float32Array } | undefined> {
  if (!isEncryptedGalleryStub(stored)) return undefined;
  const binFile = path.join(dir, GALLERY_EMBEDDINGS);
  if (encryption === undefined) throw noKeyError(dir);
  let bytes: Buffer;
  try {
    bytes = await readFile(binFile);
  } catch (error) {
    throw new ModelFormatError(binFile, `cannot be read (${errorReason(error)})`, { cause: error });
  }
  const data = await openGalleryData(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), cipherOf(encryption), binFile);
  const bad = firstNonFinite(data.embeddings);
  if (bad >= 0) throw new ModelFormatError(binFile, `value ${bad} is ${data.embeddings[bad]}; embeddings must be finite numbers`);
  return data;
}
