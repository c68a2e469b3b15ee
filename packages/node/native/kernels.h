// Job ids and entry points of the facerec kernel module; ids must match JOB in src/backends/wasm/jobs.ts.
#ifndef FACEREC_KERNELS_H
#define FACEREC_KERNELS_H

enum {
  JOB_PAD = 1,
  JOB_PACK_B = 2,
  JOB_PACK_W_DX = 3,
  JOB_CONV_FWD = 4,
  JOB_CONV_DW = 5,
  JOB_MATMUL = 6,
  JOB_MAXPOOL_GRAD_2X2 = 7,
  JOB_MAXPOOL_GRAD = 8,
  JOB_SUM_ROWS = 9,
  JOB_SUM_FINAL = 10,
  JOB_STEP = 11,
  JOB_MUL = 12,
  JOB_ADAM = 13,
  JOB_MAXPOOL_2X2 = 14,
  JOB_STEP_MUL = 15,
  JOB_CONV_DW_ROWS = 16,
  JOB_RELU = 17,
  JOB_ADD = 18,
  JOB_WINO_PACK_U = 19,
  JOB_WINO_FWD = 20,
  JOB_WINO_DW = 21,
  JOB_WINO_DW_OUT = 22,
  JOB_MAX_MIN_SCALAR = 23,
};

// Each job reads its arguments from `a` and does the share of thread `tid` out of `nt`.
void job_pad(const void *a, int tid, int nt);
void job_pack_b(const void *a, int tid, int nt);
void job_pack_w_dx(const void *a, int tid, int nt);
void job_conv_fwd(const void *a, int tid, int nt);
void job_conv_dw(const void *a, int tid, int nt);
void job_matmul(const void *a, int tid, int nt);
void job_maxpool_grad_2x2(const void *a, int tid, int nt);
void job_maxpool_grad(const void *a, int tid, int nt);
void job_maxpool_2x2(const void *a, int tid, int nt);
void job_sum_rows(const void *a, int tid, int nt);
void job_sum_final(const void *a, int tid, int nt);
void job_step(const void *a, int tid, int nt);
void job_mul(const void *a, int tid, int nt);
void job_step_mul(const void *a, int tid, int nt);
void job_adam(const void *a, int tid, int nt);
void job_conv_dw_rows(const void *a, int tid, int nt);
void job_relu(const void *a, int tid, int nt);
void job_add(const void *a, int tid, int nt);
void job_wino_pack_u(const void *a, int tid, int nt);
void job_wino_fwd(const void *a, int tid, int nt);
void job_wino_dw(const void *a, int tid, int nt);
void job_wino_dw_out(const void *a, int tid, int nt);
void job_max_min_scalar(const void *a, int tid, int nt);

#endif
