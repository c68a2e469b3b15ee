// Benchmark page part (driven by bench/web.mjs): the live loop's frames done by @vladmandic/face-api (its detector + descriptor), for the side-by-side.

/** What the peer's loop measured, in the shape of `live` (keys as in bench-results/web.json). */
export interface PeerLiveResult {
  library: string;
  detector: string;
  backend: string;
  threads: number;
  faces: number;
  named: number;
  ms_per_frame_p50: number;
  ms_per_frame_p95: number;
  /** CPU time of all Chromium's processes per counted frame, as `live` measures it. */
  cpu_ms_per_frame?: number;
}

/** CPU seconds of the browser's processes so far (bench/web.mjs exposes `facerecCpuSeconds`), NaN without it. */
async function cpuSeconds(): Promise<number> {
  const read = (window as unknown as { facerecCpuSeconds?: () => Promise<number> }).facerecCpuSeconds;
  return read ? read() : Number.NaN;
}

/** The part of face-api's ESM bundle (it carries its own tfjs 4.22) this page uses. */
interface FaceApi {
  tf: {
    setWasmPaths(prefix: string): void;
    setThreadsCount?(n: number): void;
    getThreadsCount?(): number;
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
  };
  nets: Record<'ssdMobilenetv1' | 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceRecognitionNet', { loadFromUri(url: string): Promise<void> }>;
  SsdMobilenetv1Options: new (options: { minConfidence: number }) => object;
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => object;
  detectAllFaces(input: HTMLCanvasElement, options: object): {
    withFaceLandmarks(): { withFaceDescriptors(): Promise<Array<{ descriptor: Float32Array }>> };
  };
  FaceMatcher: new (descriptors: Array<{ label: string; descriptors: Float32Array[] }>, distance: number) => { findBestMatch(d: Float32Array): { label: string } };
  LabeledFaceDescriptors: new (label: string, descriptors: Float32Array[]) => { label: string; descriptors: Float32Array[] };
}

/**
 * face-api's usual loop on the same 640×480 frames as `runLive` (the same photos, drifting the same way):
 * detect every face, its 68 landmarks and its descriptor on every frame (face-api has no tracker), then
 * name each with a FaceMatcher of the first photo. WASM, `threads` threads like facerec's run; 10 warm-up frames.
 */
export async function runPeer(faceApiUrl: string, wasmDir: string, modelUrl: string, photos: string[], frames: number, detector: 'ssd' | 'tiny', threads: number): Promise<PeerLiveResult> {
  const faceapi = (await import(/* @vite-ignore */ faceApiUrl)) as FaceApi;
  faceapi.tf.setWasmPaths(`${wasmDir.replace(/\/+$/, '')}/`);
  faceapi.tf.setThreadsCount?.(threads);
  if (!(await faceapi.tf.setBackend('wasm'))) throw new Error('face-api: the wasm backend did not start');
  await faceapi.tf.ready();
  const net = detector === 'ssd' ? faceapi.nets.ssdMobilenetv1 : faceapi.nets.tinyFaceDetector;
  await Promise.all([net.loadFromUri(modelUrl), faceapi.nets.faceLandmark68Net.loadFromUri(modelUrl), faceapi.nets.faceRecognitionNet.loadFromUri(modelUrl)]);
  const options = detector === 'ssd' ? new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }) : new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
  const bitmaps = await Promise.all(photos.map(async (url) => createImageBitmap(await (await fetch(url)).blob())));
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  // The first photo alone, enrolled as facerec's run enrols it.
  ctx.fillStyle = '#666';
  ctx.fillRect(0, 0, 640, 480);
  ctx.drawImage(bitmaps[0]!, 195, 115, 250, 250);
  const [enrolled] = await faceapi.detectAllFaces(canvas, options).withFaceLandmarks().withFaceDescriptors();
  if (!enrolled) throw new Error('face-api found no face in the enrolment photo');
  const matcher = new faceapi.FaceMatcher([new faceapi.LabeledFaceDescriptors('first', [enrolled.descriptor])], 0.6);
  const side = bitmaps.length === 1 ? 300 : 210;
  const times: number[] = [];
  let found = 0, named = 0, cpu0 = 0;
  for (let f = 0; f < frames + 10; f++) {
    ctx.fillStyle = '#666';
    ctx.fillRect(0, 0, 640, 480);
    bitmaps.forEach((b, k) => ctx.drawImage(b, (640 / bitmaps.length) * k + (640 / bitmaps.length - side) / 2 + 8 * Math.sin(f / 7 + k), 130 + 6 * Math.cos(f / 9 + k), side, side));
    if (f === 10) cpu0 = await cpuSeconds();
    const start = performance.now();
    const faces = await faceapi.detectAllFaces(canvas, options).withFaceLandmarks().withFaceDescriptors();
    const labels = faces.map((face) => matcher.findBestMatch(face.descriptor).label);
    if (f >= 10) {
      times.push(performance.now() - start);
      found = Math.max(found, faces.length);
      named = Math.max(named, labels.filter((l) => l === 'first').length);
    }
  }
  const cpu = (await cpuSeconds()) - cpu0;
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;
  return {
    library: '@vladmandic/face-api',
    detector: detector === 'ssd' ? 'ssd_mobilenetv1' : 'tiny_face_detector (416)',
    backend: faceapi.tf.getBackend(),
    threads: faceapi.tf.getThreadsCount?.() ?? threads,
    faces: found,
    named,
    ms_per_frame_p50: at(0.5),
    ms_per_frame_p95: at(0.95),
    ...(Number.isNaN(cpu) ? {} : { cpu_ms_per_frame: Math.round((cpu * 100000) / times.length) / 100 }),
  };
}
