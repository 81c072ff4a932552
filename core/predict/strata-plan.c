/* strata-plan.c: building plans and inferring their shapes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-plan.h"
#include "strata-predict.h"

static const char *const op_names[STRATA_OP_N_TYPES] = {
  [STRATA_OP_IDENTITY] = "Identity", [STRATA_OP_RESHAPE] = "Reshape",
  [STRATA_OP_TRANSPOSE] = "Transpose", [STRATA_OP_PAD] = "Pad", [STRATA_OP_SLICE] = "Slice",
  [STRATA_OP_CONCAT] = "ConcatV2", [STRATA_OP_TILE] = "Tile", [STRATA_OP_GATHER] = "GatherV2",
  [STRATA_OP_CAST] = "Cast", [STRATA_OP_UPSAMPLE] = "ResizeNearestNeighbor",
  [STRATA_OP_MATMUL] = "MatMul", [STRATA_OP_BATCH_MATMUL] = "BatchMatMulV2",
  [STRATA_OP_BIAS_ADD] = "BiasAdd", [STRATA_OP_CONV2D] = "Conv2D",
  [STRATA_OP_MAX_POOL] = "MaxPool", [STRATA_OP_AVG_POOL] = "AvgPool",
  [STRATA_OP_CONV3D] = "Conv3D", [STRATA_OP_CONV2D_BACKPROP_INPUT] = "Conv2DBackpropInput",
  [STRATA_OP_CONV3D_BACKPROP_INPUT] = "Conv3DBackpropInputV2",
  [STRATA_OP_MAX_POOL3D] = "MaxPool3D", [STRATA_OP_AVG_POOL3D] = "AvgPool3D",
  [STRATA_OP_MEAN] = "Mean", [STRATA_OP_MAX] = "Max", [STRATA_OP_SUM] = "Sum",
  [STRATA_OP_ADD] = "AddV2", [STRATA_OP_SUB] = "Sub", [STRATA_OP_MUL] = "Mul",
  [STRATA_OP_DIV] = "RealDiv", [STRATA_OP_MAXIMUM] = "Maximum", [STRATA_OP_MINIMUM] = "Minimum",
  [STRATA_OP_SQUARED_DIFF] = "SquaredDifference", [STRATA_OP_GREATER] = "Greater",
  [STRATA_OP_RELU] = "Relu", [STRATA_OP_RELU6] = "Relu6", [STRATA_OP_LEAKY_RELU] = "LeakyRelu",
  [STRATA_OP_ELU] = "Elu", [STRATA_OP_SELU] = "Selu", [STRATA_OP_SIGMOID] = "Sigmoid",
  [STRATA_OP_TANH] = "Tanh", [STRATA_OP_SOFTPLUS] = "Softplus", [STRATA_OP_SOFTSIGN] = "Softsign",
  [STRATA_OP_EXP] = "Exp", [STRATA_OP_LOG] = "Log", [STRATA_OP_ABS] = "Abs",
  [STRATA_OP_SQRT] = "Sqrt", [STRATA_OP_RSQRT] = "Rsqrt", [STRATA_OP_ERFC] = "Erfc",
  [STRATA_OP_NEG] = "Neg", [STRATA_OP_CLIP] = "ClipByValue", [STRATA_OP_GELU] = "Gelu",
  [STRATA_OP_SOFTMAX] = "Softmax", [STRATA_OP_LOG_SOFTMAX] = "LogSoftmax",
  [STRATA_OP_SELECT_POS] = "SelectV2", [STRATA_OP_REVERSE] = "ReverseV2",
  [STRATA_OP_NOT_EQUAL] = "NotEqual", [STRATA_OP_RNN] = "KerasRNN",
};

const char *
strata_op_type_name (StrataOpType type)
{
  return type < STRATA_OP_N_TYPES ? op_names[type] : "?";
}

StrataPlan *
strata_plan_new (void)
{
  StrataPlan *plan = g_new0 (StrataPlan, 1);

  plan->values = g_array_new (FALSE, TRUE, sizeof (StrataPlanValue));
  plan->ops = g_array_new (FALSE, TRUE, sizeof (StrataPlanOp));
  plan->inputs = g_array_new (FALSE, FALSE, sizeof (guint));
  plan->outputs = g_array_new (FALSE, FALSE, sizeof (guint));
  return plan;
}

void
strata_plan_free (StrataPlan *plan)
{
  if (plan == NULL)
    return;
  for (guint i = 0; i < plan->values->len; i++)
    g_clear_pointer (&strata_plan_value (plan, i)->owner, g_bytes_unref);
  g_array_unref (plan->values);
  g_array_unref (plan->ops);
  g_array_unref (plan->inputs);
  g_array_unref (plan->outputs);
  g_free (plan);
}

static guint
add_value (StrataPlan *plan, StrataPlanValueKind kind, StrataPlanDType dtype,
           const char *layer, guint rank, const gint64 *dims)
{
  StrataPlanValue v = { 0 };

  g_assert (rank <= STRATA_PLAN_MAX_RANK);
  v.kind = kind;
  v.dtype = dtype;
  v.rank = rank;
  v.layer = layer != NULL ? g_intern_string (layer) : NULL;
  if (rank > 0)
    memcpy (v.dims, dims, rank * sizeof (gint64));
  g_array_append_val (plan->values, v);
  return plan->values->len - 1;
}

guint
strata_plan_add_input (StrataPlan *plan, StrataPlanDType dtype, guint rank, const gint64 *dims)
{
  guint id = add_value (plan, STRATA_PLAN_VALUE_INPUT, dtype, NULL, rank, dims);

  strata_plan_value (plan, id)->dims[0] = -1;
  g_array_append_val (plan->inputs, id);
  return id;
}

guint
strata_plan_add_const (StrataPlan *plan, const char *layer, StrataPlanDType dtype, guint rank,
                       const gint64 *dims, const void *data, GBytes *owner)
{
  guint id = add_value (plan, STRATA_PLAN_VALUE_CONST, dtype, layer, rank, dims);
  StrataPlanValue *v = strata_plan_value (plan, id);

  v->data = data;
  v->owner = g_bytes_ref (owner);
  return id;
}

/* A constant of @dtype holding a copy of @values (elements of @size bytes). */
static guint
add_copied (StrataPlan *plan, const char *layer, StrataPlanDType dtype, gsize size, guint rank,
            const gint64 *dims, gconstpointer values)
{
  gsize n = 1;
  g_autoptr(GBytes) bytes = NULL;

  for (guint i = 0; i < rank; i++)
    n *= (gsize) dims[i];
  bytes = g_bytes_new (values, n * size);
  return strata_plan_add_const (plan, layer, dtype, rank, dims, g_bytes_get_data (bytes, NULL), bytes);
}

guint
strata_plan_add_floats (StrataPlan *plan, const char *layer, guint rank, const gint64 *dims,
                        const float *values)
{
  return add_copied (plan, layer, STRATA_PLAN_F32, sizeof (float), rank, dims, values);
}

guint
strata_plan_add_scalar (StrataPlan *plan, const char *layer, double value)
{
  float single = (float) value;

  if (plan->compute == STRATA_PLAN_F64)
    return strata_plan_add_doubles (plan, layer, 0, NULL, &value);
  return strata_plan_add_floats (plan, layer, 0, NULL, &single);
}

guint
strata_plan_add_doubles (StrataPlan *plan, const char *layer, guint rank, const gint64 *dims,
                         const double *values)
{
  return add_copied (plan, layer, STRATA_PLAN_F64, sizeof (double), rank, dims, values);
}

void
strata_plan_constants_to_f64 (StrataPlan *plan)
{
  for (guint i = 0; i < plan->values->len; i++)
    {
      StrataPlanValue *v = strata_plan_value (plan, i);
      gsize n = 1;
      double *values;

      if (v->kind != STRATA_PLAN_VALUE_CONST || v->dtype != STRATA_PLAN_F32)
        continue;
      for (guint d = 0; d < v->rank; d++)
        n *= (gsize) v->dims[d];
      values = g_new (double, MAX (n, 1));
      for (gsize j = 0; j < n; j++)
        values[j] = ((const float *) v->data)[j];
      g_bytes_unref (v->owner);
      v->owner = g_bytes_new_take (values, n * sizeof (double));
      v->data = g_bytes_get_data (v->owner, NULL);
      v->dtype = STRATA_PLAN_F64;
    }
}

gsize
strata_plan_dtype_size (StrataPlanDType dtype)
{
  return dtype == STRATA_PLAN_F64 ? 8 : 4;
}

static gboolean
shape_error (const StrataPlanOp *op, GError **error, const char *what)
{
  g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
               "Layer “%s”: %s: %s", op->layer != NULL ? op->layer : "?",
               strata_op_type_name (op->type), what);
  return FALSE;
}

/* Broadcasts dims NumPy-style; -1 (open) against n gives n when n != 1. */
static gboolean
broadcast (guint ra, const gint64 *a, guint rb, const gint64 *b, guint *rank, gint64 *out)
{
  guint r = MAX (ra, rb);

  for (guint i = 0; i < r; i++)
    {
      gint64 x = i < r - ra ? 1 : a[i - (r - ra)];
      gint64 y = i < r - rb ? 1 : b[i - (r - rb)];

      if (x == 1)
        out[i] = y;
      else if (y == 1)
        out[i] = x;
      else if (x == -1 || y == -1)
        out[i] = x == -1 ? y : x;
      else if (x == y)
        out[i] = x;
      else
        return FALSE;
    }
  *rank = r;
  return TRUE;
}

gint64
strata_plan_window (StrataPlanPadding padding, gint64 n, int k, int stride, int dilation,
                    int explicit_before, int explicit_after, int *before, int *after)
{
  gint64 ke = (gint64) (k - 1) * dilation + 1;
  gint64 out;

  *before = *after = 0;
  if (n < 0)
    return -1;
  switch (padding)
    {
    case STRATA_PLAN_PADDING_SAME:
      {
        gint64 total;
        out = (n + stride - 1) / stride;
        total = MAX ((out - 1) * stride + ke - n, 0);
        *before = (int) (total / 2);
        *after = (int) (total - total / 2);
        return out;
      }
    case STRATA_PLAN_PADDING_EXPLICIT:
      *before = explicit_before;
      *after = explicit_after;
      break;
    case STRATA_PLAN_PADDING_VALID:
    default:
      break;
    }
  if (n + *before + *after < ke)
    return 0;
  return (n + *before + *after - ke) / stride + 1;
}

gboolean
strata_plan_infer_shape (const StrataPlanOp *op, const StrataPlanValue *values,
                         const guint *in_rank, gint64 (*in)[STRATA_PLAN_MAX_RANK],
                         StrataPlanDType *dtype, guint *rank, gint64 *out, GError **error)
{
  guint r = in_rank[0];
  const gint64 *x = in[0];

  *dtype = values[op->inputs[0]].dtype;
  *rank = r;
  memcpy (out, x, sizeof (gint64) * r);

  switch (op->type)
    {
    case STRATA_OP_RESHAPE:
      {
        gint64 known = 1, total = 1;
        int open = -1;

        guint first = op->attr.reshape.with_batch ? 0 : 1;

        for (guint i = first; i < r; i++)
          total = (total < 0 || x[i] < 0) ? -1 : total * x[i];
        *rank = op->attr.reshape.rank + first;
        if (*rank > STRATA_PLAN_MAX_RANK || *rank == 0)
          return shape_error (op, error, "rank too large");
        out[0] = x[0];
        for (guint i = 0; i < op->attr.reshape.rank; i++)
          {
            out[i + first] = op->attr.reshape.shape[i];
            if (out[i + first] < 0)
              open = i + first;
            else
              known *= out[i + first];
          }
        if (open >= 0)
          out[open] = total < 0 ? -1 : (known == 0 ? 0 : total / known);
        else
          known = -1;
        if (total >= 0 && ((open < 0 && known != -1) ||
                           (open >= 0 && known != 0 && out[open] * known != total)))
          return shape_error (op, error, "the number of elements does not match the target shape");
        if (total >= 0 && open < 0)
          {
            gint64 n = 1;
            for (guint i = first; i < *rank; i++)
              n *= out[i];
            if (n != total)
              return shape_error (op, error, "the number of elements does not match the target shape");
          }
        return TRUE;
      }
    case STRATA_OP_TRANSPOSE:
      for (guint i = 0; i < r; i++)
        out[i] = x[op->attr.transpose.perm[i]];
      return TRUE;
    case STRATA_OP_PAD:
      for (guint i = 0; i < r; i++)
        out[i] = x[i] < 0 ? -1 : x[i] + op->attr.pad.before[i] + op->attr.pad.after[i];
      return TRUE;
    case STRATA_OP_SLICE:
      for (guint i = 0; i < r; i++)
        {
          gint64 size = op->attr.slice.size[i];
          if (size < 0)
            out[i] = x[i] < 0 ? -1 : x[i] - op->attr.slice.begin[i];
          else
            out[i] = size;
          if (x[i] >= 0 && (out[i] < 0 || op->attr.slice.begin[i] + out[i] > x[i]))
            return shape_error (op, error, "the slice is larger than the input");
        }
      return TRUE;
    case STRATA_OP_CONCAT:
      {
        int axis = op->attr.axis.axis;
        for (guint j = 1; j < op->n_inputs; j++)
          {
            if (in_rank[j] != r)
              return shape_error (op, error, "inputs of different ranks");
            for (guint i = 0; i < r; i++)
              {
                if (i == (guint) axis)
                  out[i] = (out[i] < 0 || in[j][i] < 0) ? -1 : out[i] + in[j][i];
                else if (out[i] < 0)
                  out[i] = in[j][i];
                else if (in[j][i] >= 0 && in[j][i] != out[i] && i != 0)
                  return shape_error (op, error, "inputs of incompatible shapes");
              }
          }
        return TRUE;
      }
    case STRATA_OP_TILE:
      for (guint i = 0; i < r; i++)
        out[i] = x[i] < 0 ? -1 : x[i] * op->attr.tile.multiples[i];
      return TRUE;
    case STRATA_OP_UPSAMPLE:
      for (guint i = 0; i < r; i++)
        out[i] = x[i] < 0 ? -1 : x[i] * op->attr.upsample.factors[i];
      return TRUE;
    case STRATA_OP_REVERSE:
      return TRUE;
    case STRATA_OP_RNN:
      {
        const StrataPlanRnn *rnn = &op->attr.rnn;
        gint64 u = in[1][0];
        guint gates = rnn->cell == STRATA_PLAN_CELL_SIMPLE ? 1 : rnn->cell == STRATA_PLAN_CELL_LSTM ? 4 : 3;
        guint n_states = rnn->cell == STRATA_PLAN_CELL_LSTM ? 2 : 1;
        gint8 slots[4] = { rnn->rbias, rnn->mask, rnn->h0, rnn->c0 };

        if (r != 3 || in_rank[1] != 2 || in[1][1] != (gint64) gates * u ||
            (x[2] >= 0 && x[2] != in[1][1]))
          return shape_error (op, error, "the input projection does not match the recurrent kernel");
        for (guint j = 0; j < 4; j++)
          if (slots[j] >= (gint8) op->n_inputs || slots[j] == 0 || slots[j] == 1)
            return shape_error (op, error, "an optional input slot is out of range");
        if (rnn->rbias > 0 && (in_rank[rnn->rbias] != 1 || in[rnn->rbias][0] != in[1][1]))
          return shape_error (op, error, "the recurrent bias does not match the kernel");
        if (rnn->mask > 0 && (in_rank[rnn->mask] != 2 || (x[1] >= 0 && in[rnn->mask][1] >= 0 &&
                                                         in[rnn->mask][1] != x[1])))
          return shape_error (op, error, "the mask is not [batch, steps]");
        for (guint j = 2; j < 4; j++)
          if (slots[j] > 0 && (in_rank[slots[j]] != 2 || (in[slots[j]][1] >= 0 && in[slots[j]][1] != u)))
            return shape_error (op, error, "an initial state is not [batch, units]");
        *dtype = STRATA_PLAN_F32;
        out[1] = x[1] < 0 ? -1 : 1 + n_states + x[1];
        out[2] = u;
        return TRUE;
      }
    case STRATA_OP_GATHER:
      /* params [V, D...], indices [...] -> [..., D...] */
      *dtype = STRATA_PLAN_F32;
      *rank = in_rank[1] + r - 1;
      if (*rank > STRATA_PLAN_MAX_RANK)
        return shape_error (op, error, "rank too large");
      memcpy (out, in[1], sizeof (gint64) * in_rank[1]);
      memcpy (out + in_rank[1], x + 1, sizeof (gint64) * (r - 1));
      return TRUE;
    case STRATA_OP_CAST:
      *dtype = STRATA_PLAN_I32;
      return TRUE;
    case STRATA_OP_MATMUL:
      if (in_rank[1] != 2 || r < 1)
        return shape_error (op, error, "the kernel is not a matrix");
      if (x[r - 1] >= 0 && x[r - 1] != in[1][0])
        return shape_error (op, error, "the input's last axis does not match the kernel");
      out[r - 1] = in[1][1];
      return TRUE;
    case STRATA_OP_BATCH_MATMUL:
      {
        gint64 m, k1, k2, n;
        if (r < 3 || in_rank[1] != r)
          return shape_error (op, error, "inputs are not of the same rank, at least 3");
        for (guint i = 1; i + 2 < r; i++)
          if (x[i] >= 0 && in[1][i] >= 0 && x[i] != in[1][i])
            return shape_error (op, error, "the batch axes differ in size");
        m = op->attr.batch_matmul.adj_x ? x[r - 1] : x[r - 2];
        k1 = op->attr.batch_matmul.adj_x ? x[r - 2] : x[r - 1];
        k2 = op->attr.batch_matmul.adj_y ? in[1][r - 1] : in[1][r - 2];
        n = op->attr.batch_matmul.adj_y ? in[1][r - 2] : in[1][r - 1];
        if (k1 >= 0 && k2 >= 0 && k1 != k2)
          return shape_error (op, error, "the contracted axes differ in size");
        out[r - 2] = m;
        out[r - 1] = n;
        return TRUE;
      }
    case STRATA_OP_BIAS_ADD:
      if (x[r - 1] >= 0 && x[r - 1] != in[1][0])
        return shape_error (op, error, "the bias does not match the channels");
      return TRUE;
    case STRATA_OP_CONV2D:
    case STRATA_OP_CONV3D:
      {
        guint nsp = op->type == STRATA_OP_CONV3D ? 3 : 2;
        if (r != nsp + 2 || in_rank[1] != nsp + 2)
          return shape_error (op, error, nsp == 3 ? "input or filter is not of rank 5" : "input or filter is not of rank 4");
        if (in[1][nsp] < 1 || in[1][nsp + 1] < 1 ||
            (x[nsp + 1] >= 0 && (x[nsp + 1] % in[1][nsp] != 0 || in[1][nsp + 1] % (x[nsp + 1] / in[1][nsp]) != 0)))
          return shape_error (op, error, "the input channels do not match the kernel");
        for (guint a = 0; a < nsp; a++)
          {
            int before, after;
            if (op->attr.conv.strides[a] < 1 || op->attr.conv.dilations[a] < 1 || in[1][a] < 1)
              return shape_error (op, error, "a stride, dilation or kernel size below 1");
            out[1 + a] = strata_plan_window (op->attr.conv.padding, x[1 + a], (int) in[1][a],
                                             op->attr.conv.strides[a], op->attr.conv.dilations[a],
                                             op->attr.conv.pads[2 * a], op->attr.conv.pads[2 * a + 1],
                                             &before, &after);
          }
        out[nsp + 1] = in[1][nsp + 1];
        return TRUE;
      }
    case STRATA_OP_CONV2D_BACKPROP_INPUT:
    case STRATA_OP_CONV3D_BACKPROP_INPUT:
      {
        /* inputs: filter [k..., O, I], x [B, n..., I] */
        guint nsp = op->type == STRATA_OP_CONV3D_BACKPROP_INPUT ? 3 : 2;
        const gint64 *f = in[0], *xt = in[1];
        if (in_rank[0] != nsp + 2 || in_rank[1] != nsp + 2)
          return shape_error (op, error, nsp == 3 ? "input or filter is not of rank 5" : "input or filter is not of rank 4");
        if (xt[nsp + 1] >= 0 && xt[nsp + 1] != f[nsp + 1])
          return shape_error (op, error, "the input channels do not match the kernel");
        *dtype = values[op->inputs[1]].dtype;
        *rank = nsp + 2;
        out[0] = xt[0];
        for (guint a = 0; a < nsp; a++)
          {
            gint64 s = op->attr.conv.strides[a], ke = (f[a] - 1) * op->attr.conv.dilations[a] + 1;
            int pad = op->attr.conv.output_padding[a];
            gboolean same = op->attr.conv.padding == STRATA_PLAN_PADDING_SAME;
            if (s < 1 || op->attr.conv.dilations[a] < 1 || f[a] < 1 || pad >= s)
              return shape_error (op, error, "a stride, dilation, kernel size or output padding out of range");
            /* Keras's deconv_output_length (spec 3.3) */
            if (xt[1 + a] < 0)
              out[1 + a] = -1;
            else if (pad < 0)
              out[1 + a] = same ? xt[1 + a] * s : (xt[1 + a] - 1) * s + MAX (ke, s);
            else
              out[1 + a] = (xt[1 + a] - 1) * s + (same ? ke % 2 : ke) + pad;
          }
        out[nsp + 1] = f[nsp];
        return TRUE;
      }
    case STRATA_OP_MAX_POOL:
    case STRATA_OP_AVG_POOL:
    case STRATA_OP_MAX_POOL3D:
    case STRATA_OP_AVG_POOL3D:
      {
        guint nsp = op->type == STRATA_OP_MAX_POOL3D || op->type == STRATA_OP_AVG_POOL3D ? 3 : 2;
        if (r != nsp + 2)
          return shape_error (op, error, nsp == 3 ? "input is not of rank 5" : "input is not of rank 4");
        for (guint a = 0; a < nsp; a++)
          {
            int before, after;
            if (op->attr.pool.ksize[a] < 1 || op->attr.pool.strides[a] < 1)
              return shape_error (op, error, "a window or stride below 1");
            out[1 + a] = strata_plan_window (op->attr.pool.padding, x[1 + a], op->attr.pool.ksize[a],
                                             op->attr.pool.strides[a], 1, 0, 0, &before, &after);
          }
        return TRUE;
      }
    case STRATA_OP_MEAN:
    case STRATA_OP_MAX:
    case STRATA_OP_SUM:
      *rank = 0;
      for (guint i = 0; i < r; i++)
        {
          if (op->attr.reduce.axes & (1u << i))
            {
              if (op->attr.reduce.keep_dims)
                out[(*rank)++] = 1;
            }
          else
            out[(*rank)++] = x[i];
        }
      return TRUE;
    case STRATA_OP_ADD: case STRATA_OP_SUB: case STRATA_OP_MUL: case STRATA_OP_DIV:
    case STRATA_OP_MAXIMUM: case STRATA_OP_MINIMUM: case STRATA_OP_SQUARED_DIFF:
    case STRATA_OP_GREATER: case STRATA_OP_NOT_EQUAL: case STRATA_OP_SELECT_POS:
      for (guint j = 1; j < op->n_inputs; j++)
        {
          gint64 tmp[STRATA_PLAN_MAX_RANK];
          guint tr;
          if (!broadcast (*rank, out, in_rank[j], in[j], &tr, tmp))
            return shape_error (op, error, "shapes cannot be broadcast");
          *rank = tr;
          memcpy (out, tmp, sizeof (gint64) * tr);
        }
      return TRUE;
    default:
      /* unary: same shape */
      return TRUE;
    }
}

guint
strata_plan_add_op (StrataPlan *plan, StrataPlanOp *op, GError **error)
{
  guint in_rank[STRATA_PLAN_MAX_INPUTS];
  gint64 in_dims[STRATA_PLAN_MAX_INPUTS][STRATA_PLAN_MAX_RANK];
  gint64 dims[STRATA_PLAN_MAX_RANK];
  StrataPlanDType dtype;
  guint rank, id;

  g_assert (op->n_inputs >= 1 && op->n_inputs <= STRATA_PLAN_MAX_INPUTS);
  for (guint i = 0; i < op->n_inputs; i++)
    {
      StrataPlanValue *v = strata_plan_value (plan, op->inputs[i]);
      in_rank[i] = v->rank;
      memcpy (in_dims[i], v->dims, sizeof (gint64) * v->rank);
    }
  op->layer = op->layer != NULL ? g_intern_string (op->layer) : NULL;
  if (!strata_plan_infer_shape (op, (StrataPlanValue *) (void *) plan->values->data,
                                in_rank, in_dims, &dtype, &rank, dims, error))
    return G_MAXUINT;
  id = add_value (plan, STRATA_PLAN_VALUE_COMPUTED, dtype, op->layer, rank, dims);
  op->output = id;
  g_array_append_val (plan->ops, *op);
  return id;
}

char *
strata_plan_to_string (StrataPlan *plan)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < plan->ops->len; i++)
    {
      StrataPlanOp *op = &g_array_index (plan->ops, StrataPlanOp, i);
      StrataPlanValue *v = strata_plan_value (plan, op->output);

      g_string_append_printf (s, "%%%u = %s(", op->output, strata_op_type_name (op->type));
      for (guint j = 0; j < op->n_inputs; j++)
        g_string_append_printf (s, "%s%%%u", j ? ", " : "", op->inputs[j]);
      g_string_append (s, ") [");
      for (guint j = 0; j < v->rank; j++)
        g_string_append_printf (s, "%s%" G_GINT64_FORMAT, j ? "," : "", v->dims[j]);
      g_string_append_printf (s, "]  # %s\n", op->layer != NULL ? op->layer : "");
    }
  return g_string_free (s, FALSE);
}
