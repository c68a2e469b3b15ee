// A real PostgreSQL 15 server (Debian's, through pg_virtualenv) without pgvector: opening a gallery there is a GalleryStoreError naming the extension.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GalleryStoreError, openPostgresStore } from '@facerec/node';

// pg_virtualenv (postgresql-common) starts a throwaway cluster, as root; scripts/install-system-deps.sh installs it.
const root = process.getuid?.() === 0;
const haveVirtualenv = spawnSync('sh', ['-c', 'command -v pg_virtualenv'], { stdio: 'ignore' }).status === 0;
const reason = !root ? 'needs root (pg_virtualenv creates a cluster)' : !haveVirtualenv ? 'needs PostgreSQL (scripts/install-system-deps.sh installs it)' : '';

/** Starts a throwaway cluster; resolves its URL and a function that drops it. */
function startCluster(): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pg_virtualenv', ['--', 'bash', '-c', 'echo "URL postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"; read line'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /URL (\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, stop: async () => { child.stdin.end('\n'); await exited; } });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(() => reject(new Error(`pg_virtualenv ended before the cluster was up: ${out}`)));
  });
}

describe.skipIf(reason !== '')(`PostgreSQL 15 without pgvector${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('refuses to open a gallery with a GalleryStoreError naming the missing extension, and creates nothing', async () => {
    const cluster = await startCluster();
    try {
      const error = await openPostgresStore(`${cluster.url}?gallery=staff`, { create: async () => ({ embedder: 'test', dimensions: 8, threshold: 0.5 }) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GalleryStoreError);
      expect((error as GalleryStoreError).missingExtension).toBe('vector');
      expect((error as Error).message).toMatch(/lacks the pgvector extension \("vector"\)/);
      // The password is not in the message.
      expect((error as Error).message).not.toContain(new URL(cluster.url).password);
      // The migration ran in one transaction: nothing of it is left behind.
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: cluster.url });
      await client.connect();
      const tables = await client.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'facerec%'");
      await client.end();
      expect(tables.rows).toEqual([]);
    } finally {
      await cluster.stop();
    }
  }, 180_000);
});
