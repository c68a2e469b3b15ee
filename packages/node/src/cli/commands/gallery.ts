// `facerec gallery list|remove|copy`: look into a gallery, remove people, and move a gallery between stores without re-embedding.
import { FacerecError, type EncryptionOptions, type GalleryEntry, type GalleryStore } from '@facerec/core';
import { FolderGalleryStore } from '../../stores/folder.js';
import { openGalleryStore } from '../../stores/open.js';
import { SqlGalleryStore } from '../../stores/sql-store.js';
import { UsageError, numberFlag, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { encryptionFlag, encryptionFlagOptions, encryptionFlagUsage } from './encryption-flags.js';

export const galleryUsage = `Usage: facerec gallery <list|remove|copy> ... [options]

  facerec gallery list <gallery> [--json]           the people enrolled, with their number of embeddings
  facerec gallery remove <gallery> <label...>       remove people and all their embeddings (a pglite: or postgres://
                                                    gallery is then compacted: nothing of them is left in its files)
  facerec gallery copy <from> <to>                  copy every embedding into a new or empty gallery, without
                                                    re-embedding (also: gallery export / gallery import)

A <gallery> is a folder (./faces), an embedded PostgreSQL in a folder (pglite:./faces) or a PostgreSQL server
with pgvector (postgres://user:password@host/db?gallery=<name>). The copy keeps the embedder, landmark source
and threshold of <from>; a <to> that already holds a gallery of other embeddings is refused.

Options:
  --index <type>         copy into a new pglite:/postgres:// gallery indexed as vector (default) or halfvec
  --lock-timeout <s>     seconds to wait for another process using a folder or pglite: gallery (default 30)
  --json                 list: one JSON object
${encryptionFlagUsage}                         (the key of <gallery>, or of <from> for a copy)
  --to-passphrase-env <VAR>, --to-key-file <file>
                         copy: encrypt <to> (a folder or pglite: gallery) with this passphrase or key; without
                         them the copy is not encrypted
`;

/** `{ encryption }` of the copy's destination, from --to-passphrase-env / --to-key-file. */
async function destinationEncryption(values: Record<string, unknown>): Promise<{ encryption?: EncryptionOptions }> {
  try {
    return await encryptionFlag({ 'passphrase-env': values['to-passphrase-env'], 'key-file': values['to-key-file'] });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message.replace(/--(passphrase-env|key-file)/g, '--to-$1'));
    throw error;
  }
}

/** The store of `target`, or a usage error saying there is no gallery there. */
async function openExisting(target: string, lockTimeoutMs: number | undefined, encryption: { encryption?: EncryptionOptions }): Promise<GalleryStore> {
  const store = await openGalleryStore(target, { ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}), ...encryption });
  if (!store) throw new UsageError(`${target} holds no gallery; make one with "facerec enroll ${target} <label> <photos...>"`);
  return store;
}

export async function galleryCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    index: { type: 'string' }, 'lock-timeout': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    ...encryptionFlagOptions, 'to-passphrase-env': { type: 'string' }, 'to-key-file': { type: 'string' },
  });
  if (values.help) {
    io.out(galleryUsage);
    return 0;
  }
  const [action, ...args] = positionals;
  const lockSeconds = numberFlag(values, 'lock-timeout', 0, 24 * 3600);
  const lockTimeoutMs = lockSeconds !== undefined ? lockSeconds * 1000 : undefined;
  const index = values.index;
  if (index !== undefined && index !== 'vector' && index !== 'halfvec') throw new UsageError(`--index must be vector or halfvec, got "${String(index)}"`);
  const encryption = await encryptionFlag(values);
  switch (action) {
    case 'list': {
      if (args.length !== 1) throw new UsageError('gallery list needs one gallery');
      const store = await openExisting(args[0]!, lockTimeoutMs, encryption);
      try {
        const perPerson = new Map<string, number>();
        for await (const e of store.entries()) perPerson.set(e.label, (perPerson.get(e.label) ?? 0) + 1);
        const people = (await store.labels()).map((label) => ({ label, embeddings: perPerson.get(label) ?? 0 }));
        if (values.json) {
          io.out(`${JSON.stringify({ store: store.kind, ...store.info, people })}\n`);
        } else {
          const total = people.reduce((n, p) => n + p.embeddings, 0);
          io.out(`${args[0]}: ${store.kind} gallery of ${store.info.embedder} embeddings (${store.info.dimensions}-d${store.info.landmarks ? `, ${store.info.landmarks} landmarks` : ''}), threshold ${store.info.threshold}; ${people.length} people, ${total} embeddings\n`);
          for (const p of people) io.out(`  ${p.label}\t${p.embeddings}\n`);
        }
        return 0;
      } finally {
        await store.close();
      }
    }
    case 'remove': {
      if (args.length < 2) throw new UsageError('gallery remove needs a gallery and at least one label');
      const [target, ...labels] = args as [string, ...string[]];
      const store = await openExisting(target, lockTimeoutMs, encryption);
      let missing = 0;
      try {
        for (const label of labels) {
          if (await store.remove(label)) io.out(`removed ${label}\n`);
          else {
            io.err(`${label}: not enrolled in ${target}\n`);
            missing++;
          }
        }
        // A database keeps deleted rows in its files until compacted (a folder is rewritten whole anyway; an
        // encrypted PGlite purges before each save).
        if (store instanceof SqlGalleryStore && missing < labels.length && encryption.encryption === undefined) await store.compact();
      } finally {
        await store.close();
      }
      return missing > 0 ? 1 : 0;
    }
    case 'copy':
    case 'export':
    case 'import': {
      if (args.length !== 2) throw new UsageError(`gallery ${action} needs a source and a destination gallery`);
      const [from, to] = args as [string, string];
      const toEncryption = await destinationEncryption(values);
      const source = await openExisting(from, lockTimeoutMs, encryption);
      try {
        const destination = (await openGalleryStore(to, {
          create: () => Promise.resolve(source.info),
          ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
          ...(index !== undefined ? { indexType: index } : {}),
          ...toEncryption,
        }))!;
        try {
          const { embedder, dimensions, landmarks } = destination.info;
          if (embedder !== source.info.embedder || dimensions !== source.info.dimensions || landmarks !== source.info.landmarks) {
            throw new FacerecError(`${to} holds ${embedder} embeddings (${dimensions}-d, ${landmarks ?? 'unknown'} landmarks), ${from} holds ${source.info.embedder} (${source.info.dimensions}-d, ${source.info.landmarks ?? 'unknown'} landmarks): they do not compare`);
          }
          const already = await destination.count();
          if (already.embeddings > 0) throw new FacerecError(`${to} already holds ${already.people} people (${already.embeddings} embeddings); copy into a new or empty gallery`);
          const added = await copyEntries(source.entries(), destination);
          const count = await destination.count();
          io.out(`copied ${added} embeddings of ${count.people} people from ${from} (${source.kind}) to ${to} (${destination.kind}${toEncryption.encryption ? ', encrypted' : ''})\n`);
          return 0;
        } finally {
          await destination.close();
        }
      } finally {
        await source.close();
      }
    }
    default:
      throw new UsageError(action === undefined ? 'gallery needs list, remove or copy' : `unknown gallery action "${action}"`);
  }
}

/** Adds `entries` to `store` as fast as it allows (one save or bulk insert where it has one). */
async function copyEntries(entries: AsyncIterable<GalleryEntry>, store: GalleryStore): Promise<number> {
  if (store instanceof SqlGalleryStore || store instanceof FolderGalleryStore) return store.bulkLoad(entries);
  let added = 0;
  for await (const e of entries) {
    await store.add(e.label, [e.embedding]);
    added++;
  }
  return added;
}
