// The live demo: camera with every face named live, people kept in IndexedDB (camera enrolment with quality checks, photos, export/import), face unlock.
import {
  decodeImageFile,
  describeBackendSelection,
  FaceMesh,
  FaceUnlock,
  Gallery,
  IndexedDbGalleryStore,
  initBackend,
  loadFacePipelineFromUrl,
  openCamera,
  recognizeVideo,
} from './facerec.js';
import type { BackendRequest, Camera, FaceUnlockEvent, LiveFace, LiveLoop } from './facerec.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const say = (id: string, text: string): void => void ($(id).textContent = text);
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** The model files, served by the app (vite.config.ts serves the installed packages' folders at /models). */
const MODEL_URL = '/models';

// ?backend=wasm (or webgpu, cpu) picks one; default auto (WebGPU, else WASM, else CPU).
const selection = await initBackend((new URLSearchParams(location.search).get('backend') ?? 'auto') as BackendRequest);
say('status', `${describeBackendSelection(selection)} — loading models…`);
const pipeline = await loadFacePipelineFromUrl({ modelUrl: MODEL_URL });
const mesh = await FaceMesh.load({ modelUrl: MODEL_URL });
const store = await IndexedDbGalleryStore.open('facerec-demo-people', { info: new Gallery(pipeline).store.info });
const gallery = new Gallery(pipeline, { store });
const unlock = new FaceUnlock({ pipeline, gallery, mesh });
let camera: Camera | undefined;
let loop: LiveLoop | undefined;
/** What the page shows and the screenshot script reads: the faces of the last frame. */
const demo = window as unknown as { liveFaces: LiveFace[]; enrolled: number };
demo.liveFaces = [];
demo.enrolled = 0;
say('status', `${selection.backend} · models loaded`);
for (const id of ['start', 'enroll-camera', 'unlock']) $<HTMLButtonElement>(id).disabled = false;

async function showPeople(): Promise<void> {
  const list = $('gallery');
  list.replaceChildren();
  const count = await gallery.count();
  for (const label of await gallery.labels()) {
    const item = document.createElement('li');
    const remove = document.createElement('button');
    remove.textContent = '×';
    remove.title = `remove ${label} and their embeddings`;
    remove.onclick = () => void gallery.remove(label).then(showPeople);
    item.append(`${label} `, remove);
    list.append(item);
  }
  demo.enrolled = count.people;
  say('people-status', `${count.people} people, ${count.embeddings} embeddings (${gallery.embedderName}, landmarks ${gallery.landmarks ?? '?'})`);
}

function startLoop(): void {
  if (!camera) return;
  loop = recognizeVideo(camera.video, {
    pipeline, gallery, overlay: $<HTMLCanvasElement>('overlay'),
    onFaces: ({ faces }, { fps }) => {
      demo.liveFaces = faces;
      say('fps', `${fps.toFixed(1)} fps · ${faces.length} face${faces.length === 1 ? '' : 's'}`);
      say('names', faces.map((f) => `#${f.trackId} ${f.named ? f.label : '…'}`).join(' · '));
    },
  });
  loop.done.catch((e: unknown) => say('fps', `stopped: ${errorText(e)}`));
}

async function pauseLoop(): Promise<void> {
  loop?.stop();
  await loop?.done.catch(() => undefined);
  loop = undefined;
}

$('start').onclick = async () => {
  try {
    camera ??= await openCamera({ video: $<HTMLVideoElement>('video') });
    if (!loop) startLoop();
  } catch (e) {
    say('fps', `camera: ${errorText(e)}`);
  }
};

$('enroll-camera').onclick = async () => {
  const name = $<HTMLInputElement>('name').value.trim();
  if (!name || !camera) return say('people-status', name ? 'start the camera first' : 'type a name first');
  await pauseLoop();
  const off = unlock.on((e: FaceUnlockEvent) => {
    if (e.type === 'quality') say('people-status', e.quality ? `${e.accepted}/${e.needed} good frames${e.quality.problems.length ? ` — ${e.quality.problems.join(', ')}` : ''}` : 'no face');
  });
  try {
    await unlock.enroll(name, camera.video, { frames: 5 });
    await showPeople();
  } catch (e) {
    say('people-status', errorText(e));
  } finally {
    off();
    startLoop();
  }
};

$<HTMLInputElement>('photos').onchange = async (event) => {
  const name = $<HTMLInputElement>('name').value.trim();
  const files = [...((event.target as HTMLInputElement).files ?? [])];
  if (!name) return say('people-status', 'type a name first');
  say('people-status', `enrolling ${name} from ${files.length} photo${files.length === 1 ? '' : 's'}…`);
  try {
    const { added, noFace } = await gallery.enroll(name, await Promise.all(files.map((f) => decodeImageFile(f))));
    say('people-status', `${name}: ${added} photo${added === 1 ? '' : 's'} enrolled${noFace.length ? `, no face in ${noFace.map((i) => files[i]!.name).join(', ')}` : ''}`);
    await showPeople();
  } catch (e) {
    say('people-status', errorText(e));
  }
};

$('export').onclick = async () => {
  for (const file of await store.exportFiles()) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(file);
    link.download = file.name;
    link.click();
  }
};

$<HTMLInputElement>('import').onchange = async (event) => {
  try {
    const added = await store.importFiles((event.target as HTMLInputElement).files ?? []);
    say('people-status', `imported ${added} embeddings`);
    await showPeople();
  } catch (e) {
    say('people-status', errorText(e));
  }
};

$('unlock').onclick = async () => {
  if (!camera) return say('unlock-status', 'start the camera first');
  await pauseLoop();
  const off = unlock.on((e: FaceUnlockEvent) => {
    if (e.type === 'challenge') say('unlock-status', e.challenge === 'blink' ? 'Blink, please.' : `Turn your head to your ${e.challenge === 'turn-left' ? 'left' : 'right'}.`);
    if (e.type === 'progress' && e.matches < e.needed) say('unlock-status', `Recognising… ${e.matches}/${e.needed}`);
  });
  try {
    const result = await unlock.unlock(camera.video);
    say('unlock-status', result.unlocked ? `Unlocked: welcome, ${result.label}.` : `Refused (${result.reason}).`);
  } finally {
    off();
    startLoop();
  }
};

await showPeople();
