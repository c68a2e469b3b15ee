// Local test sources: an HTTP live stream served by ffmpeg on 127.0.0.1, a free port, and ffmpeg children of this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Serves `file` once as a live MPEG-TS stream at http://127.0.0.1:port/live.ts, at its own frame rate (ffmpeg
 * -listen takes one client, then exits when the file is done: the stream "drops").
 */
export function serveLive(file: string, port: number): { url: string; child: ChildProcess; done: Promise<void> } {
  const url = `http://127.0.0.1:${port}/live.ts`;
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'mpegts', '-listen', '1', url], { stdio: 'ignore' });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { url, child, done };
}

/** Pids of running ffmpeg processes whose parent is this process (Linux /proc). */
export function ffmpegChildren(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...
      const match = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (match && match[1] === 'ffmpeg' && Number(match[3]) === process.pid && match[2] !== 'Z') out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}
