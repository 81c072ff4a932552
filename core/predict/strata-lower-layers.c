/* strata-lower-layers.c: core, merge and reshaping layers
 *
 * Semantics: ../shared/specs/keras-inference-semantics.md sections 1.1,
 * 6.1 (Rescaling), 6.2 and 6.3.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "strata-lower-private.h"

static guint
rank_of (StrataLowerCall *call, guint x)
{
  return strata_lower_value (call, x)->rank;
}

static const gint64 *
dims_of (StrataLowerCall *call, guint x)
{
  return strata_lower_value (call, x)->dims;
}

static gboolean
channels_first (StrataLowerCall *call)
{
  return g_strcmp0 (strata_lower_get_string (call, "data_format", "channels_last"), "channels_first") == 0;
}

/* A float constant from a config number or list, shaped for broadcasting
 * on the last axis. */
static guint
config_constant (StrataLowerCall *call, const char *key, float fallback)
{
  JsonNode *node = json_object_get_member (call->config, key);
  JsonArray *list = node != NULL ? strata_json_node_get_list (node) : NULL;
  double v;

  if (list != NULL)
    {
      guint n = json_array_get_length (list);
      g_autofree float *values = g_new0 (float, MAX (n, 1));
      gint64 dim = n;
      for (guint i = 0; i < n; i++)
        if (strata_json_node_get_double (json_array_get_element (list, i), &v))
          values[i] = (float) v;
      return strata_plan_add_floats (call->plan, call->name, 1, &dim, values);
    }
  if (node != NULL && strata_json_node_get_double (node, &v))
    return strata_plan_add_scalar (call->plan, call->name, v);
  return strata_plan_add_scalar (call->plan, call->name, fallback);
}

static gboolean
lower_dense (StrataLowerCall *call, GError **error)
{
  guint w[2], n, y;

  if (!strata_lower_weights (call, w, 2, &n, error))
    return FALSE;
  if (n < 1 || strata_lower_value (call, w[0])->rank != 2)
    return strata_lower_unsupported (call, error, "kernel is not a matrix");
  y = strata_lower_binary (call, STRATA_OP_MATMUL, call->inputs[0], w[0], error);
  if (n == 2)
    y = strata_lower_binary (call, STRATA_OP_BIAS_ADD, y, w[1], error);
  if (!STRATA_LOWER_OK (y))
    return FALSE;
  return strata_lower_done (call, strata_lower_activation (call, json_object_get_member (call->config, "activation"),
                                              y, error));
}

static gboolean
lower_embedding (StrataLowerCall *call, GError **error)
{
  guint w[1], n, ids;

  if (!strata_lower_weights (call, w, 1, &n, error))
    return FALSE;
  if (n != 1)
    return strata_lower_unsupported (call, error, "no embeddings weight");
  if (strata_lower_get_bool (call, "mask_zero", FALSE))
    {
      /* the mask ids != 0, on the ids as given (before the cast) */
      call->out_masks[0] = strata_lower_binary (call, STRATA_OP_NOT_EQUAL, call->inputs[0],
                                                strata_plan_add_scalar (call->plan, call->name, 0.0f),
                                                error);
      if (!STRATA_LOWER_OK (call->out_masks[0]))
        return FALSE;
      call->masks_set = TRUE;
    }
  ids = strata_lower_unary (call, STRATA_OP_CAST, call->inputs[0], error);
  return strata_lower_done (call, strata_lower_binary (call, STRATA_OP_GATHER, w[0], ids, error));
}

gboolean
strata_lower_core (StrataLowerCall *call, GError **error)
{
  const char *cls = call->class_name;

  if (g_str_equal (cls, "Dense"))
    return lower_dense (call, error);
  if (g_str_equal (cls, "Embedding"))
    return lower_embedding (call, error);
  if (g_str_equal (cls, "Rescaling"))
    {
      guint scale = config_constant (call, "scale", 1.0f);
      guint offset = config_constant (call, "offset", 0.0f);
      return strata_lower_done (call, strata_lower_binary (call, STRATA_OP_ADD,
                                              strata_lower_binary (call, STRATA_OP_MUL, call->inputs[0],
                                                                   scale, error),
                                              offset, error));
    }
  /* InputLayer, Dropout family, noise, ActivityRegularization, Identity:
   * identity at inference. */
  return strata_lower_done (call, strata_lower_unary (call, STRATA_OP_IDENTITY, call->inputs[0], error));
}

/* Merge layers: lower-rank inputs get new axes at axis 1 (base_merge.py). */
static guint
expand_to (StrataLowerCall *call, guint x, guint rank, GError **error)
{
  guint r = rank_of (call, x);
  gint64 dims[STRATA_PLAN_MAX_RANK];

  if (r >= rank)
    return x;
  for (guint i = 0; i < rank - r; i++)
    dims[i] = 1;
  memcpy (dims + rank - r, dims_of (call, x) + 1, (r - 1) * sizeof (gint64));
  return strata_lower_reshape (call, x, rank - 1, dims, error);
}

static guint
l2_normalize (StrataLowerCall *call, guint x, int axis, GError **error)
{
  StrataPlanOp sum = { .type = STRATA_OP_SUM, .n_inputs = 1 };
  guint s;

  sum.inputs[0] = strata_lower_binary (call, STRATA_OP_MUL, x, x, error);
  if (!STRATA_LOWER_OK (sum.inputs[0]))
    return G_MAXUINT;
  sum.attr.reduce.axes = 1u << axis;
  sum.attr.reduce.keep_dims = TRUE;
  s = strata_lower_op_full (call, &sum, error);
  if (strata_lower_keras3 (call))
    /* x · min(rsqrt(Σx²), 1e7) */
    s = strata_lower_binary (call, STRATA_OP_MINIMUM, strata_lower_unary (call, STRATA_OP_RSQRT, s, error),
                             strata_plan_add_scalar (call->plan, call->name, 1e7f), error);
  else
    /* x · rsqrt(max(Σx², 1e-12)) */
    s = strata_lower_unary (call, STRATA_OP_RSQRT,
                            strata_lower_binary (call, STRATA_OP_MAXIMUM, s,
                                                 strata_plan_add_scalar (call->plan, call->name, 1e-12),
                                                 error),
                            error);
  return strata_lower_binary (call, STRATA_OP_MUL, x, s, error);
}

static gboolean
lower_dot (StrataLowerCall *call, GError **error)
{
  guint a = call->inputs[0], b = call->inputs[1];
  guint ra = rank_of (call, a), rb = rank_of (call, b);
  gint64 axes[2];
  int xa, xb;

  if (call->n_inputs != 2 || !strata_lower_get_ints (call, "axes", 2, axes, -1))
    return strata_lower_unsupported (call, error, "axes");
  xa = (int) (axes[0] < 0 ? axes[0] + ra : axes[0]);
  xb = (int) (axes[1] < 0 ? axes[1] + rb : axes[1]);
  if (xa <= 0 || xb <= 0 || xa >= (int) ra || xb >= (int) rb)
    return strata_lower_unsupported (call, error, "axes");
  if (strata_lower_get_bool (call, "normalize", FALSE))
    {
      a = l2_normalize (call, a, xa, error);
      b = l2_normalize (call, b, xb, error);
      if (!STRATA_LOWER_OK (a) || !STRATA_LOWER_OK (b))
        return FALSE;
    }
  if (ra == 2 && rb == 2)
    {
      StrataPlanOp sum = { .type = STRATA_OP_SUM, .n_inputs = 1 };
      sum.inputs[0] = strata_lower_binary (call, STRATA_OP_MUL, a, b, error);
      if (!STRATA_LOWER_OK (sum.inputs[0]))
        return FALSE;
      sum.attr.reduce.axes = 2;
      sum.attr.reduce.keep_dims = TRUE;
      return strata_lower_done (call, strata_lower_op_full (call, &sum, error));
    }
  if (ra == 3 && rb == 3)
    {
      StrataPlanOp mm = { .type = STRATA_OP_BATCH_MATMUL, .n_inputs = 2, .inputs = { a, b } };
      mm.attr.batch_matmul.adj_x = xa == 1;
      mm.attr.batch_matmul.adj_y = xb == 2;
      return strata_lower_done (call, strata_lower_op_full (call, &mm, error));
    }
  return strata_lower_unsupported (call, error, "inputs of rank %u and %u", ra, rb);
}

gboolean
strata_lower_merge (StrataLowerCall *call, GError **error)
{
  const char *cls = call->class_name;
  guint rank = 0, y;
  g_autofree guint *in = g_new0 (guint, call->n_inputs);
  StrataOpType type;

  if (call->n_inputs < 1)
    return strata_lower_unsupported (call, error, "no inputs");
  if (g_str_equal (cls, "Dot"))
    return lower_dot (call, error);
  if (g_str_equal (cls, "Concatenate"))
    {
      StrataPlanOp op = { .type = STRATA_OP_CONCAT, .n_inputs = call->n_inputs };
      int axis = strata_lower_axis ((int) strata_lower_get_int (call, "axis", -1),
                                    rank_of (call, call->inputs[0]));
      if (call->n_inputs > STRATA_PLAN_MAX_INPUTS)
        {
          /* Concatenate in steps of the op's input limit. */
          guint acc = call->inputs[0];
          for (guint i = 1; i < call->n_inputs; i++)
            {
              StrataPlanOp step = { .type = STRATA_OP_CONCAT, .n_inputs = 2, .inputs = { acc, call->inputs[i] } };
              step.attr.axis.axis = axis;
              acc = strata_lower_op_full (call, &step, error);
              if (!STRATA_LOWER_OK (acc))
                return FALSE;
            }
          return strata_lower_done (call, acc);
        }
      if (axis <= 0)
        return strata_lower_unsupported (call, error, "axis");
      memcpy (op.inputs, call->inputs, call->n_inputs * sizeof (guint));
      op.attr.axis.axis = axis;
      return strata_lower_done (call, strata_lower_op_full (call, &op, error));
    }

  for (guint i = 0; i < call->n_inputs; i++)
    rank = MAX (rank, rank_of (call, call->inputs[i]));
  for (guint i = 0; i < call->n_inputs; i++)
    if (!STRATA_LOWER_OK (in[i] = expand_to (call, call->inputs[i], rank, error)))
      return FALSE;
  if (g_str_equal (cls, "Subtract"))
    {
      if (call->n_inputs != 2)
        return strata_lower_unsupported (call, error, "%u inputs", call->n_inputs);
      type = STRATA_OP_SUB;
    }
  else if (g_str_equal (cls, "Multiply"))
    type = STRATA_OP_MUL;
  else if (g_str_equal (cls, "Maximum"))
    type = STRATA_OP_MAXIMUM;
  else if (g_str_equal (cls, "Minimum"))
    type = STRATA_OP_MINIMUM;
  else
    type = STRATA_OP_ADD;   /* Add, Average */
  y = in[0];
  for (guint i = 1; i < call->n_inputs; i++)
    y = strata_lower_binary (call, type, y, in[i], error);
  if (g_str_equal (cls, "Average"))
    y = strata_lower_binary (call, STRATA_OP_DIV, y,
                             strata_plan_add_scalar (call->plan, call->name, (float) call->n_inputs), error);
  return strata_lower_done (call, y);
}

/* The first spatial axis of a layer's input, honouring data_format. */
static guint
first_spatial_axis (StrataLowerCall *call)
{
  return channels_first (call) ? 2 : 1;
}

static gboolean
lower_pad_crop (StrataLowerCall *call, guint n_axes, gboolean crop, GError **error)
{
  const char *key = crop ? "cropping" : "padding";
  JsonNode *node = json_object_get_member (call->config, key);
  JsonArray *list = node != NULL ? strata_json_node_get_list (node) : NULL;
  gint64 amount[3][2] = { { 0, 0 }, { 0, 0 }, { 0, 0 } }, v;
  guint x = call->inputs[0], rank = rank_of (call, x), axis0 = first_spatial_axis (call);
  StrataPlanOp op = { .n_inputs = 1, .inputs = { x } };

  if (node != NULL && strata_json_node_get_int (node, &v))
    for (guint a = 0; a < 3; a++)
      amount[a][0] = amount[a][1] = v;
  else if (list != NULL && n_axes == 1 && json_array_get_length (list) == 2)
    {
      strata_json_node_get_int (json_array_get_element (list, 0), &amount[0][0]);
      strata_json_node_get_int (json_array_get_element (list, 1), &amount[0][1]);
    }
  else if (list != NULL && json_array_get_length (list) == n_axes)
    for (guint a = 0; a < n_axes; a++)
      {
        JsonNode *item = json_array_get_element (list, a);
        JsonArray *pair = strata_json_node_get_list (item);
        if (strata_json_node_get_int (item, &v))
          amount[a][0] = amount[a][1] = v;
        else if (pair != NULL && json_array_get_length (pair) == 2)
          {
            strata_json_node_get_int (json_array_get_element (pair, 0), &amount[a][0]);
            strata_json_node_get_int (json_array_get_element (pair, 1), &amount[a][1]);
          }
        else
          return strata_lower_unsupported (call, error, "%s", key);
      }
  else
    return strata_lower_unsupported (call, error, "%s", key);
  if (n_axes == 1)
    axis0 = 1;
  if (rank != n_axes + 2)
    return strata_lower_unsupported (call, error, "input of rank %u", rank);

  op.type = crop ? STRATA_OP_SLICE : STRATA_OP_PAD;
  for (guint i = 0; crop && i < rank; i++)
    op.attr.slice.size[i] = -1;
  for (guint a = 0; a < n_axes; a++)
    {
      guint axis = axis0 + a;
      if (crop)
        {
          gint64 n = dims_of (call, x)[axis];
          if (n < 0)
            return strata_lower_unsupported (call, error, "cropping an axis of unknown length");
          op.attr.slice.begin[axis] = amount[a][0];
          op.attr.slice.size[axis] = n - amount[a][0] - amount[a][1];
        }
      else
        {
          op.attr.pad.before[axis] = amount[a][0];
          op.attr.pad.after[axis] = amount[a][1];
        }
    }
  return strata_lower_done (call, strata_lower_op_full (call, &op, error));
}

static gboolean
lower_upsampling (StrataLowerCall *call, guint n_axes, GError **error)
{
  guint x = call->inputs[0], rank = rank_of (call, x);
  StrataPlanOp op = { .type = STRATA_OP_UPSAMPLE, .n_inputs = 1, .inputs = { x } };
  gint64 size[3];
  guint axis0 = n_axes == 1 ? 1 : first_spatial_axis (call);

  if (rank != n_axes + 2)
    return strata_lower_unsupported (call, error, "input of rank %u", rank);
  if (g_strcmp0 (strata_lower_get_string (call, "interpolation", "nearest"), "nearest") != 0)
    return strata_lower_unsupported (call, error, "interpolation “%s”",
                                     strata_lower_get_string (call, "interpolation", ""));
  if (!strata_lower_get_ints (call, n_axes == 1 ? "size" : "size", n_axes, size, 2))
    return strata_lower_unsupported (call, error, "size");
  for (guint i = 0; i < rank; i++)
    op.attr.upsample.factors[i] = 1;
  for (guint a = 0; a < n_axes; a++)
    op.attr.upsample.factors[axis0 + a] = (int) size[a];
  return strata_lower_done (call, strata_lower_op_full (call, &op, error));
}

gboolean
strata_lower_reshaping (StrataLowerCall *call, GError **error)
{
  const char *cls = call->class_name;
  guint x = call->inputs[0], rank = rank_of (call, x);

  if (g_str_equal (cls, "Flatten"))
    {
      gint64 all = -1;
      if (channels_first (call) && rank > 2)
        {
          guint perm[STRATA_PLAN_MAX_RANK] = { 0 };
          for (guint i = 1; i + 1 < rank; i++)
            perm[i] = i + 1;
          perm[rank - 1] = 1;
          x = strata_lower_transpose (call, x, perm, error);
        }
      return strata_lower_done (call, strata_lower_reshape (call, x, 1, &all, error));
    }
  if (g_str_equal (cls, "Reshape"))
    {
      JsonArray *target = strata_json_node_get_list (json_object_get_member (call->config, "target_shape"));
      gint64 dims[STRATA_PLAN_MAX_RANK];
      guint n = target != NULL ? json_array_get_length (target) : 0;
      if (target == NULL || n + 1 > STRATA_PLAN_MAX_RANK ||
          !strata_lower_get_ints (call, "target_shape", n, dims, -1))
        return strata_lower_unsupported (call, error, "target_shape");
      return strata_lower_done (call, strata_lower_reshape (call, x, n, dims, error));
    }
  if (g_str_equal (cls, "Permute"))
    {
      guint perm[STRATA_PLAN_MAX_RANK] = { 0 };
      gint64 dims[STRATA_PLAN_MAX_RANK];
      if (!strata_lower_get_ints (call, "dims", rank - 1, dims, 0))
        return strata_lower_unsupported (call, error, "dims");
      for (guint i = 1; i < rank; i++)
        {
          if (dims[i - 1] < 1 || dims[i - 1] >= rank)
            return strata_lower_unsupported (call, error, "dims");
          perm[i] = (guint) dims[i - 1];
        }
      return strata_lower_done (call, strata_lower_transpose (call, x, perm, error));
    }
  if (g_str_equal (cls, "RepeatVector"))
    {
      gint64 shape[2] = { 1, dims_of (call, x)[1] };
      StrataPlanOp tile = { .type = STRATA_OP_TILE, .n_inputs = 1 };
      if (rank != 2)
        return strata_lower_unsupported (call, error, "input of rank %u", rank);
      tile.inputs[0] = strata_lower_reshape (call, x, 2, shape, error);
      if (!STRATA_LOWER_OK (tile.inputs[0]))
        return FALSE;
      tile.attr.tile.multiples[0] = 1;
      tile.attr.tile.multiples[1] = strata_lower_get_int (call, "n", 1);
      tile.attr.tile.multiples[2] = 1;
      return strata_lower_done (call, strata_lower_op_full (call, &tile, error));
    }
  {
    guint n_axes = g_str_has_suffix (cls, "1D") ? 1 : g_str_has_suffix (cls, "3D") ? 3 : 2;
    if (g_str_has_prefix (cls, "ZeroPadding"))
      return lower_pad_crop (call, n_axes, FALSE, error);
    if (g_str_has_prefix (cls, "Cropping"))
      return lower_pad_crop (call, n_axes, TRUE, error);
    return lower_upsampling (call, n_axes, error);
  }
}
