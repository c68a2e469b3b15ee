// Labelled faces from the files a user picks: a folder per person (<input webkitdirectory>) or files with labels.
import { DatasetError, compareLabels } from '@facerec/core';
import type { LabeledImage, RawImage } from '@facerec/core';
import { decodeImageFile, isImageFileName } from '../input/index.js';

/** Options of {@link loadLabeledFiles}. */
export interface LoadLabeledFilesOptions {
  /**
   * The person in a file. Default: the name of the folder holding it, from `webkitRelativePath`
   * (`photos/alice/1.jpg` → `alice`), as `<input type="file" webkitdirectory>` gives.
   */
  readonly labelOf?: (file: File) => string;
  /** Turns each decoded image into the stored one, e.g. a face crop. Default: the whole image. */
  readonly transform?: (image: RawImage, file: File) => RawImage | Promise<RawImage>;
  /** Called after each file: (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

function pathOf(file: File): string {
  return file.webkitRelativePath || file.name;
}

/** The folder-per-person label: the name of the folder directly holding the file. */
export function folderLabel(file: File): string {
  const parts = pathOf(file).split('/');
  if (parts.length < 2) {
    throw new DatasetError(file.name, 'has no folder to name the person: pick a folder with one subfolder per person (<input webkitdirectory>), or pass labelOf');
  }
  return parts[parts.length - 2]!;
}

/**
 * Decodes the image files among `files` (others, such as README or .DS_Store, are skipped) into labelled
 * images, sorted by path in `compareLabels` order ("2.pgm" before "10.pgm"; the same order on every platform).
 *
 * @throws DatasetError when no image file is left or a file has no label; InvalidImageError for an undecodable image.
 */
export async function loadLabeledFiles(files: FileList | Iterable<File>, options: LoadLabeledFilesOptions = {}): Promise<LabeledImage<RawImage>[]> {
  const images = [...(files as Iterable<File>)]
    .filter((f) => isImageFileName(f.name) && !f.name.startsWith('.'))
    .sort((a, b) => compareLabels(pathOf(a), pathOf(b)));
  if (images.length === 0) throw new DatasetError('files', 'holds no image files (jpg, png, gif, webp, bmp, pgm…)');
  const labelOf = options.labelOf ?? folderLabel;
  const out: LabeledImage<RawImage>[] = [];
  for (const file of images) {
    const label = labelOf(file);
    if (!label) throw new DatasetError(pathOf(file), 'got an empty label');
    const decoded = await decodeImageFile(file);
    const image = options.transform ? await options.transform(decoded, file) : decoded;
    out.push({ image, label, source: pathOf(file) });
    options.onProgress?.(out.length, images.length);
  }
  return out;
}
