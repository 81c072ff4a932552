/* strata-model-cudnn.c: cuDNN RNN layers as the LSTM / GRU every Keras has
 *
 * Keras 2.0-2.2's CuDNNLSTM and CuDNNGRU exist in neither tf-keras 2.x nor
 * Keras 3 (nor can they run without a GPU). A model holding them is saved
 * as the model Keras 2.2.4 loads their weights into: LSTM, and GRU with
 * reset_after=True, both with the activations cuDNN computes (tanh and
 * sigmoid), their weights re-laid out as Keras 2.2.4's
 * preprocess_weights_for_loading does (strata-rnn-weights.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-model-cudnn-private.h"

#include <string.h>

#include "strata-error.h"
#include "strata-i18n-private.h"
#include "strata-optimizer.h"
#include "strata-registry.h"
#include "strata-rnn-weights-private.h"
#include "strata-shape.h"
#include "strata-tensor.h"

/* The native class of a cuDNN class, else NULL. */
static const char *
native_class (const char *class_name)
{
  if (g_strcmp0 (class_name, "CuDNNLSTM") == 0)
    return "LSTM";
  if (g_strcmp0 (class_name, "CuDNNGRU") == 0)
    return "GRU";
  return NULL;
}

static const char *
object_class (JsonObject *config, const char *key)
{
  JsonNode *member = config != NULL ? json_object_get_member (config, key) : NULL;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (member), "class_name", NULL);
}

/* The classes of the cuDNN layers whose weights @layer holds, in order
 * (a cuDNN layer, or a wrapper of cuDNN layers); NULL when none. */
static GPtrArray *
cudnn_parts (StrataLayer *layer)
{
  const char *class_name = strata_layer_get_class_name (layer);
  g_autoptr(JsonObject) config = NULL;
  GPtrArray *parts;
  const char *inner;

  if (native_class (class_name) != NULL)
    {
      parts = g_ptr_array_new ();
      g_ptr_array_add (parts, (gpointer) native_class (class_name));
      return parts;
    }
  if (g_strcmp0 (class_name, "Bidirectional") != 0 && g_strcmp0 (class_name, "TimeDistributed") != 0)
    return NULL;
  config = strata_layer_get_config (layer);
  inner = object_class (config, "layer");
  if (native_class (inner) == NULL &&
      native_class (object_class (config, "backward_layer")) == NULL)
    return NULL;
  parts = g_ptr_array_new ();
  g_ptr_array_add (parts, (gpointer) native_class (inner));
  if (g_str_equal (class_name, "Bidirectional"))
    {
      const char *backward = object_class (config, "backward_layer");

      g_ptr_array_add (parts, (gpointer) native_class (backward != NULL ? backward : inner));
    }
  return parts;
}

/* A cuDNN layer's config as its native class takes it. */
static void
convert_config (JsonObject *object)
{
  const char *native = native_class (json_object_get_string_member_with_default (object, "class_name", NULL));
  JsonNode *member = json_object_get_member (object, "config");
  JsonObject *config;

  if (native == NULL || member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  config = json_node_get_object (member);
  json_object_set_string_member (object, "class_name", native);
  /* What cuDNN computes; Keras 2.2.4's own defaults differ (hard_sigmoid). */
  json_object_set_string_member (config, "activation", "tanh");
  json_object_set_string_member (config, "recurrent_activation", "sigmoid");
  json_object_set_boolean_member (config, "use_bias", TRUE);
  if (g_str_equal (native, "GRU"))
    json_object_set_boolean_member (config, "reset_after", TRUE);
}

/* strata_model_clone()'s layer function: cuDNN layers and wrappers of
 * them become unbuilt native layers; the rest are copied as usual. */
static StrataLayer *
clone_layer (StrataLayer *layer, gpointer user_data)
{
  g_autoptr(GPtrArray) parts = cudnn_parts (layer);
  GError **error = user_data;
  g_autoptr(JsonObject) config = NULL;
  const char *class_name = strata_layer_get_class_name (layer);
  GType type;

  if (parts == NULL || *error != NULL)
    return NULL;
  config = strata_layer_get_config (layer);
  if (native_class (class_name) != NULL)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "class_name", class_name);
      json_object_set_object_member (object, "config", json_object_ref (config));
      convert_config (object);
      class_name = native_class (class_name);
    }
  else
    {
      static const char *const keys[] = { "layer", "backward_layer" };

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        if (object_class (config, keys[k]) != NULL)
          convert_config (json_object_get_object_member (config, keys[k]));
    }
  type = strata_registry_lookup (strata_registry_get_default (), class_name);
  return strata_layer_new_from_config (type, config, STRATA_LOAD_NONE, error);
}

/* A tensor of @bytes (owned), whose size matches @shape by construction. */
static StrataTensor *
tensor_take (StrataDType dtype, StrataShape *shape, GBytes *bytes)
{
  g_autoptr(GBytes) owned = bytes;

  return strata_tensor_new (dtype, shape, owned, NULL);
}

/* @t (rank 2) re-laid out gate block by gate block as @gates says. */
static StrataTensor *
convert_kernel (StrataTensor *t, StrataRnnGates gates, gint64 rows, gint64 units)
{
  gsize es = strata_dtype_get_size (strata_tensor_get_dtype (t));
  const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (t), NULL);
  GBytes *bytes = strata_tensor_get_data (t);
  const guint8 *src;
  guint8 *dst;

  if (bytes == NULL)
    return strata_tensor_new_metadata (strata_tensor_get_dtype (t), strata_tensor_get_shape (t));
  src = g_bytes_get_data (bytes, NULL);
  dst = g_malloc (MAX (dims[0] * dims[1] * es, 1));
  for (gint64 r = 0; r < dims[0]; r++)
    for (gint64 c = 0; c < dims[1]; c++)
      memcpy (dst + (r * dims[1] + c) * es,
              src + strata_rnn_gates_source_index (gates, rows, units, dims[1], r, c) * es, es);
  return tensor_take (strata_tensor_get_dtype (t), strata_tensor_get_shape (t),
                      g_bytes_new_take (dst, dims[0] * dims[1] * es));
}

/* The native bias of a cuDNN bias of @n values: an LSTM's two vectors
 * summed, a GRU's kept as the (2, 3 * units) input and recurrent biases. */
static StrataTensor *
convert_bias (StrataTensor *b, gboolean lstm, gint64 n)
{
  StrataDType dtype = strata_tensor_get_dtype (b);
  gint64 dims[2] = { 2, n / 2 };
  g_autoptr(StrataShape) shape = lstm ? strata_shape_new (1, &dims[1]) : strata_shape_new (2, dims);
  GBytes *bytes = strata_tensor_get_data (b);
  gsize es = strata_dtype_get_size (dtype);
  guint8 *dst;

  if (bytes == NULL)
    return strata_tensor_new_metadata (dtype, shape);
  if (!lstm)
    return tensor_take (dtype, shape, g_bytes_ref (bytes));
  dst = g_malloc (MAX (dims[1] * es, 1));
  strata_rnn_bias_convert (es, g_bytes_get_data (bytes, NULL), dims[1], TRUE, dst);
  return tensor_take (dtype, shape, g_bytes_new_take (dst, dims[1] * es));
}

/* @weights (3 per cuDNN layer of @parts, owned) re-laid out in place. */
static gboolean
convert_weights (StrataLayer *layer, GPtrArray *parts, GPtrArray *weights, GError **error)
{
  if (weights->len != 3 * parts->len)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: a layer name, the number of weights it has, then the number expected */
                   _("Layer “%s” has %u weights, expected %u for its cuDNN layers"),
                   strata_layer_get_name (layer), weights->len, 3 * parts->len);
      return FALSE;
    }
  for (guint p = 0; p < parts->len; p++)
    {
      const char *part = g_ptr_array_index (parts, p);
      gboolean lstm = g_strcmp0 (part, "LSTM") == 0;
      gint64 n_gates = lstm ? 4 : 3;
      StrataTensor **w = (StrataTensor **) &g_ptr_array_index (weights, 3 * p);
      guint ranks[3];
      const gint64 *dims[3];
      StrataTensor *converted[3];

      if (part == NULL)   /* a native layer beside a cuDNN one in a wrapper */
        continue;
      for (guint i = 0; i < 3; i++)
        {
          StrataDType dtype = strata_tensor_get_dtype (w[i]);

          dims[i] = strata_shape_get_dims (strata_tensor_get_shape (w[i]), &ranks[i]);
          if (dtype != STRATA_DTYPE_FLOAT32 && dtype != STRATA_DTYPE_FLOAT64)
            {
              g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_DTYPE,
                           /* Translators: a weight name, a layer name, a dtype such as float16 */
                           _("Cannot convert the cuDNN weight “%s” of layer “%s”: its dtype is %s"),
                           strata_tensor_get_name (w[i]), strata_layer_get_name (layer),
                           strata_dtype_to_string (dtype));
              return FALSE;
            }
        }
      if (ranks[0] != 2 || ranks[1] != 2 || ranks[2] != 1 || dims[1][1] != n_gates * dims[1][0] ||
          dims[0][1] != dims[1][1] || dims[2][0] != 2 * dims[1][1])
        {
          g_autofree char *k = strata_shape_to_string (strata_tensor_get_shape (w[0]));
          g_autofree char *rk = strata_shape_to_string (strata_tensor_get_shape (w[1]));
          g_autofree char *b = strata_shape_to_string (strata_tensor_get_shape (w[2]));

          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                       /* Translators: a layer name, three shapes such as (32, 128), and LSTM or GRU */
                       _("Layer “%s”: the cuDNN weights of shapes %s, %s and %s do not make a %s"),
                       strata_layer_get_name (layer), k, rk, b, part);
          return FALSE;
        }
      converted[0] = convert_kernel (w[0], STRATA_RNN_GATES_FROM_CUDNN, dims[0][0], dims[1][0]);
      converted[1] = convert_kernel (w[1], STRATA_RNN_GATES_TRANSPOSE, dims[1][0], dims[1][0]);
      converted[2] = convert_bias (w[2], lstm, dims[2][0]);
      for (guint i = 0; i < 3; i++)
        {
          strata_tensor_set_name (converted[i], strata_tensor_get_name (w[i]));
          g_object_unref (w[i]);
          w[i] = converted[i];
        }
    }
  return TRUE;
}

/* Gives the layers of @to (a clone of @from) the weights of @from. */
static gboolean
copy_weights (StrataLayer *from, StrataLayer *to, GError **error)
{
  g_autoptr(GPtrArray) weights = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) held = NULL;
  g_autoptr(GPtrArray) parts = NULL;

  if (STRATA_IS_MODEL (from))
    {
      for (guint i = 0; i < strata_model_get_n_layers (STRATA_MODEL (from)); i++)
        if (!copy_weights (strata_model_get_layer_at (STRATA_MODEL (from), i),
                           strata_model_get_layer_at (STRATA_MODEL (to), i), error))
          return FALSE;
      return TRUE;
    }
  held = strata_layer_get_weights (from);
  for (guint i = 0; i < held->len; i++)
    g_ptr_array_add (weights, g_object_ref (g_ptr_array_index (held, i)));
  parts = cudnn_parts (from);
  if (parts != NULL && weights->len > 0 && !convert_weights (from, parts, weights, error))
    return FALSE;
  return weights->len == 0 || strata_layer_set_weights (to, weights, error);
}

static gboolean
holds_cudnn (StrataModel *model)
{
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      g_autoptr(GPtrArray) parts = cudnn_parts (layer);

      if (parts != NULL || (STRATA_IS_MODEL (layer) && holds_cudnn (STRATA_MODEL (layer))))
        return TRUE;
    }
  return FALSE;
}

StrataModel *
strata_model_without_cudnn (StrataModel *model, GError **error)
{
  g_autoptr(StrataModel) copy = NULL;
  GError *local = NULL;
  StrataOptimizer *optimizer;

  if (!holds_cudnn (model))
    return g_object_ref (model);
  copy = strata_model_clone (model, clone_layer, &local, error);
  if (local != NULL)
    {
      g_clear_object (&copy);
      g_propagate_error (error, local);
      return NULL;
    }
  if (copy == NULL || !copy_weights (STRATA_LAYER (model), STRATA_LAYER (copy), error))
    return NULL;
  /* The optimizer restarts: the state of the cuDNN weights has other
   * shapes, and Keras itself skips state that does not fit. */
  optimizer = strata_model_get_optimizer (model);
  if (optimizer != NULL)
    {
      g_autoptr(StrataOptimizer) fresh = strata_optimizer_new (strata_optimizer_get_class_name (optimizer),
                                                               strata_optimizer_get_config (optimizer));

      strata_model_set_optimizer (copy, fresh);
    }
  if (strata_model_get_training_config (model) != NULL)
    strata_model_set_training_config (copy, strata_model_get_training_config (model));
  return g_steal_pointer (&copy);
}
