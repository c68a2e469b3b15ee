// Finds the ffmpeg executable: an explicit path, FACEREC_FFMPEG, the PATH, or the optional @ffmpeg-installer/ffmpeg package.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { FfmpegNotFoundError } from './errors.js';

/** Where facerec looks for ffmpeg besides the PATH (an optional npm package that ships a static build). */
const INSTALLER_PACKAGE = '@ffmpeg-installer/ffmpeg';

const HOW_TO_GET =
  'install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg), ' +
  `or add the npm package ${INSTALLER_PACKAGE} to your project, or give its path (ffmpegPath option, --ffmpeg flag or FACEREC_FFMPEG)`;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `ffmpeg` in a folder of the PATH, or undefined. */
async function onPath(): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg'] : ['ffmpeg'];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const file = path.join(dir, name);
      if (await isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** The binary of the optional installer package when it is installed, else undefined (never a hard dependency). */
async function fromInstallerPackage(): Promise<string | undefined> {
  try {
    // A variable specifier: bundlers and type checks leave the optional package alone.
    const name: string = INSTALLER_PACKAGE;
    const mod = (await import(name)) as { path?: unknown; default?: { path?: unknown } };
    const file = mod.path ?? mod.default?.path;
    return typeof file === 'string' && (await isExecutable(file)) ? file : undefined;
  } catch {
    return undefined;
  }
}

let cached: Promise<string> | undefined;

/**
 * The ffmpeg to run: `explicit` when given (it must exist), else `FACEREC_FFMPEG`, else `ffmpeg` on the PATH,
 * else the binary of `@ffmpeg-installer/ffmpeg` when that optional package is installed.
 * @throws FfmpegNotFoundError saying how to get ffmpeg.
 */
export async function findFfmpeg(explicit?: string): Promise<string> {
  const given = explicit ?? process.env['FACEREC_FFMPEG'];
  if (given !== undefined && given !== '') {
    if (await isExecutable(given)) return given;
    throw new FfmpegNotFoundError(`ffmpeg not found at ${given}${explicit === undefined ? ' (FACEREC_FFMPEG)' : ''}: ${HOW_TO_GET}`);
  }
  cached ??= (async () => {
    const found = (await onPath()) ?? (await fromInstallerPackage());
    if (found) return found;
    throw new FfmpegNotFoundError(`ffmpeg was not found on the PATH: ${HOW_TO_GET}`);
  })();
  try {
    return await cached;
  } catch (error) {
    // Not cached: the user may install it and try again in the same process.
    cached = undefined;
    throw error;
  }
}
