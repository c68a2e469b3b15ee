// Runs before every test file: gives Dawn (the webgpu package) the XDG_RUNTIME_DIR its Vulkan loader expects, when the
// shell has none (a plain root shell, a container), so `pnpm test` works from anywhere.
import { lstatSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

if (!process.env['XDG_RUNTIME_DIR']) process.env['XDG_RUNTIME_DIR'] = runtimeDir();

/** Qt's fallback: <tmp>/runtime-<user>, private to this user; a fresh temporary folder if someone else owns that path. */
function runtimeDir(): string {
  const dir = path.join(tmpdir(), `runtime-${userInfo().username}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o077) === 0) return dir;
  return mkdtempSync(path.join(tmpdir(), 'runtime-'));
}
