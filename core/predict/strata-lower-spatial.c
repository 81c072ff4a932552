/* strata-lower-spatial.c: convolutions, pooling and normalization
 *
 * 1D layers run as 2D ops on a height of 1 (as TensorFlow's conv1d does),
 * 3D layers as the 3D ops; channels_first layers are transposed to
 * channels-last and back. Semantics:
 * ../shared/specs/keras-inference-semantics.md sections 1.2, 3 and 6.1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "strata-lower-private.h"

static gboolean
channels_first (StrataLowerCall *call)
{
  return g_strcmp0 (strata_lower_get_string (call, "data_format", "channels_last"), "channels_first") == 0;
}

/* NCHW <-> NHWC (and NCW <-> NWC) */
static guint
to_channels_last (StrataLowerCall *call, guint x, GError **error)
{
  guint rank = strata_lower_value (call, x)->rank, perm[STRATA_PLAN_MAX_RANK] = { 0 };

  for (guint i = 1; i + 1 < rank; i++)
    perm[i] = i + 1;
  perm[rank - 1] = 1;
  return strata_lower_transpose (call, x, perm, error);
}

static guint
to_channels_first (StrataLowerCall *call, guint x, GError **error)
{
  guint rank = strata_lower_value (call, x)->rank, perm[STRATA_PLAN_MAX_RANK] = { 0 };

  if (!STRATA_LOWER_OK (x))
    return x;
  perm[1] = rank - 1;
  for (guint i = 2; i < rank; i++)
    perm[i] = i - 1;
  return strata_lower_transpose (call, x, perm, error);
}

/* (B, T, C) -> (B, 1, T, C) */
static guint
add_height (StrataLowerCall *call, guint x, GError **error)
{
  const gint64 *d = strata_lower_value (call, x)->dims;
  gint64 dims[3] = { 1, d[1], d[2] };

  if (d[1] < 0 && d[2] < 0)
    dims[2] = d[2];
  return strata_lower_reshape (call, x, 3, dims, error);
}

static guint
drop_height (StrataLowerCall *call, guint x, GError **error)
{
  const gint64 *d;
  gint64 dims[2];

  if (!STRATA_LOWER_OK (x))
    return x;
  d = strata_lower_value (call, x)->dims;
  dims[0] = d[2];
  dims[1] = d[3];
  return strata_lower_reshape (call, x, 2, dims, error);
}

static StrataPlanPadding
padding_of (StrataLowerCall *call)
{
  const char *p = strata_lower_get_string (call, "padding", "valid");

  return g_ascii_strcasecmp (p, "same") == 0 ? STRATA_PLAN_PADDING_SAME : STRATA_PLAN_PADDING_VALID;
}

typedef enum { CONV_PLAIN, CONV_TRANSPOSE, CONV_DEPTHWISE, CONV_SEPARABLE } ConvKind;

/* The spatial conv of @kind on the channels-last @x (1D: already given
 * a height of 1) with the kernel @w laid out for it (spec 1.2). */
static guint
conv_op (StrataLowerCall *call, ConvKind kind, guint n_axes, guint x, guint w, GError **error)
{
  guint nsp = n_axes == 1 ? 2 : n_axes, off = nsp - n_axes;
  const char *padding = strata_lower_get_string (call, "padding", "valid");
  gint64 strides[3] = { 1, 1, 1 }, dilation[3] = { 1, 1, 1 }, out_pad[3] = { -1, -1, -1 };
  StrataPlanOp op = { .n_inputs = 2, .inputs = { x, w } };

  if (kind == CONV_TRANSPOSE)
    {
      op.type = nsp == 3 ? STRATA_OP_CONV3D_BACKPROP_INPUT : STRATA_OP_CONV2D_BACKPROP_INPUT;
      op.inputs[0] = w;
      op.inputs[1] = x;
    }
  else
    op.type = nsp == 3 ? STRATA_OP_CONV3D : STRATA_OP_CONV2D;
  if (!strata_lower_get_ints (call, "strides", n_axes, strides + off, 1) ||
      !strata_lower_get_ints (call, "dilation_rate", n_axes, dilation + off, 1) ||
      (kind == CONV_TRANSPOSE && !strata_lower_get_ints (call, "output_padding", n_axes, out_pad + off, -1)))
    {
      strata_lower_unsupported (call, error, "strides, dilation_rate or output_padding");
      return G_MAXUINT;
    }
  for (guint a = 0; a < nsp; a++)
    {
      op.attr.conv.strides[a] = (int) CLAMP (strides[a], 0, G_MAXINT);
      op.attr.conv.dilations[a] = (int) CLAMP (dilation[a], 0, G_MAXINT);
      op.attr.conv.output_padding[a] = (int) CLAMP (out_pad[a], -1, G_MAXINT);
    }
  if (g_ascii_strcasecmp (padding, "causal") == 0 && n_axes == 1 && kind != CONV_TRANSPOSE)
    {
      /* left pad d·(k−1), then valid */
      gint64 k = strata_lower_value (call, w)->dims[1];
      op.attr.conv.padding = STRATA_PLAN_PADDING_EXPLICIT;
      op.attr.conv.pads[2] = (int) (dilation[1] * (k - 1));
    }
  else if (g_ascii_strcasecmp (padding, "same") == 0 || g_ascii_strcasecmp (padding, "valid") == 0)
    op.attr.conv.padding = padding_of (call);
  else
    {
      strata_lower_unsupported (call, error, "padding “%s”", padding);
      return G_MAXUINT;
    }
  return strata_lower_op_full (call, &op, error);
}

/* Conv{1,2,3}D (groups too), Conv{1,2,3}DTranspose, DepthwiseConv{1,2}D
 * (a grouped conv with one input channel per group: the [k..., C, M]
 * kernel is [k..., 1, C·M], output channel c·M + m) and
 * SeparableConv{1,2}D (that depthwise conv without bias, then the
 * pointwise kernel as a MatMul on the channels, then the bias). */
static gboolean
lower_conv (StrataLowerCall *call, ConvKind kind, guint n_axes, GError **error)
{
  guint x = call->inputs[0], w[3], n, y;
  guint n_kernels = kind == CONV_SEPARABLE ? 2 : 1;
  gboolean cf = channels_first (call);
  gint64 kdims[STRATA_PLAN_MAX_RANK];
  StrataPlanValue *kv;
  guint krank;

  if (strata_lower_value (call, x)->rank != n_axes + 2)
    return strata_lower_unsupported (call, error, "input of rank %u", strata_lower_value (call, x)->rank);
  if (!strata_lower_weights (call, w, 3, &n, error))
    return FALSE;
  if (n < n_kernels || n > n_kernels + 1)
    return strata_lower_unsupported (call, error, "%u weights", n);
  kv = strata_lower_value (call, w[0]);
  krank = kv->rank;
  if (krank != n_axes + 2)
    return strata_lower_unsupported (call, error, "kernel of rank %u", krank);
  /* 1D: the kernel gets a height of 1 in front */
  kdims[0] = 1;
  memcpy (kdims + (n_axes == 1), kv->dims, krank * sizeof (gint64));
  krank += n_axes == 1;
  if (kind == CONV_DEPTHWISE || kind == CONV_SEPARABLE)
    {
      kdims[krank - 1] *= kdims[krank - 2];
      kdims[krank - 2] = 1;
    }
  w[0] = strata_lower_const_view (call, w[0], krank, kdims);

  if (cf)
    x = to_channels_last (call, x, error);
  if (n_axes == 1)
    x = add_height (call, x, error);
  if (!STRATA_LOWER_OK (x))
    return FALSE;
  y = conv_op (call, kind, n_axes, x, w[0], error);
  if (n_axes == 1)
    y = drop_height (call, y, error);
  if (kind == CONV_SEPARABLE && STRATA_LOWER_OK (y))
    {
      StrataPlanValue *pv = strata_lower_value (call, w[1]);
      gint64 pdims[2] = { pv->dims[pv->rank - 2], pv->dims[pv->rank - 1] };
      if (pv->rank != n_axes + 2)
        return strata_lower_unsupported (call, error, "pointwise kernel of rank %u", pv->rank);
      y = strata_lower_binary (call, STRATA_OP_MATMUL, y, strata_lower_const_view (call, w[1], 2, pdims), error);
    }
  if (n == n_kernels + 1)
    y = strata_lower_binary (call, STRATA_OP_BIAS_ADD, y, w[n_kernels], error);
  if (cf)
    y = to_channels_first (call, y, error);
  if (!STRATA_LOWER_OK (y))
    return FALSE;
  return strata_lower_done (call, strata_lower_activation (call, json_object_get_member (call->config, "activation"),
                                              y, error));
}

gboolean
strata_lower_conv (StrataLowerCall *call, GError **error)
{
  const char *cls = call->class_name;
  guint n_axes = strstr (cls, "1D") != NULL ? 1 : strstr (cls, "3D") != NULL ? 3 : 2;
  ConvKind kind = g_str_has_suffix (cls, "Transpose") ? CONV_TRANSPOSE
                  : g_str_has_prefix (cls, "Depthwise") ? CONV_DEPTHWISE
                  : g_str_has_prefix (cls, "Separable") ? CONV_SEPARABLE : CONV_PLAIN;

  return lower_conv (call, kind, n_axes, error);
}

gboolean
strata_lower_pooling (StrataLowerCall *call, GError **error)
{
  const char *cls = call->class_name;
  guint n_axes = g_str_has_suffix (cls, "1D") ? 1 : g_str_has_suffix (cls, "3D") ? 3 : 2;
  guint nsp = n_axes == 1 ? 2 : n_axes, off = nsp - n_axes;
  guint x = call->inputs[0], rank = strata_lower_value (call, x)->rank;
  gboolean cf = channels_first (call);

  if (rank != n_axes + 2)
    return strata_lower_unsupported (call, error, "input of rank %u", rank);
  if (g_str_has_prefix (cls, "Global"))
    {
      StrataPlanOp op = { .type = g_str_has_prefix (cls, "GlobalMax") ? STRATA_OP_MAX : STRATA_OP_MEAN,
                          .n_inputs = 1, .inputs = { x } };
      for (guint a = 0; a < n_axes; a++)
        op.attr.reduce.axes |= 1u << (a + (cf ? 2 : 1));
      op.attr.reduce.keep_dims = strata_lower_get_bool (call, "keepdims", FALSE);
      if (call->kwargs != NULL && json_object_has_member (call->kwargs, "mask"))
        return strata_lower_unsupported (call, error, "call with a mask");
      return strata_lower_done (call, strata_lower_op_full (call, &op, error));
    }
  else
    {
      gboolean max = g_str_has_prefix (cls, "Max");
      StrataPlanOp op = { .type = nsp == 3 ? (max ? STRATA_OP_MAX_POOL3D : STRATA_OP_AVG_POOL3D)
                                           : (max ? STRATA_OP_MAX_POOL : STRATA_OP_AVG_POOL),
                          .n_inputs = 1 };
      gint64 size[3] = { 1, 1, 1 }, strides[3] = { 1, 1, 1 };
      const char *pool_key = n_axes == 1 && json_object_has_member (call->config, "pool_length")
                             ? "pool_length" : "pool_size";
      JsonNode *strides_node = json_object_get_member (call->config, "strides");
      guint y;

      if (!strata_lower_get_ints (call, pool_key, n_axes, size + off, 2))
        return strata_lower_unsupported (call, error, "pool_size");
      /* strides None (or absent): the pool size */
      memcpy (strides, size, sizeof strides);
      if (strides_node != NULL && !JSON_NODE_HOLDS_NULL (strides_node) &&
          !strata_lower_get_ints (call, "strides", n_axes, strides + off, 1))
        return strata_lower_unsupported (call, error, "strides");
      if (cf)
        x = to_channels_last (call, x, error);
      if (n_axes == 1)
        x = add_height (call, x, error);
      if (!STRATA_LOWER_OK (x))
        return FALSE;
      op.inputs[0] = x;
      for (guint a = 0; a < nsp; a++)
        {
          op.attr.pool.ksize[a] = (int) CLAMP (size[a], 0, G_MAXINT);
          op.attr.pool.strides[a] = (int) CLAMP (strides[a], 0, G_MAXINT);
        }
      op.attr.pool.padding = padding_of (call);
      y = strata_lower_op_full (call, &op, error);
      if (n_axes == 1)
        y = drop_height (call, y, error);
      if (cf)
        y = to_channels_first (call, y, error);
      return strata_lower_done (call, y);
    }
}

/* Normalization axes from the config (int or list) as a bit mask. */
static gboolean
norm_axes (StrataLowerCall *call, guint rank, guint *mask)
{
  JsonNode *node = json_object_get_member (call->config, "axis");
  JsonArray *list = node != NULL ? strata_json_node_get_list (node) : NULL;
  guint n = list != NULL ? json_array_get_length (list) : 1;
  gint64 axes[STRATA_PLAN_MAX_RANK];

  *mask = 0;
  if (n == 0 || n >= rank || !strata_lower_get_ints (call, "axis", n, axes, -1))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      int a = strata_lower_axis ((int) axes[i], rank);
      if (a <= 0)
        return FALSE;
      *mask |= 1u << a;
    }
  return TRUE;
}

/* Shape of a per-feature constant over the axes in @mask, for
 * broadcasting against the non-batch axes. */
static guint
broadcast_dims (StrataLowerCall *call, guint x, guint mask, gint64 *dims)
{
  StrataPlanValue *v = strata_lower_value (call, x);
  guint first = (guint) g_bit_nth_lsf (mask, -1);

  for (guint i = first; i < v->rank; i++)
    dims[i - first] = (mask & (1u << i)) ? v->dims[i] : 1;
  return v->rank - first;
}

static gboolean
lower_batch_norm (StrataLowerCall *call, GError **error)
{
  guint x = call->inputs[0], rank = strata_lower_value (call, x)->rank, mask, w[4], n, nb;
  gboolean scale = strata_lower_get_bool (call, "scale", TRUE);
  gboolean center = strata_lower_get_bool (call, "center", TRUE);
  double eps = strata_lower_get_double (call, "epsilon", 1e-3);
  StrataPlanValue *gamma = NULL, *beta = NULL, *mean, *var;
  gint64 dims[STRATA_PLAN_MAX_RANK];
  gsize c;
  guint channel, r, m, a, shift, y;
  /* tf-keras runs the fused kernel for rank 4/5 inputs normalised on the
   * channel axis: (x - mean)·(γ·inv) + β; everything else x·inv' + (β - μ·inv'). */
  gboolean fused;

  if (!norm_axes (call, rank, &mask) || (mask & (mask - 1)) != 0)
    return strata_lower_unsupported (call, error, "axis");
  channel = (guint) g_bit_nth_lsf (mask, -1);
  fused = !strata_lower_keras3 (call) && (rank == 4 || rank == 5) && (channel == 1 || channel == rank - 1);
  if (!strata_lower_weights (call, w, 4, &n, error))
    return FALSE;
  if (n != 2u + scale + center)
    return strata_lower_unsupported (call, error, "%u weights", n);
  nb = 0;
  if (scale)
    gamma = strata_lower_value (call, w[nb++]);
  if (center)
    beta = strata_lower_value (call, w[nb++]);
  mean = strata_lower_value (call, w[nb]);
  var = strata_lower_value (call, w[nb + 1]);
  c = (gsize) mean->dims[0];
  if (strata_lower_value (call, x)->dims[channel] >= 0 &&
      (gsize) strata_lower_value (call, x)->dims[channel] != c)
    return strata_lower_unsupported (call, error, "weights of %" G_GSIZE_FORMAT " channels", c);

  broadcast_dims (call, x, mask, dims);
  r = rank - channel;
  if (call->plan->compute == STRATA_PLAN_F64)
    {
      /* A float64 plan's weights are float64: folded in double. */
      g_autofree double *mul = g_new (double, c);
      g_autofree double *add = g_new (double, c);
      const double *g = gamma != NULL ? gamma->data : NULL, *b = beta != NULL ? beta->data : NULL;
      const double *mu = mean->data, *v = var->data;
      for (gsize i = 0; i < c; i++)
        {
          mul[i] = (g != NULL ? g[i] : 1.0) / sqrt (v[i] + eps);
          add[i] = fused ? (b != NULL ? b[i] : 0.0) : (b != NULL ? b[i] : 0.0) - mu[i] * mul[i];
        }
      m = strata_plan_add_doubles (call->plan, call->name, r, dims, mul);
      a = strata_plan_add_doubles (call->plan, call->name, r, dims, add);
      shift = fused ? strata_plan_add_doubles (call->plan, call->name, r, dims, mu) : G_MAXUINT;
    }
  else
    {
      /* Folded per-channel factors, computed in float32 as TensorFlow does. */
      g_autofree float *mul = g_new (float, c);
      g_autofree float *add = g_new (float, c);
      const float *g = gamma != NULL ? gamma->data : NULL, *b = beta != NULL ? beta->data : NULL;
      const float *mu = mean->data, *v = var->data;
      for (gsize i = 0; i < c; i++)
        {
          float inv = (float) (1.0 / sqrt ((double) (v[i] + (float) eps)));
          float bi = b != NULL ? b[i] : 0.0f;
          mul[i] = g != NULL ? inv * g[i] : inv;
          add[i] = fused ? bi : bi - mu[i] * mul[i];
        }
      m = strata_plan_add_floats (call->plan, call->name, r, dims, mul);
      a = strata_plan_add_floats (call->plan, call->name, r, dims, add);
      shift = fused ? strata_plan_add_floats (call->plan, call->name, r, dims, mu) : G_MAXUINT;
    }
  y = x;
  if (fused)
    y = strata_lower_binary (call, STRATA_OP_SUB, x, shift, error);
  y = strata_lower_binary (call, STRATA_OP_MUL, y, m, error);
  return strata_lower_done (call, strata_lower_binary (call, STRATA_OP_ADD, y, a, error));
}

static gboolean
lower_layer_norm (StrataLowerCall *call, GError **error)
{
  guint x = call->inputs[0], rank = strata_lower_value (call, x)->rank, mask, w[2], n, nb = 0;
  gboolean scale = strata_lower_get_bool (call, "scale", TRUE);
  gboolean center = strata_lower_get_bool (call, "center", TRUE);
  double eps = strata_lower_get_double (call, "epsilon", 1e-3);
  StrataPlanOp mean_op = { .type = STRATA_OP_MEAN, .n_inputs = 1, .inputs = { x } };
  StrataPlanOp var_op = { .type = STRATA_OP_MEAN, .n_inputs = 1 };
  guint gamma = G_MAXUINT, beta = G_MAXUINT, mean, inv, y;
  gint64 dims[STRATA_PLAN_MAX_RANK];
  guint r;
  gboolean trailing, fused;

  if (!norm_axes (call, rank, &mask))
    return strata_lower_unsupported (call, error, "axis");
  if (strata_lower_get_bool (call, "rms_scaling", FALSE))
    return strata_lower_unsupported (call, error, "rms_scaling");
  trailing = ((mask >> g_bit_nth_lsf (mask, -1)) + 1) == (1u << (rank - g_bit_nth_lsf (mask, -1)));
  fused = !strata_lower_keras3 (call) && eps >= 1.001e-5 && trailing;
  if (!strata_lower_weights (call, w, 2, &n, error))
    return FALSE;
  if (n != (guint) scale + center)
    return strata_lower_unsupported (call, error, "%u weights", n);
  r = broadcast_dims (call, x, mask, dims);
  /* The weights viewed in the broadcast shape. */
  if (scale)
    {
      gamma = strata_lower_const_view (call, w[nb++], r, dims);
    }
  if (center)
    {
      beta = strata_lower_const_view (call, w[nb], r, dims);
    }

  mean_op.attr.reduce.axes = mask;
  mean_op.attr.reduce.keep_dims = TRUE;
  mean = strata_lower_op_full (call, &mean_op, error);
  var_op.inputs[0] = strata_lower_binary (call, STRATA_OP_SQUARED_DIFF, x, mean, error);
  if (!STRATA_LOWER_OK (var_op.inputs[0]))
    return FALSE;
  var_op.attr.reduce = mean_op.attr.reduce;
  inv = strata_lower_unary (call, STRATA_OP_RSQRT,
                            strata_lower_binary (call, STRATA_OP_ADD, strata_lower_op_full (call, &var_op, error),
                                                 strata_plan_add_scalar (call->plan, call->name, eps),
                                                 error),
                            error);
  if (fused)
    {
      /* ((x - mean)·inv)·γ + β */
      y = strata_lower_binary (call, STRATA_OP_MUL, strata_lower_binary (call, STRATA_OP_SUB, x, mean, error),
                               inv, error);
      if (scale)
        y = strata_lower_binary (call, STRATA_OP_MUL, y, gamma, error);
      if (center)
        y = strata_lower_binary (call, STRATA_OP_ADD, y, beta, error);
      return strata_lower_done (call, y);
    }
  /* x·inv' + (β - μ·inv') with inv' = inv·γ */
  if (scale)
    inv = strata_lower_binary (call, STRATA_OP_MUL, inv, gamma, error);
  {
    guint shift = strata_lower_unary (call, STRATA_OP_NEG,
                                      strata_lower_binary (call, STRATA_OP_MUL, mean, inv, error), error);
    if (center)
      shift = strata_lower_binary (call, STRATA_OP_ADD, shift, beta, error);
    y = strata_lower_binary (call, STRATA_OP_ADD, strata_lower_binary (call, STRATA_OP_MUL, x, inv, error),
                             shift, error);
  }
  return strata_lower_done (call, y);
}

gboolean
strata_lower_norm (StrataLowerCall *call, GError **error)
{
  if (g_str_equal (call->class_name, "BatchNormalization"))
    return lower_batch_norm (call, error);
  return lower_layer_norm (call, error);
}
