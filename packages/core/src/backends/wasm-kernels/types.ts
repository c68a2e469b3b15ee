// The parts of tfjs's WASM backend (and its Emscripten module) that facerec's kernels use, typed structurally:
// core does not depend on @tensorflow/tfjs-backend-wasm, whose BackendWasm has these members.
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmMemory } from './wasm-api.js';

/** The parts of tfjs's Emscripten module the kernels use. */
export interface TfjsWasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  wasmMemory?: WasmMemory;
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  tfjs: {
    init(): void;
    initWithThreadsCount(threadsCount: number): void;
    getThreadsCount(): number;
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
    dispose(): void;
  };
}

/** tfjs's wasm backend (BackendWasm) seen through the members the kernels use. */
export interface WasmBackend {
  readonly wasm: unknown;
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number }; has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: Float32Array): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
  readSync(dataId: object): unknown;
}
