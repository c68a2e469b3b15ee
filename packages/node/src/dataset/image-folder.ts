// Loads a folder-per-person dataset (label = folder name), decodes it and splits it into train and test.
import { DatasetError, UNKNOWN, type LabeledImage, type RawImage } from '@facerec/core';
import { decodeFiles } from './decode-files.js';
import { checkOnCorrupt, checkSplit, positiveInt } from './options.js';
import { scanImageFolder, type PersonFolder } from './scan.js';
import { splitPerson } from './split.js';
import type { ImageFolderDataset, ImageFolderOptions, SkippedFile } from './types.js';

/** A person with decoded images, in natural file order. */
interface DecodedPerson {
  readonly folder: PersonFolder;
  readonly images: Array<{ image: RawImage; source: string }>;
}

/**
 * Loads `dir/<person>/<image>` like Keras's flow_from_directory: each sub-folder is one person, its
 * name the label. Images of any supported format and size are decoded (preprocessing resizes later).
 *
 * @throws DatasetError naming the folder at fault: `dir` missing or not a folder, no person folders,
 *   fewer than 2 people, a person folder without images, or a `first` split leaving a person without
 *   test images.
 * @throws DatasetError naming a person folder called "unknown" (the reserved answer for faces that match nobody).
 * @throws InvalidImageError naming the first corrupt image and listing all of them, unless `onCorrupt: 'skip'`.
 * @throws InvalidArgumentError for bad options; AbortError when `signal` aborts.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const split = checkSplit(options.split ?? { type: 'none' });
  const onCorrupt = checkOnCorrupt(options.onCorrupt);
  const concurrency = positiveInt('concurrency', options.concurrency, 8);
  const minImages =
    options.minImagesPerPerson === undefined ? undefined : positiveInt('minImagesPerPerson', options.minImagesPerPerson, 1);
  const { signal } = options;

  const scan = await scanImageFolder(dir, signal, concurrency);
  const reserved = scan.people.find((p) => p.label === UNKNOWN);
  if (reserved) {
    throw new DatasetError(reserved.dir, `a person folder may not be called "${UNKNOWN}": that is the answer for faces that match nobody; rename the folder`);
  }
  const skipped: SkippedFile[] = [...scan.skipped];
  // Drop or reject small people before decoding, so no time is spent on images that will not be used.
  const candidates = scan.people.filter((person) => keepPerson(person, person.files.length, minImages, skipped));
  requireTwoPeople(dir, candidates.length, scan.people.length);

  const decoded = await decodeFiles(
    candidates.flatMap((p) => p.files),
    { concurrency, onCorrupt, signal, decode: options.decode },
  );
  skipped.push(...decoded.skipped);
  const people: DecodedPerson[] = [];
  let offset = 0;
  for (const folder of candidates) {
    const images = folder.files
      .map((source, i) => ({ source, image: decoded.images[offset + i] }))
      .filter((x): x is { source: string; image: RawImage } => x.image !== undefined);
    offset += folder.files.length;
    if (keepPerson(folder, images.length, minImages, skipped, 'readable ')) people.push({ folder, images });
  }
  requireTwoPeople(dir, people.length, scan.people.length);

  const train: LabeledImage[] = [];
  const test: LabeledImage[] = [];
  const counts: Record<string, { train: number; test: number }> = {};
  for (const { folder, images } of people) {
    const parts = splitPerson(images.length, split, folder.label, folder.dir);
    const label = folder.label;
    for (const i of parts.train) train.push({ image: images[i]!.image, label, source: images[i]!.source });
    for (const i of parts.test) test.push({ image: images[i]!.image, label, source: images[i]!.source });
    counts[label] = { train: parts.train.length, test: parts.test.length };
  }
  // scan.people is already in natural order, and so are the labels taken from it.
  return { root: dir, labels: people.map((p) => p.folder.label), train, test, skipped, counts };
}

/**
 * Whether a person with `count` images stays. Below `minImages` they are dropped into `skipped`;
 * without `minImages` an empty person is an error (an empty folder is usually a mistake).
 */
function keepPerson(
  person: PersonFolder,
  count: number,
  minImages: number | undefined,
  skipped: SkippedFile[],
  kind = '',
): boolean {
  if (minImages === undefined) {
    if (count === 0) {
      throw new DatasetError(person.dir, `person folder "${person.label}" has no ${kind}images`);
    }
    return true;
  }
  if (count >= minImages) return true;
  skipped.push({ file: person.dir, reason: `only ${count} ${kind}image(s), fewer than minImagesPerPerson ${minImages}` });
  return false;
}

function requireTwoPeople(dir: string, kept: number, found: number): void {
  if (kept >= 2) return;
  const dropped = found > kept ? ` (${found - kept} of ${found} dropped by minImagesPerPerson)` : '';
  throw new DatasetError(dir, `found ${kept} person folder(s)${dropped}; recognition needs at least 2 people`);
}
