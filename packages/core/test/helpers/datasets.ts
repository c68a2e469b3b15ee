// Where tests find real faces: small sets committed in the repository (fixtures/, examples/data/orl), never ../shared.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The AT&T (ORL) faces, complete: 40 people `s1`..`s40` × 10 PGMs, 92×112 gray (also what the demo trains on). */
export const ORL_DIR = path.join(repoRoot, 'examples', 'data', 'orl');

/** 40 LFW people × 2–3 grayscale 250×250 JPEGs (`images/Name/Name_0001.jpg`) and `pairs.txt`, 5 folds × 5 + 5 pairs. */
export const LFW_DIR = path.join(repoRoot, 'fixtures', 'lfw');

/** Yale faces: `subjectNN/subjectNN.<condition>.png`, 320×243 gray, lit and evenly lit conditions (see YALE_CONDITIONS). */
export const YALE_DIR = path.join(repoRoot, 'fixtures', 'yale');
export const YALE_SUBJECTS = ['subject02', 'subject03', 'subject04', 'subject05', 'subject06'] as const;
/** Evenly lit first, then the three with strong directional light. */
export const YALE_CONDITIONS = ['normal', 'happy', 'sad', 'centerlight', 'leftlight', 'rightlight'] as const;

/** Path of image `n` of `name` in the LFW fixture. */
export function lfwImage(name: string, n: number): string {
  return path.join(LFW_DIR, 'images', name, `${name}_${String(n).padStart(4, '0')}.jpg`);
}

/** The LFW fixture's people, in code-unit order, each with its image numbers (ascending). */
export function lfwPeople(): Array<{ name: string; images: number[] }> {
  const root = path.join(LFW_DIR, 'images');
  return readdirSync(root)
    .sort()
    .map((name) => ({
      name,
      images: readdirSync(path.join(root, name)).map((f) => Number(f.slice(name.length + 1, -4))).sort((a, b) => a - b),
    }));
}

/** Path of a Yale fixture photo. */
export function yaleImage(subject: (typeof YALE_SUBJECTS)[number], condition: (typeof YALE_CONDITIONS)[number]): string {
  return path.join(YALE_DIR, subject, `${subject}.${condition}.png`);
}
