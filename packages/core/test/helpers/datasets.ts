// Locates the real face datasets beside the project (or where FACEREC_DATASETS points).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Folder holding orl/ and lfw-dev/: $FACEREC_DATASETS, else ../shared/datasets beside the project. */
export function datasetsRoot(): string {
  return process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');
}

/** Path of one dataset, or undefined (with the reason) when it is not on this machine. */
export function findDataset(name: 'orl' | 'lfw-dev'): { dir?: string; reason: string } {
  const dir = path.join(datasetsRoot(), name);
  if (existsSync(dir)) return { dir, reason: '' };
  return { reason: `dataset ${name} not found at ${dir}; set FACEREC_DATASETS to the folder holding it` };
}
