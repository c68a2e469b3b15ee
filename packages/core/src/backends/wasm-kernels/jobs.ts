// Job ids of the kernel module's `run` entry point; must match the enum in native/kernels.h.
export const JOB = {
  PAD: 1,
  PACK_B: 2,
  PACK_W_DX: 3,
  CONV_FWD: 4,
  CONV_DW: 5,
  MATMUL: 6,
  MAXPOOL_GRAD_2X2: 7,
  MAXPOOL_GRAD: 8,
  SUM_ROWS: 9,
  SUM_FINAL: 10,
  STEP: 11,
  MUL: 12,
  ADAM: 13,
  MAXPOOL_2X2: 14,
  STEP_MUL: 15,
  CONV_DW_ROWS: 16,
  RELU: 17,
  ADD: 18,
  WINO_PACK_U: 19,
  WINO_FWD: 20,
  WINO_DW: 21,
  WINO_DW_OUT: 22,
  MAX_MIN_SCALAR: 23,
} as const;

/** Jobs smaller than this many multiply-adds (or elements) stay on the main thread. */
export const PARALLEL_MIN_WORK = 1 << 15;

/** Scratch slots of the runtime's arena: buffers that one kernel needs at the same time. */
export const SLOT = {
  PADDED: 0,
  PACKED: 1,
  ACC: 2,
  /** Per-thread packing buffers. */
  THREAD: 3,
} as const;
