// --passphrase-env / --key-file: the key of an encrypted gallery, never the passphrase itself on the command line.
import { readFile } from 'node:fs/promises';
import { parseKeyFile, type EncryptionOptions } from '@facerec/core';
import { UsageError } from '../args.js';

/** The parse() options of the encryption flags. */
export const encryptionFlagOptions = { 'passphrase-env': { type: 'string' }, 'key-file': { type: 'string' } } as const;

/** Usage lines of the encryption flags. */
export const encryptionFlagUsage = `  --passphrase-env <VAR> encrypt/decrypt the gallery (AES-256-GCM) with the passphrase in environment variable VAR
  --key-file <file>      ... or with the raw key in a file (32 bytes, or 64 hex digits; e.g. openssl rand -hex 32)
`;

/**
 * `{ encryption }` from `--passphrase-env VAR` (the passphrase is read from the environment, so it stays out of
 * the shell history and the process list) or `--key-file FILE`; `{}` when neither was given.
 * @throws UsageError for both flags, an unset or empty variable, or an unreadable key file.
 */
export async function encryptionFlag(values: Record<string, unknown>, env: Record<string, string | undefined> = process.env): Promise<{ encryption?: EncryptionOptions }> {
  const variable = values['passphrase-env'];
  const keyFile = values['key-file'];
  if (typeof variable === 'string' && typeof keyFile === 'string') throw new UsageError('give --passphrase-env or --key-file, not both');
  if (typeof variable === 'string') {
    const passphrase = env[variable];
    if (!passphrase) throw new UsageError(`--passphrase-env ${variable}: the environment variable ${variable} is not set or empty`);
    return { encryption: { passphrase } };
  }
  if (typeof keyFile === 'string') {
    let bytes: Buffer;
    try {
      bytes = await readFile(keyFile);
    } catch (error) {
      throw new UsageError(`--key-file ${keyFile}: cannot be read (${(error as Error).message})`);
    }
    try {
      return { encryption: { key: parseKeyFile(bytes, keyFile) } };
    } catch (error) {
      throw new UsageError(`--key-file ${(error as Error).message}`);
    }
  }
  return {};
}
