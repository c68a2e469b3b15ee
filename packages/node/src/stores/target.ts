// Parses a gallery target: a folder (`./dir`), an embedded PGlite database (`pglite:./dir`) or a PostgreSQL URL.
import { InvalidArgumentError } from '@facerec/core';

/** Where a gallery lives, parsed from its target string. */
export type GalleryTarget =
  | { readonly kind: 'folder'; readonly dir: string }
  | { readonly kind: 'pglite'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly gallery: string; readonly display: string };

/** The gallery name a PostgreSQL URL uses without `?gallery=`. */
export const DEFAULT_GALLERY_NAME = 'default';

/**
 * Reads a gallery target: `postgres://…` or `postgresql://…` (a server; `?gallery=<name>` picks one of several
 * galleries in the database, default `default`), `pglite:<dir>` (an embedded PostgreSQL in a folder), anything
 * else a gallery folder.
 * @throws InvalidArgumentError naming `name` for an empty target or a malformed URL.
 */
export function parseGalleryTarget(target: string, name = 'gallery'): GalleryTarget {
  if (typeof target !== 'string' || target.trim() === '') throw new InvalidArgumentError(name, 'must be a folder, pglite:<folder> or a postgres:// URL');
  if (/^postgres(ql)?:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch (error) {
      throw new InvalidArgumentError(name, `is not a valid PostgreSQL URL (${(error as Error).message})`, { cause: error });
    }
    const gallery = url.searchParams.get('gallery') ?? DEFAULT_GALLERY_NAME;
    if (!/^[\p{L}\p{N}_.-]{1,100}$/u.test(gallery)) throw new InvalidArgumentError(name, `gallery name "${gallery}" must be 1–100 letters, digits, "_", "." or "-"`);
    url.searchParams.delete('gallery');
    const display = new URL(url.href);
    if (display.password) display.password = '***';
    return { kind: 'postgres', url: url.href, gallery, display: `${display.href}${display.search ? '&' : '?'}gallery=${gallery}` };
  }
  if (target.startsWith('pglite:')) {
    const dir = target.slice('pglite:'.length);
    if (dir === '') throw new InvalidArgumentError(name, 'pglite: needs a folder, e.g. pglite:./faces');
    return { kind: 'pglite', dir };
  }
  return { kind: 'folder', dir: target };
}
