// Removing rows from a PGlite folder so that their bytes are gone from it: VACUUM FULL, then WAL segments removed, not recycled.
/** The one method of a PGlite database (or transaction-free client) the purge needs. */
export interface SqlExec {
  exec(sql: string): Promise<unknown>;
}

/**
 * Makes deleted rows of `table` unrecoverable from the database folder. A DELETE only marks rows dead; plain
 * VACUUM frees their space without overwriting it; and PostgreSQL's write-ahead log keeps every inserted row
 * in its segment files, which it recycles (renames for reuse) without zeroing. So: `VACUUM FULL` rewrites the
 * table and its indexes without the dead rows (the old files are deleted at the next checkpoint), then WAL
 * recycling is turned off for this session, the log is switched to a new segment and a checkpoint deletes the
 * old segments. Measured on PGlite 0.5.14: a deleted embedding's bytes were in pg_wal after VACUUM FULL +
 * CHECKPOINT, and in no file after this purge. It rebuilds the HNSW index, so its cost grows with the table:
 * purge after a batch of removals, not after each.
 *
 * Each statement runs on its own: VACUUM cannot run inside a transaction block. Call it outside a transaction.
 */
export async function purgeDeleted(db: SqlExec, table: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error(`purgeDeleted: "${table}" is not a plain table name`);
  await db.exec(`VACUUM FULL ${table}`);
  await db.exec('SET wal_recycle = off');
  try {
    // Twice: a checkpoint deletes only segments before the previous checkpoint's redo point.
    for (let i = 0; i < 2; i++) {
      await db.exec('SELECT pg_switch_wal()');
      await db.exec('CHECKPOINT');
    }
  } finally {
    await db.exec('RESET wal_recycle');
  }
}
