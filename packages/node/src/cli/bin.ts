// Entry point of the `facerec` executable; keeps third-party console output off the terminal unless --verbose.
import { spawn } from 'node:child_process';

/** Set in the child that runs the commands while its parent filters the child's stderr. */
const CHILD = 'FACEREC_CLI_FILTERED';
/** Tells the child that the real stderr is a terminal (its own is a pipe), so progress bars still redraw. */
const STDERR_TTY = 'FACEREC_CLI_STDERR_TTY';

const argv = process.argv.slice(2);
// A global flag: stripped here so that no command sees it.
const verbose = argv.includes('--verbose');
const args = argv.filter((a) => a !== '--verbose');

/** Whether the command may start WebGPU (Dawn), whose native warnings only a filtering parent can hold back. */
function mayLoadDawn(command: readonly string[]): boolean {
  const [name] = command;
  if (name === undefined || name.startsWith('-') || name === 'help' || command.includes('--help') || command.includes('-h')) return false;
  const at = command.indexOf('--backend');
  const backend = at >= 0 ? command[at + 1] : command.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);
  return backend !== 'cpu' && backend !== 'wasm';
}

async function runHere(): Promise<void> {
  if (process.env[STDERR_TTY] === '1' && !process.stderr.isTTY) Object.defineProperty(process.stderr, 'isTTY', { value: true });
  // Imported only here, so that a filtering parent never loads tfjs.
  const { silenceThirdPartyConsole } = await import('../backends/console-noise.js');
  if (!verbose) silenceThirdPartyConsole();
  const { runCli } = await import('./main.js');
  process.exitCode = await runCli(args, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
}

/**
 * Runs the commands in a child process and copies its stderr here without Dawn's lines: Dawn writes them from native
 * code straight to file descriptor 2, where no JavaScript in the same process can intercept them.
 */
async function runFiltered(): Promise<void> {
  const { LineFilter } = await import('../backends/console-noise.js');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', ...args], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: { ...process.env, [CHILD]: '1', ...(process.stderr.isTTY ? { [STDERR_TTY]: '1' } : {}) },
  });
  const filter = new LineFilter((t) => process.stderr.write(t));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => filter.push(chunk));
  // The child gets the terminal's Ctrl-C itself; a signal sent to this process alone is passed on.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const signals = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, handler] of signals) process.on(s, handler);
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'not started'>((resolve, reject) => {
    child.on('error', (error) => (child.pid === undefined ? resolve('not started') : reject(error)));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  filter.end();
  for (const [s, handler] of signals) process.off(s, handler);
  if (ended === 'not started') return runHere();
  if (ended.signal !== null) process.kill(process.pid, ended.signal);
  else process.exitCode = ended.code ?? 1;
}

const filtered = !verbose && process.env[CHILD] !== '1' && mayLoadDawn(args);
(filtered ? runFiltered() : runHere()).catch((error: unknown) => {
  process.stderr.write(`facerec: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
