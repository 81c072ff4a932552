/* strata-plan-kernels.h: float32 CPU kernels of the plan's ops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-plan.h"

G_BEGIN_DECLS

/* One op's operands with concrete shapes, as the executor hands them over. */
typedef struct {
  const StrataPlanOp *op;
  guint               n_inputs;
  const void         *in[STRATA_PLAN_MAX_INPUTS];
  guint               in_rank[STRATA_PLAN_MAX_INPUTS];
  const gint64       *in_dims[STRATA_PLAN_MAX_INPUTS];
  void               *out;
  guint               out_rank;
  const gint64       *out_dims;
  void               *scratch;     /* strata_kernel_scratch_size() bytes */
  StrataPlanDType     dtype;       /* the output's */
} StrataKernelArgs;

/* Bytes of scratch memory the op needs for these shapes (0 for most). */
gsize strata_kernel_scratch_size (const StrataKernelArgs *args);
void  strata_kernel_run          (const StrataKernelArgs *args);

/* The ops of a float64 plan: the dense, element-wise and softmax ops
 * (strata-plan-kernels-f64.c), and Conv2D/Conv3D, pooling and the
 * reductions, whose kernels take either type; no transposed convolution,
 * data movement, gather or recurrence yet. */
gboolean strata_kernel_has_f64 (StrataOpType type);
void     strata_kernel_run_f64 (const StrataKernelArgs *args);

/* Element @i of float32 or float64 data (@f64), as double; and stored. */
static inline double
strata_kernel_load (const void *data, gsize i, gboolean f64)
{
  return f64 ? ((const double *) data)[i] : (double) ((const float *) data)[i];
}

static inline void
strata_kernel_store (void *data, gsize i, gboolean f64, double v)
{
  if (f64)
    ((double *) data)[i] = v;
  else
    ((float *) data)[i] = (float) v;
}

/* A StrataPlanActivation of @x (not GELU, which needs the op's attribute). */
float strata_kernel_activation (const StrataPlanActivation *act, float x);

/* Convolutions and pooling (strata-plan-conv.c). */
gsize strata_kernel_conv_scratch_size (const StrataKernelArgs *args);
void  strata_kernel_conv              (const StrataKernelArgs *args);
void  strata_kernel_conv_transpose    (const StrataKernelArgs *args);
void  strata_kernel_pool              (const StrataKernelArgs *args);

/* STRATA_OP_RNN (strata-plan-rnn.c). */
gsize strata_kernel_rnn_scratch_size (const StrataKernelArgs *args);
void  strata_kernel_rnn              (const StrataKernelArgs *args);

/* C = op(A)·op(B) (+ C when @accumulate), row-major, through the BLAS when
 * built with one. */
void  strata_sgemm (gboolean trans_a, gboolean trans_b, gsize m, gsize n, gsize k,
                    const float *a, gsize lda, const float *b, gsize ldb,
                    gboolean accumulate, float *c, gsize ldc);
/* C = A·B in double precision (no transposes, no accumulation). */
void  strata_dgemm (gsize m, gsize n, gsize k, const double *a, gsize lda, const double *b, gsize ldb,
                    double *c, gsize ldc);

G_END_DECLS
