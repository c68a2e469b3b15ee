// Finds the ORL faces as the README says: $FACEREC_DATA, $FACEREC_DATASETS/orl, ../shared/datasets/orl, the vendored copy.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** Folders searched for ORL, in order. */
export function orlCandidates() {
  return [
    process.env.FACEREC_DATA,
    process.env.FACEREC_DATASETS && join(process.env.FACEREC_DATASETS, 'orl'),
    resolve(repo, '../shared/datasets/orl'),
    join(repo, 'examples/data/orl'),
  ].filter(Boolean);
}

/** The first folder holding ORL (s1/1.pgm), or undefined. */
export function findOrl() {
  return orlCandidates().find((dir) => existsSync(join(dir, 's1', '1.pgm')));
}
