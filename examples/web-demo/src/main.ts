// The facerec web demo: enrol faces (webcam, photos, folders), train in the page, recognise photos and live video.
import {
  centerSquareBox,
  centerSquareLocator,
  cropFaces,
  decodeImageFile,
  describeBackendSelection,
  downloadRecognizer,
  drawRecognizedFaces,
  faceLabel,
  FaceRecognizer,
  FaceStore,
  importRecognizer,
  initBackend,
  loadLabeledFiles,
  loadRecognizer,
  recognizeFaces,
  runFrameLoop,
  saveRecognizer,
  splitDataset,
  switchBackend,
  toImageData,
  trainRecognizer,
  warmup,
} from './facerec.js';
import type { BackendRequest, FrameLoop, RawImage } from './facerec.js';

const MODEL_NAME = 'facerec-demo';
/** The stand-in face detector: a centred square, 90% of the shorter side, for enrolling and recognising alike. */
const CROP = { fraction: 0.9 };
const locate = centerSquareLocator(CROP);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const say = (id: string, text: string): void => void ($(id).textContent = text);
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

let recognizer: FaceRecognizer | undefined;
let backend: BackendRequest = 'auto';
let activeBackend = '';
let store: FaceStore;
let loop: FrameLoop | undefined;
let busy = false;

/** Runs `work` with the buttons disabled, reporting a failure in `statusId`. */
async function guarded(statusId: string, work: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  document.body.classList.add('busy');
  try {
    await work();
  } catch (error) {
    console.error(error);
    say(statusId, `Error: ${errorText(error)}`);
  } finally {
    document.body.classList.remove('busy');
    busy = false;
  }
}

async function useBackend(request: BackendRequest): Promise<void> {
  say('backend-status', `starting ${request}…`);
  const { selection, recognizers } = await switchBackend(request, recognizer ? [recognizer] : []);
  recognizer = recognizers[0];
  backend = request;
  activeBackend = selection.backend;
  say('backend-status', describeBackendSelection(selection));
  document.body.dataset.backend = selection.backend;
}

// ---- gallery ---------------------------------------------------------------------------------------------------

async function showGallery(): Promise<void> {
  const counts = await store.counts();
  const list = $('gallery');
  list.replaceChildren(...[...counts].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true })).map(([label, n]) => {
    const item = document.createElement('li');
    item.textContent = `${label} · ${n}`;
    return item;
  }));
  const faces = [...counts.values()].reduce((a, b) => a + b, 0);
  say('enroll-status', faces ? `${faces} faces of ${counts.size} people enrolled.` : 'Nobody enrolled yet.');
}

function personName(): string {
  const name = $<HTMLInputElement>('person-name').value.trim();
  if (!name) throw new Error('type the person’s name first');
  return name;
}

/** The face crop of a decoded photo (the same box recognition will use). */
async function faceOf(image: RawImage): Promise<RawImage> {
  return (await cropFaces(toImageData(image), locate))[0]!;
}

// ---- photo -----------------------------------------------------------------------------------------------------

async function recognizePhoto(file: File): Promise<void> {
  const image = toImageData(await decodeImageFile(file));
  const canvas = $<HTMLCanvasElement>('photo-canvas');
  const scale = Math.max(1, Math.min(4, Math.floor(360 / Math.max(image.width, image.height))));
  canvas.width = image.width * scale;
  canvas.height = image.height * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(await createImageBitmap(image), 0, 0, canvas.width, canvas.height);
  if (!recognizer) {
    say('photo-result', 'Enrol people and train first (or load a model).');
    return;
  }
  const faces = await recognizeFaces(recognizer, image, { locate, source: file.name });
  const scoreKind = recognizer.scoreKind;
  drawRecognizedFaces(ctx, faces, { scale, lineWidth: 4, scoreKind });
  say('photo-result', faces.length ? faces.map((f) => faceLabel(f, scoreKind)).join(', ') : 'No face found.');
  $('photo-result').dataset.label = faces[0]?.label ?? '';
}

// ---- camera ----------------------------------------------------------------------------------------------------

async function startCamera(): Promise<void> {
  const video = $<HTMLVideoElement>('video');
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  await video.play();
  const overlay = $<HTMLCanvasElement>('overlay');
  overlay.width = video.videoWidth;
  overlay.height = video.videoHeight;
  const ctx = overlay.getContext('2d')!;
  if (recognizer) await warmup(recognizer, { box: centerSquareBox({ width: video.videoWidth, height: video.videoHeight }, CROP) });
  loop = runFrameLoop(video, async () => {
    const size = { width: video.videoWidth, height: video.videoHeight };
    if (recognizer) {
      drawRecognizedFaces(ctx, await recognizeFaces(recognizer, video, { locate, source: 'camera' }), { clear: true, lineWidth: 6, font: '28px system-ui, sans-serif' });
    } else {
      ctx.clearRect(0, 0, overlay.width, overlay.height);
      const box = centerSquareBox(size, CROP);
      ctx.setLineDash([8, 6]);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 3;
      ctx.strokeRect(box.x, box.y, box.width, box.height);
      ctx.setLineDash([]);
    }
    say('fps', `${loop!.fps.toFixed(1)} fps · ${loop!.lastFrameMs.toFixed(0)} ms/frame · ${activeBackend}`);
  });
  loop.done.catch((e: unknown) => say('fps', `Error: ${errorText(e)}`));
  $<HTMLButtonElement>('start-camera').disabled = true;
  $<HTMLButtonElement>('stop-camera').disabled = false;
}

function stopCamera(): void {
  loop?.stop();
  loop = undefined;
  const video = $<HTMLVideoElement>('video');
  (video.srcObject as MediaStream | null)?.getTracks().forEach((t) => t.stop());
  video.srcObject = null;
  $<HTMLCanvasElement>('overlay').getContext('2d')!.clearRect(0, 0, 9999, 9999);
  say('fps', 'camera off');
  $<HTMLButtonElement>('start-camera').disabled = false;
  $<HTMLButtonElement>('stop-camera').disabled = true;
}

// ---- training --------------------------------------------------------------------------------------------------

async function train(): Promise<void> {
  const dataset = await store.toDataset();
  const people = new Set(dataset.map((d) => d.label));
  if (people.size < 2) throw new Error('enrol at least two people');
  const size = Number($<HTMLSelectElement>('input-size').value);
  const epochs = Number($<HTMLInputElement>('epochs').value);
  // Hold out a fifth of each person's faces when everyone has three or more, so the accuracy means something.
  const enough = [...people].every((p) => dataset.filter((d) => d.label === p).length >= 3);
  const { train: trainSet, test: testSet } = enough ? splitDataset(dataset, 0.2, 1) : { train: dataset, test: dataset };

  // WASM cannot train: train on the chosen backend when it can (WebGPU, CPU), else on the best one that can,
  // then come back to the chosen backend for recognition.
  const training = await initBackend(backend === 'webgpu' || backend === 'cpu' ? backend : 'auto', { task: 'training' });
  activeBackend = training.backend;
  say('train-status', `Training on ${training.backend}: ${trainSet.length} faces of ${people.size} people, ${size}×${size}, ${epochs} epochs…`);
  const next = new FaceRecognizer({ inputSize: [size, size], channels: 1, seed: 1 });
  const progress = $<HTMLProgressElement>('train-progress');
  const result = await trainRecognizer(next, trainSet, {
    epochs,
    batchSize: 16,
    onProgress: (p) => {
      progress.value = p.fraction;
      say('train-status', `Training on ${training.backend}: epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toFixed(3)}, accuracy ${(p.accuracy * 100).toFixed(0)}%`);
    },
  });
  recognizer?.dispose();
  recognizer = next;
  const report = await recognizer.evaluate(testSet);
  const right = Math.round(report.accuracy * testSet.length);
  say('train-status', `Trained on ${training.backend} in ${result.seconds.toFixed(1)} s (${result.epochsRun} epochs).`);
  const accuracy = $('accuracy');
  accuracy.textContent = `Accuracy on ${testSet.length} ${enough ? 'held-out' : 'training'} faces: ${(report.accuracy * 100).toFixed(1)}% (${right}/${testSet.length})`;
  accuracy.dataset.accuracy = String(report.accuracy);
  await saveRecognizer(recognizer, MODEL_NAME);
  say('model-status', `Saved in this browser as "${MODEL_NAME}".`);
  // Back to the chosen backend for recognition; switchBackend copies the weights (tfjs cannot move them off WebGPU).
  await useBackend(backend);
  document.body.dataset.trained = 'true';
}

// ---- wiring ----------------------------------------------------------------------------------------------------

function onFiles(id: string, statusId: string, handle: (files: File[]) => Promise<void>): void {
  const input = $<HTMLInputElement>(id);
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) void guarded(statusId, () => handle(files));
  });
}

async function main(): Promise<void> {
  store = await FaceStore.open('facerec-demo-faces');
  await showGallery();
  await useBackend('auto');
  try {
    recognizer = await loadRecognizer(MODEL_NAME);
    say('model-status', `Loaded "${MODEL_NAME}" from this browser: ${recognizer.labels.length} people.`);
  } catch {
    say('model-status', 'No saved model yet.');
  }

  $<HTMLSelectElement>('backend').addEventListener('change', (e) => void guarded('backend-status', () => useBackend((e.target as HTMLSelectElement).value as BackendRequest)));
  $('start-camera').addEventListener('click', () => void guarded('fps', startCamera));
  $('stop-camera').addEventListener('click', stopCamera);
  $('enroll-camera').addEventListener('click', () => void guarded('enroll-status', async () => {
    const video = $<HTMLVideoElement>('video');
    if (!video.srcObject) throw new Error('start the camera first');
    const [face] = await cropFaces(video, locate, 'camera');
    await store.add(personName(), face!, 'webcam');
    await showGallery();
  }));
  onFiles('enroll-photos', 'enroll-status', async (files) => {
    const name = personName();
    for (const file of files) await store.add(name, await faceOf(await decodeImageFile(file)), file.name);
    await showGallery();
  });
  onFiles('enroll-folder', 'enroll-status', async (files) => {
    const faces = await loadLabeledFiles(files, {
      transform: faceOf,
      onProgress: (done, total) => say('enroll-status', `Reading ${done}/${total}…`),
    });
    for (const f of faces) await store.add(f.label, f.image, f.source);
    await showGallery();
  });
  $('export-faces').addEventListener('click', () => void guarded('enroll-status', async () => {
    const file = await store.exportFile();
    const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(file), download: file.name });
    link.click();
  }));
  onFiles('import-faces', 'enroll-status', async ([file]) => {
    say('enroll-status', `Imported ${await store.importFile(file!)} faces.`);
    await showGallery();
  });
  $('clear-gallery').addEventListener('click', () => void guarded('enroll-status', async () => {
    await store.clear();
    await showGallery();
  }));
  $('train').addEventListener('click', () => void guarded('train-status', train));
  onFiles('photo-input', 'photo-result', async ([file]) => recognizePhoto(file!));
  $('save-model').addEventListener('click', () => void guarded('model-status', async () => {
    if (!recognizer) throw new Error('no model yet');
    await saveRecognizer(recognizer, MODEL_NAME);
    say('model-status', `Saved in this browser as "${MODEL_NAME}".`);
  }));
  $('load-model').addEventListener('click', () => void guarded('model-status', async () => {
    const loaded = await loadRecognizer(MODEL_NAME);
    recognizer?.dispose();
    recognizer = loaded;
    say('model-status', `Loaded "${MODEL_NAME}": ${loaded.labels.join(', ')}.`);
  }));
  $('export-model').addEventListener('click', () => void guarded('model-status', async () => {
    if (!recognizer) throw new Error('no model yet');
    await downloadRecognizer(recognizer, MODEL_NAME);
  }));
  onFiles('import-model', 'model-status', async (files) => {
    const loaded = await importRecognizer(files);
    recognizer?.dispose();
    recognizer = loaded;
    say('model-status', `Opened ${files.map((f) => f.name).join(' + ')}: ${loaded.labels.join(', ')}.`);
  });
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  console.error(error);
  say('backend-status', `Error: ${errorText(error)}`);
});
