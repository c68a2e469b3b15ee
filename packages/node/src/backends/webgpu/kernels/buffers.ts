// Buffer-to-buffer copies recorded on tfjs-backend-webgpu's own command encoder, in order with its dispatches.
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The internals of tfjs-backend-webgpu 4.x's WebGPUBackend that a copy between two tensors' buffers needs. */
export interface WebGpuBackendInternals {
  makeTensorInfo(shape: number[], dtype: 'float32'): TensorInfo;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  readonly tensorMap: { get(dataId: object): { resource?: unknown } | undefined };
  readonly commandEncoder: { copyBufferToBuffer(src: unknown, srcOffset: number, dst: unknown, dstOffset: number, size: number): void } | null;
  readonly commandQueueOwnedIds: { add(dataId: object): void };
}

/** The GPU buffer holding `t` (uploaded first if its values are still on the CPU). */
function bufferOf(backend: WebGpuBackendInternals, t: TensorInfo): unknown {
  backend.uploadToGPU(t.dataId);
  const resource = backend.tensorMap.get(t.dataId)?.resource;
  if (typeof (resource as { size?: unknown } | undefined)?.size !== 'number') throw new Error('expected a tensor held in a GPU buffer');
  return resource;
}

/**
 * Copies `bytes` from `src` at `srcOffset` to `dst` at `dstOffset` (multiples of 4), after every dispatch recorded so
 * far. Both stay owned by the queue until it is submitted, so disposing either one now cannot recycle its buffer early.
 */
export function copyBuffer(backend: WebGpuBackendInternals, src: TensorInfo, srcOffset: number, dst: TensorInfo, dstOffset: number, bytes: number): void {
  if (bytes === 0) return;
  const from = bufferOf(backend, src);
  const to = bufferOf(backend, dst);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder!.copyBufferToBuffer(from, srcOffset, to, dstOffset, bytes);
  backend.commandQueueOwnedIds.add(src.dataId);
  backend.commandQueueOwnedIds.add(dst.dataId);
}
