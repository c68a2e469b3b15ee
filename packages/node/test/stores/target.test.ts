// Gallery targets (folder, pglite:, postgres://) and the typed error when an optional store package is not installed.
import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '@facerec/core';
import { MissingPackageError, parseGalleryTarget } from '../../src/stores/index.js';

describe('parseGalleryTarget', () => {
  it('tells a folder, pglite: and a PostgreSQL URL apart, and keeps the password out of the display form', () => {
    expect(parseGalleryTarget('./faces')).toEqual({ kind: 'folder', dir: './faces' });
    expect(parseGalleryTarget('pglite:./faces')).toEqual({ kind: 'pglite', dir: './faces' });
    const pg = parseGalleryTarget('postgres://ann:s3cret@db.internal:5433/faces?gallery=staff&sslmode=disable');
    expect(pg).toMatchObject({ kind: 'postgres', gallery: 'staff' });
    if (pg.kind !== 'postgres') throw new Error('not postgres');
    expect(pg.url).toBe('postgres://ann:s3cret@db.internal:5433/faces?sslmode=disable');
    expect(pg.display).not.toContain('s3cret');
    expect(pg.display).toContain('gallery=staff');
    expect(parseGalleryTarget('postgresql://db/faces')).toMatchObject({ kind: 'postgres', gallery: 'default' });
  });

  it('refuses an empty target, an empty pglite folder and a bad gallery name', () => {
    expect(() => parseGalleryTarget('')).toThrow(InvalidArgumentError);
    expect(() => parseGalleryTarget('pglite:')).toThrow(/needs a folder/);
    expect(() => parseGalleryTarget("postgres://db/faces?gallery=a';drop")).toThrow(/gallery name/);
  });
});

describe('a store package that is not installed', () => {
  it('is a MissingPackageError naming the package to install', async () => {
    vi.resetModules();
    vi.doMock('@electric-sql/pglite', () => {
      throw new Error('Cannot find package');
    });
    vi.doMock('pg', () => {
      throw new Error('Cannot find package');
    });
    try {
      const { openPgliteStore, openPostgresStore } = await import('../../src/stores/index.js');
      const pglite = await openPgliteStore('/nonexistent/faces').catch((e: unknown) => e);
      expect(pglite).toBeInstanceOf(Error);
      expect((pglite as MissingPackageError).packageName).toBe('@electric-sql/pglite@0.5.14');
      expect((pglite as Error).message).toMatch(/needs the package @electric-sql\/pglite@0\.5\.14, which is not installed/);
      const pg = await openPostgresStore('postgres://db/faces').catch((e: unknown) => e);
      expect((pg as MissingPackageError).packageName).toBe('pg');
    } finally {
      vi.doUnmock('@electric-sql/pglite');
      vi.doUnmock('pg');
      vi.resetModules();
    }
  });
});
