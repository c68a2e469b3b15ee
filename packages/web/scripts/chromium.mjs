// Headless Debian Chromium for tests, the e2e run and the benchmark: one set of flags and headers for all.
import { existsSync } from 'node:fs';

/** Where Debian's chromium package installs the browser (`bash scripts/install-system-deps.sh` installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags: headless without a sandbox or GPU process (WebGPU then runs on SwiftShader, which needs
 * --enable-unsafe-webgpu), and none of Chromium's background traffic, which a closed network turns into a flood
 * of connection attempts.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

/** Cross-origin isolation, so SharedArrayBuffer (and with it WASM threads) is available. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Throws a clear error when Chromium is missing, instead of playwright's download hint. */
export function requireChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run "bash scripts/install-system-deps.sh" as root (Debian/Ubuntu), or set CHROMIUM_PATH`);
  }
  return CHROMIUM_PATH;
}

/** playwright launch options for headless Chromium with the flags above. */
export function chromiumLaunchOptions(extraArgs = []) {
  return { executablePath: requireChromium(), headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] };
}
