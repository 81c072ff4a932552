/* strata-plan-kernels.c: float32 CPU kernels of the plan's ops
 *
 * Formulas follow TensorFlow's CPU kernels (relu_op_functor.h,
 * softplus_op.h); reductions and softmax sums accumulate in double so the
 * result stays within float32 rounding of TensorFlow's blocked sums.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <float.h>
#include <string.h>

#include "strata-plan-kernels.h"

#define R STRATA_PLAN_MAX_RANK

static gsize
n_elements (guint rank, const gint64 *dims)
{
  gsize n = 1;

  for (guint i = 0; i < rank; i++)
    n *= (gsize) dims[i];
  return n;
}

/* Advances the row-major multi-index @idx over @dims (rank @rank). */
static inline void
next_index (gsize *idx, guint rank, const gint64 *dims)
{
  for (int k = (int) rank - 1; k >= 0; k--)
    {
      if (++idx[k] < (gsize) dims[k])
        break;
      idx[k] = 0;
    }
}

/* Row-major strides of @dims, aligned to the right of an output of rank
 * @out_rank, 0 on broadcast axes. */
static void
broadcast_strides (guint rank, const gint64 *dims, guint out_rank, const gint64 *out_dims,
                   gsize *strides)
{
  gsize s = 1;

  for (int i = (int) out_rank - 1; i >= 0; i--)
    {
      int j = i - (int) (out_rank - rank);
      if (j < 0 || dims[j] == 1)
        strides[i] = 0;
      else
        {
          strides[i] = s;
          s *= (gsize) dims[j];
        }
      (void) out_dims;
    }
}

static float
unary (StrataOpType type, const StrataPlanOp *op, float x)
{
  switch (type)
    {
    case STRATA_OP_RELU: return x > 0.0f ? x : 0.0f;
    case STRATA_OP_RELU6: return fminf (fmaxf (x, 0.0f), 6.0f);
    case STRATA_OP_LEAKY_RELU: return x > 0.0f ? x : x * op->attr.leaky.alpha;
    case STRATA_OP_ELU: return x < 0.0f ? expm1f (x) : x;
    case STRATA_OP_SELU:
      return x < 0.0f ? 1.7580993408473768599402175208123f * expm1f (x)
                      : 1.0507009873554804934193349852946f * x;
    case STRATA_OP_SIGMOID: return (float) (1.0 / (1.0 + exp (-(double) x)));
    case STRATA_OP_TANH: return tanhf (x);
    case STRATA_OP_SOFTPLUS:
      {
        const float threshold = -(logf (FLT_EPSILON) + 2.0f);
        if (x > threshold)
          return x;
        if (x < -threshold)
          return expf (x);
        return log1pf (expf (x));
      }
    case STRATA_OP_SOFTSIGN: return x / (1.0f + fabsf (x));
    case STRATA_OP_EXP: return expf (x);
    case STRATA_OP_LOG: return logf (x);
    case STRATA_OP_ABS: return fabsf (x);
    case STRATA_OP_SQRT: return sqrtf (x);
    case STRATA_OP_RSQRT: return (float) (1.0 / sqrt ((double) x));
    case STRATA_OP_ERFC: return erfcf (x);
    case STRATA_OP_NEG: return -x;
    case STRATA_OP_CLIP: return fminf (fmaxf (x, op->attr.clip.lo), op->attr.clip.hi);
    case STRATA_OP_GELU:
      if (op->attr.gelu.approximate)
        return 0.5f * x * (1.0f + tanhf (0.7978845608028654f * (x + 0.044715f * x * x * x)));
      return 0.5f * x * erfcf (-x * 0.7071067811865476f);
    case STRATA_OP_IDENTITY:
    default:
      return x;
    }
}

float
strata_kernel_activation (const StrataPlanActivation *act, float x)
{
  float v = x * act->scale + act->shift;

  switch (act->type)
    {
    case STRATA_OP_CLIP: return fminf (fmaxf (v, act->lo), act->hi);
    case STRATA_OP_LEAKY_RELU: return v > 0.0f ? v : v * act->lo;
    default: return unary (act->type, NULL, v);
    }
}

static float
binary (StrataOpType type, float a, float b)
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
    case STRATA_OP_GREATER: return a > b ? 1.0f : 0.0f;
    case STRATA_OP_NOT_EQUAL: return a != b ? 1.0f : 0.0f;
    default: g_assert_not_reached ();
    }
}

/* Elementwise ops of 2 or 3 broadcast inputs. */
static void
run_broadcast (const StrataKernelArgs *a)
{
  const StrataPlanOp *op = a->op;
  guint r = a->out_rank;
  gsize strides[3][R];
  gsize idx[R] = { 0 };
  gsize n = n_elements (r, a->out_dims);
  gsize inner = r > 0 ? (gsize) a->out_dims[r - 1] : 1;
  float *out = a->out;

  for (guint j = 0; j < a->n_inputs; j++)
    broadcast_strides (a->in_rank[j], a->in_dims[j], r, a->out_dims, strides[j]);
  if (n == 0)
    return;
  for (gsize base = 0; base < n; base += inner)
    {
      gsize off[3] = { 0, 0, 0 };
      for (guint j = 0; j < a->n_inputs; j++)
        for (guint d = 0; d + 1 < r; d++)
          off[j] += idx[d] * strides[j][d];
      for (gsize t = 0; t < inner; t++)
        {
          float x = ((const float *) a->in[0])[off[0] + t * (r ? strides[0][r - 1] : 0)];
          float y = ((const float *) a->in[1])[off[1] + t * (r ? strides[1][r - 1] : 0)];
          if (op->type == STRATA_OP_SELECT_POS)
            {
              float z = ((const float *) a->in[2])[off[2] + t * (r ? strides[2][r - 1] : 0)];
              out[base + t] = x > 0.0f ? y : z;
            }
          else
            out[base + t] = binary (op->type, x, y);
        }
      if (r > 0)   /* every axis but the innermost, which t walks */
        next_index (idx, r - 1, a->out_dims);
    }
}

static void
run_softmax (const StrataKernelArgs *a, gboolean log_softmax)
{
  gsize c = (gsize) a->out_dims[a->out_rank - 1];
  gsize rows = c ? n_elements (a->out_rank, a->out_dims) / c : 0;
  const float *x = a->in[0];
  float *y = a->out;

  for (gsize i = 0; i < rows; i++, x += c, y += c)
    {
      float max = -INFINITY;
      double sum = 0.0;
      for (gsize j = 0; j < c; j++)
        max = fmaxf (max, x[j]);
      for (gsize j = 0; j < c; j++)
        {
          float e = expf (x[j] - max);
          sum += e;
          if (!log_softmax)
            y[j] = e;
        }
      for (gsize j = 0; j < c; j++)
        y[j] = log_softmax ? (float) ((double) (x[j] - max) - log (sum)) : (float) (y[j] / sum);
    }
}

/* Mean, Max, Sum; inlined once per float type (see run_reduce). */
G_ALWAYS_INLINE static inline void
reduce (const StrataKernelArgs *a, gboolean f64)
{
  const StrataPlanOp *op = a->op;
  guint r = a->in_rank[0];
  const gint64 *d = a->in_dims[0];
  gsize out_stride[R], idx[R] = { 0 };
  gsize n = n_elements (r, d), n_out = n_elements (a->out_rank, a->out_dims);
  gsize count = 1, s = 1;
  double *acc = a->scratch;

  for (int i = (int) r - 1; i >= 0; i--)
    {
      if (op->attr.reduce.axes & (1u << i))
        {
          out_stride[i] = 0;
          count *= (gsize) d[i];
        }
      else
        {
          out_stride[i] = s;
          s *= (gsize) d[i];
        }
    }
  for (gsize i = 0; i < n_out; i++)
    acc[i] = op->type == STRATA_OP_MAX ? -INFINITY : 0.0;
  for (gsize i = 0; i < n; i++)
    {
      gsize o = 0;
      for (guint k = 0; k < r; k++)
        o += idx[k] * out_stride[k];
      double v = strata_kernel_load (a->in[0], i, f64);
      if (op->type == STRATA_OP_MAX)
        acc[o] = (v > acc[o] || isnan (v)) ? v : acc[o];
      else
        acc[o] += v;
      next_index (idx, r, d);
    }
  for (gsize i = 0; i < n_out; i++)
    strata_kernel_store (a->out, i, f64, op->type == STRATA_OP_MEAN ? acc[i] / (double) count : acc[i]);
}

static void
run_reduce (const StrataKernelArgs *a)
{
  if (a->dtype == STRATA_PLAN_F64)
    reduce (a, TRUE);
  else
    reduce (a, FALSE);
}

static void
run_transpose (const StrataKernelArgs *a)
{
  guint r = a->out_rank;
  const guint *perm = a->op->attr.transpose.perm;
  gsize in_strides[R], strides[R], idx[R] = { 0 };
  gsize n = n_elements (r, a->out_dims), s = 1;
  const guint32 *x = a->in[0];
  guint32 *y = a->out;

  for (int i = (int) r - 1; i >= 0; i--)
    {
      in_strides[i] = s;
      s *= (gsize) a->in_dims[0][i];
    }
  for (guint i = 0; i < r; i++)
    strides[i] = in_strides[perm[i]];
  for (gsize i = 0; i < n; i++)
    {
      gsize o = 0;
      for (guint k = 0; k < r; k++)
        o += idx[k] * strides[k];
      y[i] = x[o];
      next_index (idx, r, a->out_dims);
    }
}

/* Pad, Slice, Tile, UpSample and Reverse map each output index to an input index
 * (or to zero) axis by axis. */
static void
run_index_map (const StrataKernelArgs *a)
{
  const StrataPlanOp *op = a->op;
  guint r = a->out_rank;
  gsize in_strides[R], idx[R] = { 0 };
  gsize n = n_elements (r, a->out_dims), s = 1;
  const guint32 *x = a->in[0];
  guint32 *y = a->out;

  for (int i = (int) r - 1; i >= 0; i--)
    {
      in_strides[i] = s;
      s *= (gsize) a->in_dims[0][i];
    }
  for (gsize i = 0; i < n; i++)
    {
      gsize o = 0;
      gboolean zero = FALSE;
      for (guint k = 0; k < r; k++)
        {
          gint64 j = (gint64) idx[k];
          switch (op->type)
            {
            case STRATA_OP_PAD:
              j -= op->attr.pad.before[k];
              zero |= j < 0 || j >= a->in_dims[0][k];
              break;
            case STRATA_OP_SLICE: j += op->attr.slice.begin[k]; break;
            case STRATA_OP_TILE: j %= a->in_dims[0][k]; break;
            case STRATA_OP_UPSAMPLE: j /= op->attr.upsample.factors[k]; break;
            case STRATA_OP_REVERSE:
              if (op->attr.reduce.axes & (1u << k))
                j = a->in_dims[0][k] - 1 - j;
              break;
            default: g_assert_not_reached ();
            }
          if (!zero)
            o += (gsize) j * in_strides[k];
        }
      y[i] = zero ? 0 : x[o];
      next_index (idx, r, a->out_dims);
    }
}

static void
run_concat (const StrataKernelArgs *a)
{
  int axis = a->op->attr.axis.axis;
  gsize outer = n_elements ((guint) axis, a->out_dims);
  gsize inner = n_elements (a->out_rank - axis - 1, a->out_dims + axis + 1);
  char *y = a->out;

  for (gsize o = 0; o < outer; o++)
    for (guint j = 0; j < a->n_inputs; j++)
      {
        gsize chunk = (gsize) a->in_dims[j][axis] * inner * 4;
        memcpy (y, (const char *) a->in[j] + o * chunk, chunk);
        y += chunk;
      }
}

static void
run_gather (const StrataKernelArgs *a)
{
  const float *params = a->in[0];
  const gint32 *ids = a->in[1];
  gsize v = (gsize) a->in_dims[0][0];
  gsize row = n_elements (a->in_rank[0] - 1, a->in_dims[0] + 1);
  gsize n = n_elements (a->in_rank[1], a->in_dims[1]);
  float *y = a->out;

  /* Out-of-range ids are an error in TensorFlow on the CPU; the executor
   * checks them before running (strata_kernel_check_gather), so this only
   * guards memory. */
  for (gsize i = 0; i < n; i++)
    {
      gint64 id = ids[i];
      if (id < 0)
        id += (gint64) v;   /* Keras 3 wraps; tf-keras ids were checked */
      if (id < 0 || (gsize) id >= v)
        memset (y + i * row, 0, row * sizeof (float));
      else
        memcpy (y + i * row, params + (gsize) id * row, row * sizeof (float));
    }
}

static void
run_cast (const StrataKernelArgs *a)
{
  gsize n = n_elements (a->out_rank, a->out_dims);
  const float *x = a->in[0];
  gint32 *y = a->out;

  for (gsize i = 0; i < n; i++)
    y[i] = isfinite (x[i]) && fabsf (x[i]) < 2147483648.0f ? (gint32) x[i] : G_MININT32;
}

static void
run_batch_matmul (const StrataKernelArgs *a)
{
  const StrataPlanOp *op = a->op;
  guint r = a->out_rank;
  const gint64 *xd = a->in_dims[0] + r - 2, *yd = a->in_dims[1] + r - 2;
  gboolean tx = op->attr.batch_matmul.adj_x, ty = op->attr.batch_matmul.adj_y;
  gsize m = a->out_dims[r - 2], n = a->out_dims[r - 1], k = tx ? xd[0] : xd[1];
  gsize batches = n_elements (r - 2, a->out_dims);

  for (gsize b = 0; b < batches; b++)
    strata_sgemm (tx, ty, m, n, k,
                  (const float *) a->in[0] + b * xd[0] * xd[1], xd[1],
                  (const float *) a->in[1] + b * yd[0] * yd[1], yd[1],
                  FALSE, (float *) a->out + b * m * n, n);
}

gsize
strata_kernel_scratch_size (const StrataKernelArgs *a)
{
  switch (a->op->type)
    {
    case STRATA_OP_CONV2D: case STRATA_OP_CONV3D:
    case STRATA_OP_CONV2D_BACKPROP_INPUT: case STRATA_OP_CONV3D_BACKPROP_INPUT:
      return strata_kernel_conv_scratch_size (a);
    case STRATA_OP_MEAN:
    case STRATA_OP_MAX:
    case STRATA_OP_SUM:
      return n_elements (a->out_rank, a->out_dims) * sizeof (double);
    case STRATA_OP_RNN:
      return strata_kernel_rnn_scratch_size (a);
    default:
      return 0;
    }
}

void
strata_kernel_run (const StrataKernelArgs *a)
{
  const StrataPlanOp *op = a->op;
  gsize n = n_elements (a->out_rank, a->out_dims);

  /* Convolution, pooling and reductions take either float type. */
  if (a->dtype == STRATA_PLAN_F64 && op->type != STRATA_OP_CONV2D && op->type != STRATA_OP_CONV3D &&
      op->type != STRATA_OP_MAX_POOL && op->type != STRATA_OP_AVG_POOL &&
      op->type != STRATA_OP_MAX_POOL3D && op->type != STRATA_OP_AVG_POOL3D &&
      op->type != STRATA_OP_MEAN && op->type != STRATA_OP_MAX && op->type != STRATA_OP_SUM)
    {
      strata_kernel_run_f64 (a);
      return;
    }
  switch (op->type)
    {
    case STRATA_OP_IDENTITY:
    case STRATA_OP_RESHAPE:
      if (a->out != a->in[0])
        memcpy (a->out, a->in[0], n * 4);
      return;
    case STRATA_OP_TRANSPOSE: run_transpose (a); return;
    case STRATA_OP_PAD: case STRATA_OP_SLICE: case STRATA_OP_TILE: case STRATA_OP_UPSAMPLE:
    case STRATA_OP_REVERSE:
      run_index_map (a);
      return;
    case STRATA_OP_CONCAT: run_concat (a); return;
    case STRATA_OP_GATHER: run_gather (a); return;
    case STRATA_OP_CAST: run_cast (a); return;
    case STRATA_OP_MATMUL:
      {
        gsize k = (gsize) a->in_dims[1][0], cols = (gsize) a->in_dims[1][1];
        strata_sgemm (FALSE, FALSE, cols ? n / cols : 0, cols, k, a->in[0], k, a->in[1], cols,
                      FALSE, a->out, cols);
        return;
      }
    case STRATA_OP_BATCH_MATMUL: run_batch_matmul (a); return;
    case STRATA_OP_BIAS_ADD:
      {
        gsize c = (gsize) a->in_dims[1][0];
        const float *x = a->in[0], *bias = a->in[1];
        float *y = a->out;
        for (gsize i = 0; i < n; i++)
          y[i] = x[i] + bias[i % c];
        return;
      }
    case STRATA_OP_CONV2D: case STRATA_OP_CONV3D: strata_kernel_conv (a); return;
    case STRATA_OP_CONV2D_BACKPROP_INPUT: case STRATA_OP_CONV3D_BACKPROP_INPUT:
      strata_kernel_conv_transpose (a);
      return;
    case STRATA_OP_MAX_POOL: case STRATA_OP_AVG_POOL: case STRATA_OP_MAX_POOL3D: case STRATA_OP_AVG_POOL3D:
      strata_kernel_pool (a);
      return;
    case STRATA_OP_MEAN: case STRATA_OP_MAX: case STRATA_OP_SUM: run_reduce (a); return;
    case STRATA_OP_ADD: case STRATA_OP_SUB: case STRATA_OP_MUL: case STRATA_OP_DIV:
    case STRATA_OP_MAXIMUM: case STRATA_OP_MINIMUM: case STRATA_OP_SQUARED_DIFF:
    case STRATA_OP_GREATER: case STRATA_OP_NOT_EQUAL: case STRATA_OP_SELECT_POS:
      run_broadcast (a);
      return;
    case STRATA_OP_RNN: strata_kernel_rnn (a); return;
    case STRATA_OP_SOFTMAX: run_softmax (a, FALSE); return;
    case STRATA_OP_LOG_SOFTMAX: run_softmax (a, TRUE); return;
    default:
      {
        const float *x = a->in[0];
        float *y = a->out;
        for (gsize i = 0; i < n; i++)
          y[i] = unary (op->type, op, x[i]);
        return;
      }
    }
}
