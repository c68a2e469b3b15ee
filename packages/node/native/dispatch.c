// The module's only entry point: runs one thread's share of a job; called by the main thread and every worker.
#include "common.h"
#include "kernels.h"

__attribute__((export_name("run"))) void run(int job, const void *args, int tid, int nt) {
  switch (job) {
    case JOB_PAD: job_pad(args, tid, nt); break;
    case JOB_PACK_B: job_pack_b(args, tid, nt); break;
    case JOB_PACK_W_DX: job_pack_w_dx(args, tid, nt); break;
    case JOB_CONV_FWD: job_conv_fwd(args, tid, nt); break;
    case JOB_CONV_DW: job_conv_dw(args, tid, nt); break;
    case JOB_MATMUL: job_matmul(args, tid, nt); break;
    case JOB_MAXPOOL_GRAD_2X2: job_maxpool_grad_2x2(args, tid, nt); break;
    case JOB_MAXPOOL_GRAD: job_maxpool_grad(args, tid, nt); break;
    case JOB_MAXPOOL_2X2: job_maxpool_2x2(args, tid, nt); break;
    case JOB_SUM_ROWS: job_sum_rows(args, tid, nt); break;
    case JOB_SUM_FINAL: job_sum_final(args, tid, nt); break;
    case JOB_STEP: job_step(args, tid, nt); break;
    case JOB_MUL: job_mul(args, tid, nt); break;
    case JOB_STEP_MUL: job_step_mul(args, tid, nt); break;
    case JOB_ADAM: job_adam(args, tid, nt); break;
    case JOB_CONV_DW_ROWS: job_conv_dw_rows(args, tid, nt); break;
    case JOB_RELU: job_relu(args, tid, nt); break;
    case JOB_ADD: job_add(args, tid, nt); break;
    case JOB_WINO_PACK_U: job_wino_pack_u(args, tid, nt); break;
    case JOB_WINO_FWD: job_wino_fwd(args, tid, nt); break;
    case JOB_WINO_DW: job_wino_dw(args, tid, nt); break;
    case JOB_WINO_DW_OUT: job_wino_dw_out(args, tid, nt); break;
    case JOB_MAX_MIN_SCALAR: job_max_min_scalar(args, tid, nt); break;
    default: break;
  }
}

// Lets the loader reject a stale binary.
__attribute__((export_name("abi_version"))) int abi_version(void) { return 1; }
