/* strata-plan-kernels-f64.c: float64 CPU kernels, for float64 models
 *
 * The ops a model of Dense and Conv layers and activations lowers to,
 * computed in double as TensorFlow's float64 kernels do (the same formulas as the
 * float32 ones, with double's constants). A float64 model lowered to
 * other ops is refused when its plan is made (strata_kernel_has_f64).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <float.h>
#include <string.h>

#include "strata-plan-kernels.h"

gboolean
strata_kernel_has_f64 (StrataOpType type)
{
  switch (type)
    {
    case STRATA_OP_IDENTITY: case STRATA_OP_RESHAPE:
    case STRATA_OP_MATMUL: case STRATA_OP_BIAS_ADD:
    case STRATA_OP_ADD: case STRATA_OP_SUB: case STRATA_OP_MUL: case STRATA_OP_DIV:
    case STRATA_OP_MAXIMUM: case STRATA_OP_MINIMUM: case STRATA_OP_SQUARED_DIFF:
    case STRATA_OP_RELU: case STRATA_OP_RELU6: case STRATA_OP_LEAKY_RELU: case STRATA_OP_ELU:
    case STRATA_OP_SELU: case STRATA_OP_SIGMOID: case STRATA_OP_TANH: case STRATA_OP_SOFTPLUS:
    case STRATA_OP_SOFTSIGN: case STRATA_OP_EXP: case STRATA_OP_LOG: case STRATA_OP_ABS:
    case STRATA_OP_SQRT: case STRATA_OP_RSQRT: case STRATA_OP_ERFC: case STRATA_OP_NEG:
    case STRATA_OP_CLIP: case STRATA_OP_GELU:
    case STRATA_OP_SOFTMAX: case STRATA_OP_LOG_SOFTMAX:
    case STRATA_OP_CONV2D: case STRATA_OP_CONV3D:
    case STRATA_OP_MAX_POOL: case STRATA_OP_AVG_POOL: case STRATA_OP_MAX_POOL3D: case STRATA_OP_AVG_POOL3D:
    case STRATA_OP_MEAN: case STRATA_OP_MAX: case STRATA_OP_SUM:
      return TRUE;
    default:
      return FALSE;
    }
}

static gsize
n_elements (guint rank, const gint64 *dims)
{
  gsize n = 1;

  for (guint i = 0; i < rank; i++)
    n *= (gsize) dims[i];
  return n;
}

static double
unary (const StrataPlanOp *op, double x)
{
  switch (op->type)
    {
    case STRATA_OP_RELU: return x > 0.0 ? x : 0.0;
    case STRATA_OP_RELU6: return fmin (fmax (x, 0.0), 6.0);
    case STRATA_OP_LEAKY_RELU: return x > 0.0 ? x : x * op->attr.leaky.alpha;
    case STRATA_OP_ELU: return x < 0.0 ? expm1 (x) : x;
    case STRATA_OP_SELU:
      return x < 0.0 ? 1.7580993408473768599402175208123 * expm1 (x)
                     : 1.0507009873554804934193349852946 * x;
    case STRATA_OP_SIGMOID: return 1.0 / (1.0 + exp (-x));
    case STRATA_OP_TANH: return tanh (x);
    case STRATA_OP_SOFTPLUS:
      {
        const double threshold = -(log (DBL_EPSILON) + 2.0);
        if (x > threshold)
          return x;
        if (x < -threshold)
          return exp (x);
        return log1p (exp (x));
      }
    case STRATA_OP_SOFTSIGN: return x / (1.0 + fabs (x));
    case STRATA_OP_EXP: return exp (x);
    case STRATA_OP_LOG: return log (x);
    case STRATA_OP_ABS: return fabs (x);
    case STRATA_OP_SQRT: return sqrt (x);
    case STRATA_OP_RSQRT: return 1.0 / sqrt (x);
    case STRATA_OP_ERFC: return erfc (x);
    case STRATA_OP_NEG: return -x;
    case STRATA_OP_CLIP: return fmin (fmax (x, op->attr.clip.lo), op->attr.clip.hi);
    case STRATA_OP_GELU:
      if (op->attr.gelu.approximate)
        return 0.5 * x * (1.0 + tanh (0.7978845608028654 * (x + 0.044715 * x * x * x)));
      return 0.5 * x * erfc (-x * 0.7071067811865476);
    default:
      return x;
    }
}

static double
binary (StrataOpType type, double a, double b)
{
  switch (type)
    {
    case STRATA_OP_ADD: return a + b;
    case STRATA_OP_SUB: return a - b;
    case STRATA_OP_MUL: return a * b;
    case STRATA_OP_DIV: return a / b;
    case STRATA_OP_MAXIMUM: return isnan (a) || a > b ? a : b;
    case STRATA_OP_MINIMUM: return isnan (a) || a < b ? a : b;
    case STRATA_OP_SQUARED_DIFF: return (a - b) * (a - b);
    default: return a;
    }
}

/* The row-major strides of an operand of rank @rank aligned to the right
 * of the output, 0 on the axes it is broadcast along. */
static void
operand_strides (guint rank, const gint64 *dims, guint out_rank, gsize *strides)
{
  gsize s = 1;

  for (int i = (int) out_rank - 1; i >= 0; i--)
    {
      int j = i - (int) (out_rank - rank);
      strides[i] = j < 0 || dims[j] == 1 ? 0 : s;
      if (j >= 0)
        s *= (gsize) dims[j];
    }
}

static void
run_binary (const StrataKernelArgs *a)
{
  guint r = a->out_rank;
  gsize sa[STRATA_PLAN_MAX_RANK], sb[STRATA_PLAN_MAX_RANK], idx[STRATA_PLAN_MAX_RANK] = { 0 };
  gsize n = n_elements (r, a->out_dims), oa = 0, ob = 0;
  const double *x = a->in[0], *y = a->in[1];
  double *out = a->out;

  operand_strides (a->in_rank[0], a->in_dims[0], r, sa);
  operand_strides (a->in_rank[1], a->in_dims[1], r, sb);
  for (gsize i = 0; i < n; i++)
    {
      out[i] = binary (a->op->type, x[oa], y[ob]);
      /* the next output index, and the operands' offsets with it */
      for (int d = (int) r - 1; d >= 0; d--)
        {
          oa += sa[d];
          ob += sb[d];
          if (++idx[d] < (gsize) a->out_dims[d])
            break;
          oa -= sa[d] * idx[d];
          ob -= sb[d] * idx[d];
          idx[d] = 0;
        }
    }
}

/* Softmax or LogSoftmax along the last axis, as TensorFlow's: shifted by
 * the row's maximum. */
static void
run_softmax (const StrataKernelArgs *a, gboolean log_softmax)
{
  gsize n = n_elements (a->out_rank, a->out_dims);
  gsize c = a->out_rank > 0 ? (gsize) a->out_dims[a->out_rank - 1] : 1;
  const double *x = a->in[0];
  double *y = a->out;

  for (gsize row = 0; c > 0 && row < n / c; row++)
    {
      const double *xr = x + row * c;
      double *yr = y + row * c;
      double max = -INFINITY, sum = 0.0;

      for (gsize j = 0; j < c; j++)
        max = fmax (max, xr[j]);
      for (gsize j = 0; j < c; j++)
        sum += exp (xr[j] - max);
      for (gsize j = 0; j < c; j++)
        yr[j] = log_softmax ? xr[j] - max - log (sum) : exp (xr[j] - max) / sum;
    }
}

void
strata_kernel_run_f64 (const StrataKernelArgs *a)
{
  const StrataPlanOp *op = a->op;
  gsize n = n_elements (a->out_rank, a->out_dims);

  switch (op->type)
    {
    case STRATA_OP_IDENTITY: case STRATA_OP_RESHAPE:
      if (a->out != a->in[0])
        memcpy (a->out, a->in[0], n * sizeof (double));
      return;
    case STRATA_OP_MATMUL:
      {
        gsize k = (gsize) a->in_dims[1][0], cols = (gsize) a->in_dims[1][1];
        strata_dgemm (cols ? n / cols : 0, cols, k, a->in[0], k, a->in[1], cols, a->out, cols);
        return;
      }
    case STRATA_OP_BIAS_ADD:
      {
        gsize c = (gsize) a->in_dims[1][0];
        const double *x = a->in[0], *bias = a->in[1];
        double *y = a->out;
        for (gsize i = 0; i < n; i++)
          y[i] = x[i] + bias[i % c];
        return;
      }
    case STRATA_OP_ADD: case STRATA_OP_SUB: case STRATA_OP_MUL: case STRATA_OP_DIV:
    case STRATA_OP_MAXIMUM: case STRATA_OP_MINIMUM: case STRATA_OP_SQUARED_DIFF:
      run_binary (a);
      return;
    case STRATA_OP_SOFTMAX: run_softmax (a, FALSE); return;
    case STRATA_OP_LOG_SOFTMAX: run_softmax (a, TRUE); return;
    default:
      {
        const double *x = a->in[0];
        double *y = a->out;
        g_return_if_fail (strata_kernel_has_f64 (op->type));
        for (gsize i = 0; i < n; i++)
          y[i] = unary (op, x[i]);
        return;
      }
    }
}
