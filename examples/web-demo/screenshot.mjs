// Takes docs/web-live-demo.png: the live page in headless Chromium, its fake camera playing two LFW fixture people, one enrolled from photos.
// Run: pnpm --filter "@facerec/web..." build && node examples/web-demo/screenshot.mjs
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumLaunchOptions } from '../../packages/web/scripts/chromium.mjs';
import { CAMERA_SCENE, LFW_DIR, writeFakeCamera } from '../../packages/web/scripts/fake-camera.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, '../../docs/web-live-demo.png');
const cameraFile = await writeFakeCamera();
const server = await createServer({ root: here, configFile: join(here, 'vite.config.ts'), logLevel: 'warn', server: { port: 0 } });
await server.listen();
const browser = await chromium.launch(chromiumLaunchOptions(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${cameraFile}`]));
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
  await page.goto(new URL('live.html?backend=wasm', server.resolvedUrls.local[0]).href);
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('models loaded'), undefined, { timeout: 300_000 });
  const { enrolled } = CAMERA_SCENE;
  await page.fill('#name', enrolled.name.replace('_', ' '));
  await page.setInputFiles('#photos', enrolled.enrolFrom.map((f) => join(LFW_DIR, enrolled.name, f)));
  await page.waitForFunction(() => window.enrolled === 1, undefined, { timeout: 120_000 }).catch(async (e) => {
    throw new Error(`enrolment: ${await page.textContent('#people-status')} (${e.message})`);
  });
  await page.click('#start');
  await page.waitForFunction(() => window.liveFaces?.length === 2 && window.liveFaces.every((f) => f.named), undefined, { timeout: 120_000 });
  const names = await page.evaluate(() => window.liveFaces.map((f) => `${f.trackId}: ${f.label} ${f.score.toFixed(2)}`));
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out} (faces: ${names.join(', ')})`);
} finally {
  await browser.close();
  await server.close();
}
