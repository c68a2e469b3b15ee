// Loads Dawn (the optional `webgpu` package) once and exposes its GPU object as navigator.gpu, as a browser would.
import type { GpuAdapterLike, GpuLike } from './types.js';

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

let gpu: Promise<GpuLike> | null = null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function load(): Promise<GpuLike> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new Error(`the optional package "webgpu" (Dawn) is not installed or has no build for ${process.platform}-${process.arch}: ${message(e)}`, {
      cause: e,
    });
  }
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode... as globals; Node has none of them.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const gpu = dawn.create([]);
  // tfjs-backend-webgpu checks navigator.gpu before it constructs a backend, as in a browser.
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  if (nav.gpu === undefined) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  return gpu;
}

/** Dawn's GPU object; loads the native module on first use. A failed load is retried next time. */
export function dawnGpu(): Promise<GpuLike> {
  gpu ??= load().catch((e: unknown) => {
    gpu = null;
    throw e;
  });
  return gpu;
}

/** Asks Dawn for an adapter; null when Vulkan (or Metal, D3D12) offers none. */
export async function requestAdapter(powerPreference: 'high-performance' | 'low-power'): Promise<GpuAdapterLike | null> {
  const g = await dawnGpu();
  return g.requestAdapter({ powerPreference });
}
