// The slice of tfjs-backend-webgpu's program interface facerec's WGSL kernels use (tfjs generates the bindings).
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A compute shader as tfjs-backend-webgpu runs it: tfjs declares `result` (binding 0), one read-only array per
 * name in `variableNames`, and a `uniforms` struct holding every shape plus the fields in `uniforms`; the user
 * code defines `fn main()` (or `fn main(index : i32)` for a flat `dispatchLayout`).
 */
export interface WebGpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms?: string;
  workgroupSize: [number, number, number];
  size?: boolean;
  getUserCode(): string;
}

/** A program-defined uniform value, in the order the `uniforms` string declares it. */
export interface ProgramUniform {
  type: 'int32' | 'float32' | 'uint32';
  data: number[];
}

/** The methods of tfjs's WebGPUBackend the kernels call. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], outputDtype: DataType, uniforms?: ProgramUniform[], output?: TensorInfo): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  readonly device: { readonly limits: { readonly maxStorageBufferBindingSize: number; readonly maxComputeWorkgroupsPerDimension: number } };
}

/** Workgroups needed to cover `n` items, `per` at a time. */
export function groups(n: number, per: number): number {
  return Math.ceil(n / per);
}
