// The pretrained pipeline served by vite, LFW fixture photos, and a gallery enrolled from them, for the camera tests.
import { decodeImageFile, Gallery, loadFacePipelineFromUrl, type FacePipeline, type FacePreset, type RawImage } from '@facerec/web';

/** An LFW fixture photo (fixtures/lfw/images), decoded by the browser. */
export async function lfwPhoto(file: string): Promise<RawImage> {
  const person = file.replace(/_\d{4}\.jpg$/, '');
  const response = await fetch(`${__FACEREC_LFW_URL__}/${person}/${file}`);
  if (!response.ok) throw new Error(`fetching ${file}: HTTP ${response.status}`);
  return decodeImageFile(new File([await response.blob()], file));
}

/** The pretrained pipeline from the installed packages' model folders (served like an app's public folder). */
export function servedPipeline(preset: FacePreset = 'default'): Promise<FacePipeline> {
  return loadFacePipelineFromUrl({ preset, modelUrl: __FACEREC_MODEL_URLS__ });
}

/** A gallery with each person enrolled from the given photos. */
export async function enrolledGallery(pipeline: FacePipeline, people: Record<string, readonly string[]>): Promise<Gallery> {
  const gallery = new Gallery(pipeline);
  for (const [label, files] of Object.entries(people)) {
    const { noFace } = await gallery.enroll(label, await Promise.all(files.map(lfwPhoto)));
    if (noFace.length > 0) throw new Error(`no face found in ${noFace.map((i) => files[i]).join(', ')}`);
  }
  return gallery;
}

/** A canvas showing `photo` (gray or RGB) at (x, y), `side` pixels wide, on a gray background. */
export function paintPhoto(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, photo: ImageBitmap, x: number, y: number, side: number): void {
  ctx.drawImage(photo, x, y, side, side);
}

/** A decoded photo as an ImageBitmap, for drawing. */
export async function photoBitmap(image: RawImage): Promise<ImageBitmap> {
  const data = new ImageData(image.width, image.height);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) data.data[p * 4 + c] = image.data[p * image.channels + (image.channels === 1 ? 0 : c)]!;
    data.data[p * 4 + 3] = 255;
  }
  return createImageBitmap(data);
}
