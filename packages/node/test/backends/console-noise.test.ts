// Third-party console output (tfjs's Node banner, Dawn's native warnings) stays off the CLI's terminal unless --verbose.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LineFilter } from '../../src/backends/console-noise.js';

function filtered(chunks: string[]): { writes: string[]; text: string } {
  const writes: string[] = [];
  const filter = new LineFilter((t) => writes.push(t));
  for (const chunk of chunks) filter.push(chunk);
  filter.end();
  return { writes, text: writes.join('') };
}

describe('LineFilter', () => {
  it("drops Dawn's warning lines and keeps everything else, errors included", () => {
    const { text } = filtered([
      'backend: wasm\nWarning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16.\n',
      'Error: device lost\nsame\tsimilarity 0.97\n',
    ]);
    expect(text).toBe('backend: wasm\nError: device lost\nsame\tsimilarity 0.97\n');
  });

  it('drops a warning split across chunks, however it is cut', () => {
    const line = 'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced.\n';
    for (let cut = 1; cut < line.length; cut++) {
      expect(filtered(['a\n', line.slice(0, cut), line.slice(cut), 'b\n']).text).toBe('a\nb\n');
    }
  });

  it('passes a progress bar redraw (no newline) on at once', () => {
    const writes: string[] = [];
    const filter = new LineFilter((t) => writes.push(t));
    filter.push('\r\x1b[2Kepoch 1/3 ███░░ 3/5');
    expect(writes).toEqual(['\r\x1b[2Kepoch 1/3 ███░░ 3/5']);
    filter.push('W');
    expect(writes).toHaveLength(1); // may still become "Warning: "
    filter.push('arm-up done');
    expect(writes.join('')).toBe('\r\x1b[2Kepoch 1/3 ███░░ 3/5Warm-up done');
  });

  it('keeps a last line without a newline unless it is noise', () => {
    expect(filtered(['done', '']).text).toBe('done');
    expect(filtered(['ok\nWarning: at exit']).text).toBe('ok\n');
  });
});

describe('facerec executable', () => {
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  const orl = fileURLToPath(new URL('../../../../examples/data/orl/', import.meta.url));
  const a = join(orl, 's1', '1.pgm');
  const b = join(orl, 's1', '2.pgm');
  const temp = mkdtempSync(join(tmpdir(), 'facerec-noise-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('prints no tfjs banner on the cpu backend; --verbose shows it', () => {
    // mobileface: the quickest preset on tfjs's cpu backend, which prints the banner on first use.
    const quiet = run(['verify', a, b, '--backend', 'cpu', '--preset', 'mobileface', '--json']);
    expect(quiet.status).toBe(0);
    expect(JSON.parse(quiet.stdout)).toMatchObject({ same: true });
    expect(quiet.stderr).not.toMatch(/TensorFlow\.js in Node\.js/);
    const verbose = run(['verify', a, b, '--backend', 'cpu', '--preset', 'mobileface', '--json', '--verbose']);
    expect(verbose.status).toBe(0);
    expect(verbose.stderr).toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
  });

  it('filters what native code writes to stderr, keeps the rest and the exit code', () => {
    // Stands in for Dawn: writes to file descriptor 2 directly, as native code does, in the process that runs the command.
    const preload = join(temp, 'native-noise.mjs');
    writeFileSync(
      preload,
      `import { writeSync } from 'node:fs';\nif (process.env.FACEREC_CLI_FILTERED === '1') writeSync(2, 'Warning: from native code\\nkept line\\n');\n`,
    );
    // One image: a usage error (exit 2) before any model loads; the default backend (auto) may start Dawn.
    const result = run(['verify', a], { NODE_OPTIONS: `--import ${preload}` });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/kept line/);
    expect(result.stderr).toMatch(/Usage: facerec verify/);
    expect(result.stderr).not.toMatch(/Warning: from native code/);
  });
});
