/* strata-lower-util.c: the class table and helpers of lowering functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-lower-private.h"

static const struct {
  const char      *class_name;
  StrataLowerFunc  func;
} lowerings[] = {
  { "InputLayer", strata_lower_core },
  { "Dense", strata_lower_core },
  { "Embedding", strata_lower_core },
  { "Rescaling", strata_lower_core },
  { "Dropout", strata_lower_core },
  { "SpatialDropout1D", strata_lower_core },
  { "SpatialDropout2D", strata_lower_core },
  { "SpatialDropout3D", strata_lower_core },
  { "GaussianNoise", strata_lower_core },
  { "GaussianDropout", strata_lower_core },
  { "AlphaDropout", strata_lower_core },
  { "ActivityRegularization", strata_lower_core },
  { "Identity", strata_lower_core },
  { "Activation", strata_lower_activations },
  { "ReLU", strata_lower_activations },
  { "LeakyReLU", strata_lower_activations },
  { "ELU", strata_lower_activations },
  { "Softmax", strata_lower_activations },
  { "ThresholdedReLU", strata_lower_activations },
  { "PReLU", strata_lower_activations },
  { "Add", strata_lower_merge },
  { "Subtract", strata_lower_merge },
  { "Multiply", strata_lower_merge },
  { "Average", strata_lower_merge },
  { "Maximum", strata_lower_merge },
  { "Minimum", strata_lower_merge },
  { "Concatenate", strata_lower_merge },
  { "Dot", strata_lower_merge },
  { "Flatten", strata_lower_reshaping },
  { "Reshape", strata_lower_reshaping },
  { "Permute", strata_lower_reshaping },
  { "RepeatVector", strata_lower_reshaping },
  { "ZeroPadding1D", strata_lower_reshaping },
  { "ZeroPadding2D", strata_lower_reshaping },
  { "Cropping1D", strata_lower_reshaping },
  { "Cropping2D", strata_lower_reshaping },
  { "UpSampling1D", strata_lower_reshaping },
  { "UpSampling2D", strata_lower_reshaping },
  { "ZeroPadding3D", strata_lower_reshaping },
  { "Cropping3D", strata_lower_reshaping },
  { "UpSampling3D", strata_lower_reshaping },
  { "Conv1D", strata_lower_conv },
  { "Conv2D", strata_lower_conv },
  { "Conv3D", strata_lower_conv },
  { "Conv1DTranspose", strata_lower_conv },
  { "Conv2DTranspose", strata_lower_conv },
  { "Conv3DTranspose", strata_lower_conv },
  { "SeparableConv1D", strata_lower_conv },
  { "SeparableConv2D", strata_lower_conv },
  { "DepthwiseConv1D", strata_lower_conv },
  { "DepthwiseConv2D", strata_lower_conv },
  { "MaxPooling1D", strata_lower_pooling },
  { "MaxPooling2D", strata_lower_pooling },
  { "MaxPooling3D", strata_lower_pooling },
  { "AveragePooling1D", strata_lower_pooling },
  { "AveragePooling2D", strata_lower_pooling },
  { "AveragePooling3D", strata_lower_pooling },
  { "GlobalMaxPooling1D", strata_lower_pooling },
  { "GlobalMaxPooling2D", strata_lower_pooling },
  { "GlobalMaxPooling3D", strata_lower_pooling },
  { "GlobalAveragePooling1D", strata_lower_pooling },
  { "GlobalAveragePooling2D", strata_lower_pooling },
  { "GlobalAveragePooling3D", strata_lower_pooling },
  { "BatchNormalization", strata_lower_norm },
  { "LayerNormalization", strata_lower_norm },
  { "SimpleRNN", strata_lower_rnn },
  { "LSTM", strata_lower_rnn },
  { "GRU", strata_lower_rnn },
  { "CuDNNLSTM", strata_lower_rnn },
  { "CuDNNGRU", strata_lower_rnn },
  { "Bidirectional", strata_lower_rnn },
  { "TimeDistributed", strata_lower_rnn },
  { "Masking", strata_lower_rnn },
  { "Attention", strata_lower_attention },
  { "AdditiveAttention", strata_lower_attention },
  { "MultiHeadAttention", strata_lower_attention },
  { "NotEqual", strata_lower_ops },
  { "Any", strata_lower_ops },
};

/* Layers whose Keras compute_mask returns the input mask unchanged
 * (supports_masking without a compute_mask of their own). */
static const char *const mask_passing[] = {
  "InputLayer", "Dense", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU",
  "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
  "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity", "BatchNormalization",
  "LayerNormalization", "TimeDistributed",
};

gboolean
strata_lower_passes_mask (const char *class_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (mask_passing); i++)
    if (g_strcmp0 (mask_passing[i], class_name) == 0)
      return TRUE;
  return FALSE;
}

StrataLowerFunc
strata_lower_lookup (const char *class_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (lowerings); i++)
    if (g_strcmp0 (lowerings[i].class_name, class_name) == 0)
      return lowerings[i].func;
  return NULL;
}

gboolean
strata_lower_unsupported (StrataLowerCall *call, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_UNSUPPORTED, message);
  (void) call;
  return FALSE;
}

const char *
strata_lower_get_string (StrataLowerCall *call, const char *key, const char *fallback)
{
  JsonNode *node = json_object_get_member (call->config, key);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

double
strata_lower_get_double (StrataLowerCall *call, const char *key, double fallback)
{
  JsonNode *node = json_object_get_member (call->config, key);
  double value;

  if (node == NULL || !strata_json_node_get_double (node, &value))
    return fallback;
  return value;
}

gint64
strata_lower_get_int (StrataLowerCall *call, const char *key, gint64 fallback)
{
  JsonNode *node = json_object_get_member (call->config, key);
  gint64 value;

  if (node == NULL || !strata_json_node_get_int (node, &value))
    return fallback;
  return value;
}

gboolean
strata_lower_get_bool (StrataLowerCall *call, const char *key, gboolean fallback)
{
  JsonNode *node = json_object_get_member (call->config, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return fallback;
  return strata_json_node_is_truthy (node);
}

gboolean
strata_lower_get_ints (StrataLowerCall *call, const char *key, guint n, gint64 *out, gint64 fallback)
{
  JsonNode *node = json_object_get_member (call->config, key);
  JsonArray *list;
  gint64 v;

  for (guint i = 0; i < n; i++)
    out[i] = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (strata_json_node_get_int (node, &v))
    {
      for (guint i = 0; i < n; i++)
        out[i] = v;
      return TRUE;
    }
  list = strata_json_node_get_list (node);
  if (list == NULL || json_array_get_length (list) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!strata_json_node_get_int (json_array_get_element (list, i), &out[i]))
      return FALSE;
  return TRUE;
}

/* A weight of a F64 plan: float64 ones are used in place, others converted. */
static gboolean
add_f64_weight (StrataLowerCall *call, StrataTensor *w, guint rank, const gint64 *dims, guint *id,
                GError **error)
{
  GBytes *data = strata_tensor_get_data (w);
  g_autoptr(StrataTensor) converted = NULL;

  if (strata_tensor_get_dtype (w) == STRATA_DTYPE_FLOAT64)
    {
      *id = strata_plan_add_const (call->plan, call->name, STRATA_PLAN_F64, rank, dims,
                                   g_bytes_get_data (data, NULL), data);
      return TRUE;
    }
  converted = strata_tensor_cast (w, STRATA_DTYPE_FLOAT64, error);
  if (converted == NULL)
    return FALSE;
  *id = strata_plan_add_doubles (call->plan, call->name, rank, dims,
                                 g_bytes_get_data (strata_tensor_get_data (converted), NULL));
  return TRUE;
}

gboolean
strata_lower_weights (StrataLowerCall *call, guint *ids, guint max, guint *n_weights, GError **error)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (call->layer);
  guint all = weights != NULL ? weights->len : 0;
  guint first = MIN (call->weights_first, all);

  *n_weights = MIN (all - first, call->n_weights);
  if (*n_weights > max)
    {
      g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                   "Layer “%s” has %u weights, at most %u expected", call->name, *n_weights, max);
      return FALSE;
    }
  for (guint i = 0; i < *n_weights; i++)
    {
      StrataTensor *w = g_ptr_array_index (weights, first + i);
      GBytes *data = strata_tensor_get_data (w);
      guint rank;
      const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (w), &rank);

      if (data == NULL)
        {
          g_set_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_INVALID,
                       "Layer “%s”: weight “%s” has no values", call->name,
                       strata_tensor_get_name (w));
          return FALSE;
        }
      if (rank > STRATA_PLAN_MAX_RANK)
        return strata_lower_unsupported (call, error, "weight of rank %u", rank);
      if (call->plan->compute == STRATA_PLAN_F64)
        {
          if (!add_f64_weight (call, w, rank, dims, &ids[i], error))
            return FALSE;
        }
      else if (strata_tensor_get_dtype (w) == STRATA_DTYPE_FLOAT32)
        ids[i] = strata_plan_add_const (call->plan, call->name, STRATA_PLAN_F32, rank, dims,
                                        g_bytes_get_data (data, NULL), data);
      else
        {
          /* Other float types are converted once, when the plan is made. */
          gsize n;
          g_autofree float *values = strata_tensor_to_floats (w, &n, error);
          if (values == NULL)
            return FALSE;
          ids[i] = strata_plan_add_floats (call->plan, call->name, rank, dims, values);
        }
    }
  return TRUE;
}

guint
strata_lower_const_view (StrataLowerCall *call, guint weight, guint rank, const gint64 *dims)
{
  StrataPlanValue *w = strata_lower_value (call, weight);

  return strata_plan_add_const (call->plan, call->name, w->dtype, rank, dims, w->data, w->owner);
}

StrataPlanValue *
strata_lower_value (StrataLowerCall *call, guint id)
{
  return strata_plan_value (call->plan, id);
}

guint
strata_lower_op_full (StrataLowerCall *call, StrataPlanOp *op, GError **error)
{
  op->layer = call->name;
  return strata_plan_add_op (call->plan, op, error);
}

guint
strata_lower_op (StrataLowerCall *call, StrataOpType type, guint n_inputs, const guint *inputs,
                 GError **error)
{
  StrataPlanOp op = { 0 };

  op.type = type;
  op.n_inputs = n_inputs;
  memcpy (op.inputs, inputs, n_inputs * sizeof (guint));
  return strata_lower_op_full (call, &op, error);
}

guint
strata_lower_unary (StrataLowerCall *call, StrataOpType type, guint x, GError **error)
{
  return x == G_MAXUINT ? x : strata_lower_op (call, type, 1, &x, error);
}

guint
strata_lower_binary (StrataLowerCall *call, StrataOpType type, guint a, guint b, GError **error)
{
  guint in[2] = { a, b };

  return a == G_MAXUINT || b == G_MAXUINT ? G_MAXUINT : strata_lower_op (call, type, 2, in, error);
}

guint
strata_lower_reshape (StrataLowerCall *call, guint x, guint rank, const gint64 *dims, GError **error)
{
  StrataPlanOp op = { .type = STRATA_OP_RESHAPE, .n_inputs = 1, .inputs = { x } };

  if (x == G_MAXUINT)
    return x;
  if (rank >= STRATA_PLAN_MAX_RANK)
    {
      strata_lower_unsupported (call, error, "rank %u", rank + 1);
      return G_MAXUINT;
    }
  op.attr.reshape.rank = rank;
  memcpy (op.attr.reshape.shape, dims, rank * sizeof (gint64));
  return strata_lower_op_full (call, &op, error);
}

guint
strata_lower_transpose (StrataLowerCall *call, guint x, const guint *perm, GError **error)
{
  StrataPlanOp op = { .type = STRATA_OP_TRANSPOSE, .n_inputs = 1, .inputs = { x } };
  guint rank;

  if (x == G_MAXUINT)
    return x;
  rank = strata_lower_value (call, x)->rank;
  memcpy (op.attr.transpose.perm, perm, rank * sizeof (guint));
  return strata_lower_op_full (call, &op, error);
}

int
strata_lower_axis (int axis, guint rank)
{
  if (axis < 0)
    axis += (int) rank;
  return axis >= 0 && axis < (int) rank ? axis : -1;
}

JsonObject *
strata_lower_object_member (JsonObject *object, const char *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
strata_lower_array_member (JsonObject *object, const char *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
strata_lower_string_member (JsonObject *object, const char *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

/* @object's string member @key, or "" (also for a NULL @object). */
const char *
strata_lower_string_or_empty (JsonObject *object, const char *key)
{
  const char *value = strata_lower_string_member (object, key);

  return value != NULL ? value : "";
}

/* The class name of a layer entry ({class_name, config, ...}), or "". */
const char *
strata_lower_class_name (JsonObject *entry)
{
  return strata_lower_string_or_empty (entry, "class_name");
}

gboolean
strata_lower_done (StrataLowerCall *call, guint y)
{
  if (!STRATA_LOWER_OK (y))
    return FALSE;
  call->outputs[0] = y;
  call->n_outputs = 1;
  return TRUE;
}
