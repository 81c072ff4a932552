/* strata-config-writer.c: models to Keras model configs (JSON)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Writes a model in one Keras dialect. Keys read from a file come back in
 * their order, and node lists read in the dialect being written are reused
 * as they were, so a loaded model re-written in its own dialect is a fixed
 * point of to_json -> model_from_json -> to_json.
 */
#include "config.h"

#include "strata-i18n-private.h"
#include "strata-model-private.h"
#include "strata-builtin-private.h"

static JsonNode *write_model_config_node (StrataModel *model, StrataKerasDialect dialect,
                                          StrataKerasDialect source);

static gboolean
is_model_class_name (const char *name)
{
  return g_strcmp0 (name, "Model") == 0 || g_strcmp0 (name, "Functional") == 0;
}

/* The class_name a model is written with. */
static const char *
model_class_name (StrataModel        *model,
                  StrataKerasDialect  dialect)
{
  const char *name = strata_layer_get_class_name (STRATA_LAYER (model));

  if (STRATA_IS_SEQUENTIAL (model))
    return "Sequential";
  if (!is_model_class_name (name))
    return name;          /* a registered Model subclass */
  if (dialect == STRATA_KERAS_DIALECT_KERAS1)
    return "Model";
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    return "Functional";
  return name;
}

/* The node index Keras writes for call @node_index of @layer inside
 * @model: only the calls that belong to the model count. */
static gint64
model_node_index (StrataModel        *model,
                  StrataLayer        *layer,
                  guint               node_index,
                  StrataKerasDialect  dialect)
{
  GPtrArray *nodes = strata_layer_peek_nodes (layer);
  gint64 index = 0;

  for (guint i = 0; i < node_index && i < nodes->len; i++)
    if (model == NULL || strata_model_has_node (model, g_ptr_array_index (nodes, i)))
      index++;
  return index + strata_layer_node_offset (layer, dialect);
}

static JsonNode *
history_triple (StrataModel        *model,
                StrataKerasTensor  *tensor,
                StrataKerasDialect  dialect)
{
  StrataLayer *layer = strata_keras_tensor_get_layer (tensor);
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_array_add_string_element (array, strata_layer_get_name (layer));
  json_array_add_int_element (array, model_node_index (model, layer,
                                                       strata_keras_tensor_get_node_index (tensor),
                                                       dialect));
  json_array_add_int_element (array, strata_keras_tensor_get_tensor_index (tensor));
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
keras3_tensor (StrataModel       *model,
               StrataKerasTensor *tensor)
{
  JsonObject *object = json_object_new ();
  JsonObject *config = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  StrataShape *shape = strata_keras_tensor_get_shape (tensor);

  if (shape != NULL)
    json_object_set_member (config, "shape", strata_json_from_shape (shape));
  else
    json_object_set_null_member (config, "shape");
  json_object_set_string_member (config, "dtype", strata_keras_tensor_get_dtype (tensor));
  json_object_set_member (config, "keras_history",
                          history_triple (model, tensor, STRATA_KERAS_DIALECT_KERAS3));
  json_object_set_string_member (object, "class_name", "__keras_tensor__");
  json_object_set_object_member (object, "config", config);
  json_node_take_object (node, object);
  return node;
}

/* The string member @key of @object, or NULL. */
static const char *
string_member (JsonObject *object,
               const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

typedef struct {
  StrataModel        *model;
  StrataNode         *node;
  StrataKerasDialect  dialect;
  GPtrArray          *references;  /* the keyword tensors of node->kwargs, in input order */
} KeywordWrite;

static gboolean
collect_reference (JsonNode    *reference,
                   const char  *keyword,
                   const char  *path,
                   gpointer     user_data,
                   GError     **error)
{
  g_ptr_array_add (user_data, reference);
  return TRUE;
}

/* A copy of @value (in a call's keyword arguments) in which each keyword
 * tensor is the one @dialect reads for the input it stands for (tf-keras
 * [name, node, tensor], Keras 3 a __keras_tensor__ object), with the node
 * index of that dialect. */
static JsonNode *
write_keyword_tensors (KeywordWrite *write,
                       JsonNode     *value,
                       guint         depth)
{
  JsonNode *result;

  if (depth > STRATA_JSON_MAX_DEPTH)
    return strata_json_node_copy (value);
  if (strata_kwargs_is_tensor (value, write->node->raw_dialect))
    {
      StrataKerasTensor *tensor;
      guint index;

      if (!g_ptr_array_find (write->references, value, &index) ||
          strata_node_n_positional (write->node) + index >= write->node->inputs->len)
        return strata_json_node_copy (value);
      tensor = g_ptr_array_index (write->node->inputs, strata_node_n_positional (write->node) + index);
      if (write->dialect == STRATA_KERAS_DIALECT_KERAS3)
        return keras3_tensor (write->model, tensor);
      return history_triple (write->model, tensor, write->dialect);
    }
  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, write_keyword_tensors (write, json_array_get_element (array, i),
                                                             depth + 1));
      result = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (result, copy);
      return result;
    }
  if (JSON_NODE_HOLDS_OBJECT (value))
    {
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (value));
      while (json_object_iter_next_ordered (&iter, &key, &member))
        json_object_set_member (copy, key, write_keyword_tensors (write, member, depth + 1));
      result = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (result, copy);
      return result;
    }
  return strata_json_node_copy (value);
}

/* A copy of the call's keyword arguments for @dialect. */
static JsonNode *
kwargs_node (StrataModel        *model,
             StrataNode         *node,
             StrataKerasDialect  dialect)
{
  JsonNode *result;

  if (node->kwargs != NULL && node->keywords != NULL && node->raw != NULL &&
      node->raw_dialect != STRATA_KERAS_DIALECT_KERAS1)
    {
      g_autoptr(GPtrArray) references = g_ptr_array_new ();
      KeywordWrite write = { model, node, dialect, references };
      g_autoptr(JsonNode) kwargs = json_node_init_object (json_node_alloc (), node->kwargs);

      strata_kwargs_foreach_tensor (node->kwargs, node->raw_dialect, NULL, collect_reference, references, NULL);
      return write_keyword_tensors (&write, kwargs, 0);
    }
  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, node->kwargs != NULL ? strata_json_object_copy (node->kwargs)
                                                      : json_object_new ());
  return result;
}

/* The layer name a [name, node, tensor] list starts with, or NULL. */
static const char *
ref_name (JsonArray *ref)
{
  return ref != NULL && json_array_get_length (ref) > 0 && JSON_NODE_HOLDS_VALUE (json_array_get_element (ref, 0)) ?
         json_array_get_string_element (ref, 0) : NULL;
}

/* The config.keras_history list of a Keras 3 __keras_tensor__, or NULL. */
static JsonArray *
keras3_history (JsonObject *tensor)
{
  JsonNode *config = json_object_get_member (tensor, "config");
  JsonNode *history;

  if (config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    return NULL;
  history = json_object_get_member (json_node_get_object (config), "keras_history");
  return history != NULL && JSON_NODE_HOLDS_ARRAY (history) ? json_node_get_array (history) : NULL;
}

/* Appends the layer names a raw node refers to, in order: Keras 1/2
 * entries [name, node, tensor, ...] (not _CONSTANT_VALUE), Keras 3
 * __keras_tensor__ histories in "args". */
static void
raw_names (JsonNode  *node,
           gboolean   keras3,
           GPtrArray *names,
           guint      depth)
{
  if (depth > STRATA_JSON_MAX_DEPTH)
    return;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!keras3 && JSON_NODE_HOLDS_ARRAY (element))
            {
              const char *name = ref_name (json_node_get_array (element));

              if (g_strcmp0 (name, "_CONSTANT_VALUE") != 0)
                g_ptr_array_add (names, (gpointer) name);
            }
          else if (keras3)
            raw_names (element, keras3, names, depth + 1);
        }
    }
  else if (keras3 && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonArray *history;

      if (json_object_has_member (object, "args"))
        {
          raw_names (json_object_get_member (object, "args"), keras3, names, depth + 1);
          return;
        }
      history = keras3_history (object);
      if (history != NULL && json_array_get_length (history) > 0)
        g_ptr_array_add (names, (gpointer) json_array_get_string_element (history, 0));
    }
}

/* The keyword arguments of a raw node (the ones the reader took: Keras 3
 * "kwargs", the last Keras 1/2 entry that has them), or NULL. */
static JsonObject *
raw_kwargs (StrataNode *node)
{
  JsonObject *kwargs = NULL;

  if (JSON_NODE_HOLDS_OBJECT (node->raw))
    {
      JsonNode *member = json_object_get_member (json_node_get_object (node->raw), "kwargs");

      return member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
    }
  if (JSON_NODE_HOLDS_ARRAY (node->raw))
    {
      JsonArray *entries = json_node_get_array (node->raw);

      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonNode *entry = json_array_get_element (entries, i);

          if (JSON_NODE_HOLDS_ARRAY (entry) && json_array_get_length (json_node_get_array (entry)) >= 4 &&
              JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (entry), 3)))
            kwargs = json_array_get_object_element (json_node_get_array (entry), 3);
        }
    }
  return kwargs;
}

static gboolean
keyword_tensor_name (JsonNode    *reference,
                     const char  *keyword,
                     const char  *path,
                     gpointer     user_data,
                     GError     **error)
{
  GPtrArray *names = user_data;
  JsonArray *history = NULL;

  /* Keras 3: a __keras_tensor__; tf-keras: the [name, node, tensor] list itself. */
  if (JSON_NODE_HOLDS_OBJECT (reference))
    history = keras3_history (json_node_get_object (reference));
  else if (JSON_NODE_HOLDS_ARRAY (reference))
    history = json_node_get_array (reference);
  g_ptr_array_add (names, (gpointer) ref_name (history));
  return TRUE;
}

/* A node read from a file is written back as it was, unless a layer it
 * refers to (keyword tensors too) has been renamed since. */
static gboolean
raw_still_valid (StrataNode *node)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  raw_names (node->raw, node->raw_dialect == STRATA_KERAS_DIALECT_KERAS3, names, 0);
  if (node->keywords != NULL)
    strata_kwargs_foreach_tensor (raw_kwargs (node), node->raw_dialect, NULL,
                                  keyword_tensor_name, names, NULL);
  if (names->len != node->inputs->len)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i),
                   strata_layer_get_name (strata_keras_tensor_get_layer (g_ptr_array_index (node->inputs, i)))) != 0)
      return FALSE;
  return TRUE;
}

/* Keras 2 <-> Keras 3 layer config keys.
 *
 * Real Keras refuses keyword arguments its layer constructors do not take,
 * so a config read in one dialect and written in the other must lose the
 * keys the target refuses. The rules come from the constructors of Keras
 * 3.15 and tf-keras 2.21 (every built-in class was saved by one and loaded
 * by the other). A key is only dropped when its value is the only one the
 * target can mean (@only_if) or when it does not change what the layer
 * computes (NULL: build shapes, RNG kinds, unused arguments); any other
 * value is kept, so Keras refuses the file instead of loading a different
 * model. */
typedef struct {
  const char *classes;   /* space-separated Keras class names */
  const char *key;
  const char *only_if;   /* the value (JSON text) that may be dropped; NULL: any */
  const char *rename;    /* keep the value under this key instead */
} DialectKeyRule;

#define RNN_CLASSES "SimpleRNN LSTM GRU RNN ConvLSTM1D ConvLSTM2D ConvLSTM3D"
#define RANDOM_CLASSES "RandomCrop RandomFlip RandomRotation RandomZoom RandomTranslation " \
                       "RandomContrast RandomBrightness"

/* Written by tf-keras, refused by Keras 3. */
static const DialectKeyRule keras2_only_keys[] = {
  /* Keras 3 RNNs are batch-major only. */
  { RNN_CLASSES, "time_major", "false", NULL },
  /* Keras 3 has groups only on Conv1D/2D/3D. */
  { "Conv1DTranspose Conv2DTranspose Conv3DTranspose DepthwiseConv1D DepthwiseConv2D "
    "SeparableConv1D SeparableConv2D", "groups", "1", NULL },
  /* tf-keras separable convolutions inherit the unused Conv kernel_* arguments. */
  { "SeparableConv1D SeparableConv2D", "kernel_initializer", NULL, NULL },
  { "SeparableConv1D SeparableConv2D", "kernel_regularizer", NULL, NULL },
  { "SeparableConv1D SeparableConv2D", "kernel_constraint", NULL, NULL },
  /* Keras 3 SpatialDropout*D(rate, [data_format,] seed, name, dtype). */
  { "SpatialDropout1D SpatialDropout2D SpatialDropout3D", "trainable", NULL, NULL },
  { "SpatialDropout1D SpatialDropout2D SpatialDropout3D", "noise_shape", "null", NULL },
  /* The tf.random generator kind: no Keras 3 equivalent, no effect on inference. */
  { RANDOM_CLASSES, "rng_type", NULL, NULL },
  /* Build shapes: Keras 3 builds from the call. */
  { "MultiHeadAttention", "query_shape", NULL, NULL },
  { "MultiHeadAttention", "key_shape", NULL, NULL },
  { "MultiHeadAttention", "value_shape", NULL, NULL },
  { "MultiHeadAttention", "softmax_robust_masking", "false", NULL },
  /* Keras 3 ignores it (with a warning); the input layer has the shape. */
  { "Embedding", "input_length", NULL, NULL },
  { "BatchNormalization", "virtual_batch_size", "null", NULL },
  { "InputLayer", "batch_input_shape", NULL, "batch_shape" },
};

/* Written by Keras 3, refused by tf-keras. */
static const DialectKeyRule keras3_only_keys[] = {
  { "Dense EinsumDense Embedding", "quantization_config", "null", NULL },
  { "Dense EinsumDense Embedding", "lora_rank", "null", NULL },
  { "Dense EinsumDense Embedding", "lora_alpha", "null", NULL },
  { "LeakyReLU", "negative_slope", NULL, "alpha" },
  { "Resizing CenterCrop " RANDOM_CLASSES, "data_format", "\"channels_last\"", NULL },
  { "Resizing", "pad_to_aspect_ratio", "false", NULL },
  { "Resizing", "fill_mode", NULL, NULL },       /* only read with pad_to_aspect_ratio */
  { "Resizing", "fill_value", NULL, NULL },
  { "Resizing", "antialias", "false", NULL },
  { "RandomContrast", "value_range", "[0,255]", NULL },
  { "LayerNormalization", "rms_scaling", "false", NULL },
  { "ConvLSTM1D ConvLSTM2D ConvLSTM3D MultiHeadAttention", "seed", NULL, NULL },   /* dropout RNG */
  { "MultiHeadAttention", "use_gate", "false", NULL },
  { "MultiHeadAttention", "sliding_window", "null", NULL },
  { "InputLayer", "batch_shape", NULL, "batch_input_shape" },
};

static gboolean
class_listed (const char *classes,
              const char *class_name)
{
  gsize len = strlen (class_name);

  for (const char *p = strstr (classes, class_name); p != NULL; p = strstr (p + 1, class_name))
    if ((p == classes || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
      return TRUE;
  return FALSE;
}

static gboolean
value_is (JsonNode   *node,
          const char *json_text)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return g_strcmp0 (text, json_text) == 0;
}

static void convert_layer_object (JsonObject *object, gboolean to_keras3);

/* Wrapped layers and RNN cells are {class_name, config} objects inside the
 * config (Bidirectional.layer/backward_layer, TimeDistributed.layer,
 * RNN.cell, StackedRNNCells.cells): they follow their own class's rules. */
static void
convert_sublayers (JsonObject *config,
                   gboolean    to_keras3)
{
  static const char *const keys[] = { "layer", "backward_layer", "cell", "cells" };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      JsonNode *member = json_object_get_member (config, keys[k]);

      if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
        convert_layer_object (json_node_get_object (member), to_keras3);
      else if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
        {
          JsonArray *array = json_node_get_array (member);

          for (guint i = 0; i < json_array_get_length (array); i++)
            if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
              convert_layer_object (json_array_get_object_element (array, i), to_keras3);
        }
    }
}

/* Keras 3 keeps a dtype policy object where tf-keras takes the policy
 * name ("float32", "mixed_float16"). */
static void
dtype_policy_to_name (JsonObject *config)
{
  JsonNode *dtype = json_object_get_member (config, "dtype");
  JsonObject *policy, *policy_config;
  JsonNode *member;
  const char *class_name, *name;

  if (dtype == NULL || !JSON_NODE_HOLDS_OBJECT (dtype))
    return;
  policy = json_node_get_object (dtype);
  class_name = string_member (policy, "class_name");
  member = json_object_get_member (policy, "config");
  policy_config = member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
  name = policy_config != NULL ? string_member (policy_config, "name") : NULL;
  if (name != NULL && class_name != NULL && g_str_has_suffix (class_name, "DTypePolicy"))
    json_object_set_string_member (config, "dtype", name);
}

/* Initializer configs hold keys the other side's initializers refuse:
 * tf.keras 2.2-2.3 wrote the "dtype" of the values (weights are loaded, so
 * it means nothing once saved), Keras 3.15 VarianceScaling writes
 * input_axes/output_axes (null unless set). */
static void
clean_initializers (JsonObject *config,
                    gboolean    to_keras3)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init (&iter, config);
  while (json_object_iter_next (&iter, &key, &member))
    {
      JsonObject *init_config;

      if (!g_str_has_suffix (key, "_initializer") || !JSON_NODE_HOLDS_OBJECT (member))
        continue;
      member = json_object_get_member (json_node_get_object (member), "config");
      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        continue;
      init_config = json_node_get_object (member);
      if (to_keras3)
        {
          if (json_object_has_member (init_config, "dtype"))
            json_object_remove_member (init_config, "dtype");
          continue;
        }
      for (guint i = 0; i < 2; i++)
        {
          const char *axes = i == 0 ? "input_axes" : "output_axes";
          JsonNode *value = json_object_get_member (init_config, axes);

          if (value != NULL && JSON_NODE_HOLDS_NULL (value))
            json_object_remove_member (init_config, axes);
        }
    }
}

/* tf-keras makes the backward layer of a Bidirectional with the opposite
 * go_backwards of the wrapped layer, Keras 3 with go_backwards true (and
 * refuses two layers going the same way): a wrapped layer that goes
 * backwards needs its backward twin written out. */
static void
add_backward_layer (JsonObject *config)
{
  JsonNode *layer = json_object_get_member (config, "layer");
  JsonObject *backward, *backward_config;
  JsonNode *go_backwards, *name;
  g_autofree char *backward_name = NULL;

  if (layer == NULL || !JSON_NODE_HOLDS_OBJECT (layer) ||
      json_object_has_member (config, "backward_layer"))
    return;
  backward = strata_json_object_copy (json_node_get_object (layer));
  if (!json_object_has_member (backward, "config") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (backward, "config")))
    {
      json_object_unref (backward);
      return;
    }
  backward_config = json_object_get_object_member (backward, "config");
  go_backwards = json_object_get_member (backward_config, "go_backwards");
  if (go_backwards == NULL || !value_is (go_backwards, "true"))
    {
      json_object_unref (backward);
      return;
    }
  json_object_set_boolean_member (backward_config, "go_backwards", FALSE);
  name = json_object_get_member (backward_config, "name");
  if (name != NULL && string_member (backward_config, "name") != NULL)
    {
      backward_name = g_strconcat ("backward_", string_member (backward_config, "name"), NULL);
      json_object_set_string_member (backward_config, "name", backward_name);
    }
  json_object_set_object_member (config, "backward_layer", backward);
}

/* Rewrites the config of a layer of @class_name read in one dialect so
 * that the other one (@to_keras3: Keras 3, else Keras 2) accepts it. */
static void
convert_layer_config (const char *class_name,
                      JsonObject *config,
                      gboolean    to_keras3)
{
  const DialectKeyRule *rules = to_keras3 ? keras2_only_keys : keras3_only_keys;
  guint n_rules = to_keras3 ? G_N_ELEMENTS (keras2_only_keys) : G_N_ELEMENTS (keras3_only_keys);

  for (guint i = 0; i < n_rules; i++)
    {
      JsonNode *value = json_object_get_member (config, rules[i].key);

      if (value == NULL || !class_listed (rules[i].classes, class_name))
        continue;
      if (rules[i].only_if != NULL && !value_is (value, rules[i].only_if))
        continue;
      if (rules[i].rename != NULL && !json_object_has_member (config, rules[i].rename))
        json_object_set_member (config, rules[i].rename, strata_json_node_copy (value));
      json_object_remove_member (config, rules[i].key);
    }

  if (to_keras3)
    {
      JsonNode *shape = json_object_get_member (config, "batch_input_shape");
      JsonNode *axis = json_object_get_member (config, "axis");

      /* Any Keras 2 layer may carry its model's batch_input_shape; Keras 3
       * layers refuse it. The shape is the model's input layer's, which a
       * Keras 3 config always writes (see write_sequential()). */
      if (shape != NULL)
        json_object_remove_member (config, "batch_input_shape");
      if (g_str_equal (class_name, "Bidirectional"))
        add_backward_layer (config);
      /* tf-keras stores the built axis as a list; Keras 3 takes one int. */
      if (axis != NULL && g_str_equal (class_name, "BatchNormalization") &&
          JSON_NODE_HOLDS_ARRAY (axis) && json_array_get_length (json_node_get_array (axis)) == 1)
        json_object_set_member (config, "axis",
                                strata_json_node_copy (json_array_get_element (json_node_get_array (axis), 0)));
    }
  else
    {
      dtype_policy_to_name (config);
      /* tf-keras MultiHeadAttention.from_config pops the build shapes. */
      if (g_str_equal (class_name, "MultiHeadAttention"))
        for (guint i = 0; i < 3; i++)
          {
            const char *key = (const char *[]) { "query_shape", "key_shape", "value_shape" }[i];

            if (!json_object_has_member (config, key))
              json_object_set_null_member (config, key);
          }
    }
  clean_initializers (config, to_keras3);
  convert_sublayers (config, to_keras3);
}

static void
convert_layer_object (JsonObject *object,
                      gboolean    to_keras3)
{
  JsonNode *config = json_object_get_member (object, "config");
  const char *class_name = string_member (object, "class_name");

  if (class_name == NULL || config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    return;
  convert_layer_config (class_name, json_node_get_object (config), to_keras3);
  /* Keras 3 finds a wrapped layer or cell by its module (tf.keras before
   * 2.13 wrote none): without one only registered custom classes match. */
  if (to_keras3 && !json_object_has_member (object, "module") &&
      strata_builtin_layer_lookup (class_name) != G_TYPE_INVALID)
    {
      json_object_set_string_member (object, "module", "keras.layers");
      if (!json_object_has_member (object, "registered_name"))
        json_object_set_null_member (object, "registered_name");
    }
}

/* How a call with several input tensors is written (Keras 1/2 list every
 * tensor as one entry of the node). */
typedef enum {
  CALL_LIST,            /* layer([a, b]): Keras 3 args [[a, b]] */
  CALL_ARGUMENTS,       /* MultiHeadAttention(query, value, key): Keras 3 args [q, v, k];
                           tf-keras [[q, 0, 0, {"value": v, "key": k}]] */
  CALL_INITIAL_STATE,   /* rnn(x, initial_state=[s...]): Keras 3 args [x, s or [s...]]
                           (initial_state is call()'s second parameter; a
                           keyword tensor stays a keyword, see kwargs_node()) */
} CallStyle;

static const char *const attention_arguments[] = { "query", "value", "key", NULL };

static CallStyle
call_style (StrataNode *node)
{
  const char *class_name = strata_layer_get_class_name (node->layer);

  if (strata_node_n_positional (node) < 2 || class_name == NULL)
    return CALL_LIST;
  if (g_str_equal (class_name, "MultiHeadAttention") &&
      strata_node_n_positional (node) < G_N_ELEMENTS (attention_arguments))
    return CALL_ARGUMENTS;
  if (class_listed (RNN_CLASSES " Bidirectional", class_name))
    return CALL_INITIAL_STATE;
  return CALL_LIST;
}

static JsonNode *
write_node (StrataModel        *model,
            StrataNode         *node,
            StrataKerasDialect  dialect)
{
  CallStyle style = call_style (node);
  guint n_positional = strata_node_n_positional (node);
  JsonNode *result;

  if (node->raw != NULL && node->raw_dialect == dialect && raw_still_valid (node))
    return strata_json_node_copy (node->raw);

  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      JsonObject *call = json_object_new ();
      JsonArray *args = json_array_new ();
      JsonNode *kwargs = kwargs_node (model, node, dialect);

      if (style == CALL_INITIAL_STATE)
        {
          JsonArray *states = json_array_new ();

          json_array_add_element (args, keras3_tensor (model, g_ptr_array_index (node->inputs, 0)));
          for (guint i = 1; i < n_positional; i++)
            json_array_add_element (states, keras3_tensor (model, g_ptr_array_index (node->inputs, i)));
          if (json_array_get_length (states) == 1)
            {
              json_array_add_element (args, json_node_copy (json_array_get_element (states, 0)));
              json_array_unref (states);
            }
          else
            json_array_add_array_element (args, states);
        }
      else if (n_positional == 1 || style == CALL_ARGUMENTS)
        for (guint i = 0; i < n_positional; i++)
          json_array_add_element (args, keras3_tensor (model, g_ptr_array_index (node->inputs, i)));
      else
        {
          JsonArray *list = json_array_new ();

          for (guint i = 0; i < n_positional; i++)
            json_array_add_element (list, keras3_tensor (model, g_ptr_array_index (node->inputs, i)));
          json_array_add_array_element (args, list);
        }
      json_object_set_array_member (call, "args", args);
      json_object_set_member (call, "kwargs", kwargs);
      result = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (result, call);
      return result;
    }

  {
    JsonArray *entries = json_array_new ();
    StrataKerasDialect source = node->raw != NULL ? node->raw_dialect : strata_model_get_dialect (model);
    guint n_entries = style == CALL_ARGUMENTS && dialect == STRATA_KERAS_DIALECT_KERAS2 ? 1 : n_positional;

    for (guint i = 0; i < n_entries; i++)
      {
        JsonNode *entry = history_triple (model, g_ptr_array_index (node->inputs, i), dialect);

        if (dialect == STRATA_KERAS_DIALECT_KERAS2)
          {
            JsonNode *kwargs = kwargs_node (model, node, dialect);
            JsonObject *object = json_node_get_object (kwargs);

            /* Keras 3 records the default `training` of the call (true for
             * RandomFlip) and lets the model's training flag override it;
             * tf-keras obeys it, so a random layer would run at inference. */
            if (source == STRATA_KERAS_DIALECT_KERAS3 && json_object_has_member (object, "training"))
              json_object_remove_member (object, "training");
            for (guint k = 1; style == CALL_ARGUMENTS && k < n_positional; k++)
              json_object_set_member (object, attention_arguments[k],
                                      history_triple (model, g_ptr_array_index (node->inputs, k), dialect));
            json_array_add_element (json_node_get_array (entry), kwargs);
          }
        json_array_add_element (entries, entry);
      }
    result = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (result, entries);
  }
  return result;
}

static const char *
default_module (StrataLayer *layer)
{
  if (STRATA_IS_SEQUENTIAL (layer))
    return "keras";
  if (STRATA_IS_MODEL (layer))
    return "keras.src.models.functional";
  return "keras.layers";
}

/* tf-keras builds a layer called on several tensors from the list of
 * their shapes ({"input_shape": [[...], [...]]}); Keras 3 builds the
 * layers that take them as separate arguments from {"shapes_dict":
 * {argument: shape}} (see CallStyle). A MultiHeadAttention given its
 * value (and key) by keyword has only the query's shape there; tf-keras
 * keeps the others in the layer's config (@config). */
static void
convert_build_config (const char *class_name,
                      JsonObject *config,
                      JsonNode   *build_config)
{
  JsonObject *object, *shapes;
  JsonNode *input_shape;
  JsonArray *list;
  guint n;

  if (class_name == NULL || !JSON_NODE_HOLDS_OBJECT (build_config))
    return;
  object = json_node_get_object (build_config);
  input_shape = json_object_get_member (object, "input_shape");
  if (input_shape == NULL || !JSON_NODE_HOLDS_ARRAY (input_shape))
    return;
  list = json_node_get_array (input_shape);
  n = json_array_get_length (list);
  if (g_str_equal (class_name, "MultiHeadAttention") && config != NULL &&
      (n == 0 || !JSON_NODE_HOLDS_ARRAY (json_array_get_element (list, 0))))
    {
      JsonNode *value_shape = json_object_get_member (config, "value_shape");
      JsonNode *key_shape = json_object_get_member (config, "key_shape");

      if (value_shape == NULL || !JSON_NODE_HOLDS_ARRAY (value_shape))
        return;
      shapes = json_object_new ();
      json_object_set_member (shapes, "query_shape", strata_json_node_copy (input_shape));
      json_object_set_member (shapes, "value_shape", strata_json_node_copy (value_shape));
      /* Keras 3 records a key only when the call had one of its own. */
      if (key_shape != NULL && JSON_NODE_HOLDS_ARRAY (key_shape) && !strata_json_equal (key_shape, value_shape))
        json_object_set_member (shapes, "key_shape", strata_json_node_copy (key_shape));
      json_object_remove_member (object, "input_shape");
      json_object_set_object_member (object, "shapes_dict", shapes);
      return;
    }
  if (n < 2 || !JSON_NODE_HOLDS_ARRAY (json_array_get_element (list, 0)))
    return;    /* one tensor's shape */

  shapes = json_object_new ();
  if (g_str_equal (class_name, "MultiHeadAttention") && n < G_N_ELEMENTS (attention_arguments))
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *key = g_strconcat (attention_arguments[i], "_shape", NULL);

        json_object_set_member (shapes, key, strata_json_node_copy (json_array_get_element (list, i)));
      }
  else if (class_listed (RNN_CLASSES " Bidirectional", class_name))
    {
      json_object_set_member (shapes, "sequences_shape",
                              strata_json_node_copy (json_array_get_element (list, 0)));
      if (n == 2)
        json_object_set_member (shapes, "initial_state_shape",
                                strata_json_node_copy (json_array_get_element (list, 1)));
      else
        {
          JsonArray *states = json_array_new ();

          for (guint i = 1; i < n; i++)
            json_array_add_element (states, strata_json_node_copy (json_array_get_element (list, i)));
          json_object_set_array_member (shapes, "initial_state_shape", states);
        }
    }
  else
    {
      json_object_unref (shapes);
      return;    /* a layer taking one list */
    }
  json_object_remove_member (object, "input_shape");
  json_object_set_object_member (object, "shapes_dict", shapes);
}

/* One entry of a model's "layers": class_name, config and the entry-level
 * keys (Keras 3 module, registered_name, build_config), plus name and
 * inbound_nodes inside a functional model (@owner). */
/* The shape of argument @position of the layer's first call, or of the
 * keyword argument @keyword; NULL when the call had neither. */
static StrataShape *
call_argument_shape (StrataLayer *layer,
                     guint        position,
                     const char  *keyword)
{
  GPtrArray *nodes = strata_layer_peek_nodes (layer);
  StrataNode *node;
  guint n_positional;

  if (nodes == NULL || nodes->len == 0)
    return NULL;
  node = g_ptr_array_index (nodes, 0);
  n_positional = strata_node_n_positional (node);
  if (position < n_positional)
    return strata_keras_tensor_get_shape (g_ptr_array_index (node->inputs, position));
  for (guint k = 0; node->keywords != NULL && node->keywords[k] != NULL; k++)
    if (g_str_equal (node->keywords[k], keyword) && n_positional + k < node->inputs->len)
      return strata_keras_tensor_get_shape (g_ptr_array_index (node->inputs, n_positional + k));
  return NULL;
}

/* Keras 3 keeps a MultiHeadAttention's build shapes in its build_config
 * (shapes_dict); tf-keras builds the layer in from_config only from
 * query_shape, key_shape and value_shape (the key's defaulting to the
 * value's), and restores no weights into an unbuilt one. */
static void
attention_shapes_from_build_config (StrataLayer *layer,
                                    JsonObject  *config,
                                    JsonNode    *build_config)
{
  JsonNode *shapes = build_config != NULL && JSON_NODE_HOLDS_OBJECT (build_config) ?
                     json_object_get_member (json_node_get_object (build_config), "shapes_dict") : NULL;
  JsonObject *dict;
  JsonNode *query, *value, *key;

  if (shapes == NULL || !JSON_NODE_HOLDS_OBJECT (shapes))
    {
      /* no build_config (a file Strata wrote from tf-keras): the shapes
       * of the first call's query, value and key (the value's if none) */
      StrataShape *q = call_argument_shape (layer, 0, "query");
      StrataShape *v = call_argument_shape (layer, 1, "value");
      StrataShape *k = call_argument_shape (layer, 2, "key");

      if (q == NULL || v == NULL)
        return;
      json_object_set_member (config, "query_shape", strata_json_from_shape (q));
      json_object_set_member (config, "value_shape", strata_json_from_shape (v));
      json_object_set_member (config, "key_shape", strata_json_from_shape (k != NULL ? k : v));
      return;
    }
  dict = json_node_get_object (shapes);
  query = json_object_get_member (dict, "query_shape");
  value = json_object_get_member (dict, "value_shape");
  key = json_object_get_member (dict, "key_shape");
  if (query == NULL || !JSON_NODE_HOLDS_ARRAY (query) || value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    return;
  if (key == NULL || !JSON_NODE_HOLDS_ARRAY (key))
    key = value;
  json_object_set_member (config, "query_shape", strata_json_node_copy (query));
  json_object_set_member (config, "value_shape", strata_json_node_copy (value));
  json_object_set_member (config, "key_shape", strata_json_node_copy (key));
}

static JsonNode *
write_layer_entry (StrataModel        *owner,
                   StrataLayer        *layer,
                   StrataKerasDialect  dialect,
                   StrataKerasDialect  source)
{
  JsonObject *entry = json_object_new ();
  JsonObject *extras = strata_layer_peek_extras (layer);
  gboolean keep_extras = dialect == STRATA_KERAS_DIALECT_KERAS3 || source != STRATA_KERAS_DIALECT_KERAS3;
  JsonNode *result;

  if (STRATA_IS_OPAQUE_LAYER (layer))
    {
      /* Re-save exactly what was read. */
      JsonObject *object = strata_opaque_layer_get_object (STRATA_OPAQUE_LAYER (layer));
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &key, &member))
        if (!g_str_equal (key, "name") && !g_str_equal (key, "inbound_nodes"))
          json_object_set_member (entry, key, strata_json_node_copy (member));
    }
  else
    {
      JsonNode *module = keep_extras ? json_object_get_member (extras, "module") : NULL;
      JsonNode *registered = keep_extras ? json_object_get_member (extras, "registered_name") : NULL;
      JsonNode *build_config = keep_extras ? json_object_get_member (extras, "build_config") : NULL;
      JsonObjectIter iter;
      const char *key;
      JsonNode *member;

      if (module != NULL)
        json_object_set_member (entry, "module", strata_json_node_copy (module));
      else if (dialect == STRATA_KERAS_DIALECT_KERAS3)
        json_object_set_string_member (entry, "module", default_module (layer));

      if (STRATA_IS_MODEL (layer))
        {
          json_object_set_string_member (entry, "class_name", model_class_name (STRATA_MODEL (layer), dialect));
          json_object_set_member (entry, "config",
                                  write_model_config_node (STRATA_MODEL (layer), dialect, source));
        }
      else
        {
          const char *class_name = strata_layer_get_class_name (layer);
          JsonObject *config = strata_layer_get_config (layer);

          if ((dialect == STRATA_KERAS_DIALECT_KERAS3) != (source == STRATA_KERAS_DIALECT_KERAS3))
            convert_layer_config (class_name, config, dialect == STRATA_KERAS_DIALECT_KERAS3);
          if (dialect != STRATA_KERAS_DIALECT_KERAS3 && source == STRATA_KERAS_DIALECT_KERAS3 &&
              g_str_equal (class_name, "MultiHeadAttention"))
            attention_shapes_from_build_config (layer, config, json_object_get_member (extras, "build_config"));
          json_object_set_string_member (entry, "class_name", class_name);
          json_object_set_object_member (entry, "config", config);
        }

      if (registered != NULL)
        json_object_set_member (entry, "registered_name", strata_json_node_copy (registered));
      else if (dialect == STRATA_KERAS_DIALECT_KERAS3)
        {
          if (STRATA_IS_MODEL (layer) && !STRATA_IS_SEQUENTIAL (layer))
            json_object_set_string_member (entry, "registered_name", "Functional");
          else
            json_object_set_null_member (entry, "registered_name");
        }
      if (build_config != NULL)
        {
          JsonNode *copy = strata_json_node_copy (build_config);

          if (dialect == STRATA_KERAS_DIALECT_KERAS3 && source != STRATA_KERAS_DIALECT_KERAS3)
            convert_build_config (strata_layer_get_class_name (layer),
                                  strata_layer_peek_config_for_reading (layer), copy);
          json_object_set_member (entry, "build_config", copy);
        }

      if (keep_extras)
        {
          json_object_iter_init_ordered (&iter, extras);
          while (json_object_iter_next_ordered (&iter, &key, &member))
            if (!json_object_has_member (entry, key))
              json_object_set_member (entry, key, strata_json_node_copy (member));
        }
    }

  if (owner != NULL)
    {
      GPtrArray *nodes = strata_layer_peek_nodes (layer);
      JsonArray *inbound = json_array_new ();

      json_object_set_string_member (entry, "name", strata_layer_get_name (layer));
      for (guint i = 0; i < nodes->len; i++)
        {
          StrataNode *node = g_ptr_array_index (nodes, i);

          if (!strata_model_has_node (owner, node))
            continue;
          if (node->inputs->len == 0 && node->raw == NULL)
            continue;    /* an input layer's own call */
          json_array_add_element (inbound, write_node (owner, node, dialect));
        }
      json_object_set_array_member (entry, "inbound_nodes", inbound);
    }

  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, entry);
  return result;
}

static JsonNode *
write_endpoints (StrataModel        *model,
                 GPtrArray          *tensors,
                 StrataKerasDialect  dialect)
{
  JsonArray *list;
  JsonNode *node;

  if (dialect == STRATA_KERAS_DIALECT_KERAS3 && tensors->len == 1)
    return history_triple (model, g_ptr_array_index (tensors, 0), dialect);

  list = json_array_new ();
  for (guint i = 0; i < tensors->len; i++)
    json_array_add_element (list, history_triple (model, g_ptr_array_index (tensors, i), dialect));
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, list);
  return node;
}

/* Copies the stored config's keys in order, replacing those @generated has;
 * then appends the generated keys the stored config did not have. */
/* Whether the stored input_layers/output_layers still name the model's
 * endpoints (a layer may have been renamed). */
static gboolean
endpoints_still_valid (JsonNode  *stored,
                       GPtrArray *tensors)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(JsonNode) wrapper = NULL;

  /* A flat Keras 3 triple is one endpoint; lists hold one per endpoint. */
  if (JSON_NODE_HOLDS_ARRAY (stored) && json_array_get_length (json_node_get_array (stored)) > 0 &&
      JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (stored), 0)))
    {
      JsonArray *list = json_array_new ();

      json_array_add_element (list, json_node_copy (stored));
      wrapper = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (wrapper, list);
      stored = wrapper;
    }
  if (!JSON_NODE_HOLDS_ARRAY (stored))
    return FALSE;   /* dict structures: keep them only when nothing can be checked */
  raw_names (stored, FALSE, names, 0);
  if (names->len != tensors->len)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i),
                   strata_layer_get_name (strata_keras_tensor_get_layer (g_ptr_array_index (tensors, i)))) != 0)
      return FALSE;
  return TRUE;
}

static JsonObject *
merge_stored (StrataModel *model,
              JsonObject  *generated,
              gboolean     reuse_endpoints)
{
  JsonObject *stored = strata_layer_peek_config (STRATA_LAYER (model));
  JsonObject *config = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, stored);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      gboolean inputs = g_str_equal (key, "input_layers");
      gboolean endpoint = inputs || g_str_equal (key, "output_layers");
      JsonNode *fresh = json_object_get_member (generated, key);
      gboolean reuse = endpoint && reuse_endpoints && !JSON_NODE_HOLDS_NULL (member) &&
                       (JSON_NODE_HOLDS_OBJECT (member) ||
                        endpoints_still_valid (member, inputs ? strata_model_peek_inputs (model)
                                                              : strata_model_peek_outputs (model)));

      if (fresh != NULL && !reuse)
        json_object_set_member (config, key, strata_json_node_copy (fresh));
      else
        json_object_set_member (config, key, strata_json_node_copy (member));
    }
  json_object_iter_init_ordered (&iter, generated);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    if (!json_object_has_member (config, key))
      json_object_set_member (config, key, strata_json_node_copy (member));
  return config;
}

static JsonNode *
write_sequential (StrataSequential   *model,
                  StrataKerasDialect  dialect,
                  StrataKerasDialect  source,
                  gboolean            allow_list)
{
  GPtrArray *layers = strata_model_peek_layers (STRATA_MODEL (model));
  StrataLayer *input = strata_sequential_peek_input_layer (model);
  g_autoptr(JsonObject) generated = json_object_new ();
  JsonArray *entries = json_array_new ();
  gboolean list_form;
  JsonNode *result;

  /* Keras 3 always writes the input layer (its layers take no batch_input_shape). */
  if (input != NULL && (strata_sequential_input_is_explicit (model) ||
                        (dialect == STRATA_KERAS_DIALECT_KERAS3 && source != STRATA_KERAS_DIALECT_KERAS3)))
    json_array_add_element (entries, write_layer_entry (NULL, input, dialect, source));
  for (guint i = 0; i < layers->len; i++)
    json_array_add_element (entries, write_layer_entry (NULL, g_ptr_array_index (layers, i), dialect, source));

  list_form = allow_list && (dialect == STRATA_KERAS_DIALECT_KERAS1 ||
                             (strata_sequential_get_list_form (model) && dialect == source));
  if (list_form)
    {
      result = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (result, entries);
      return result;
    }

  json_object_set_string_member (generated, "name", strata_layer_get_name (STRATA_LAYER (model)));
  if (json_object_has_member (strata_layer_peek_config (STRATA_LAYER (model)), "trainable"))
    json_object_set_boolean_member (generated, "trainable", strata_layer_get_trainable (STRATA_LAYER (model)));
  json_object_set_array_member (generated, "layers", entries);

  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, merge_stored (STRATA_MODEL (model), generated, FALSE));
  return result;
}

static JsonNode *
write_functional (StrataModel        *model,
                  StrataKerasDialect  dialect,
                  StrataKerasDialect  source)
{
  GPtrArray *layers = strata_model_peek_layers (model);
  g_autoptr(JsonObject) generated = json_object_new ();
  JsonArray *entries = json_array_new ();
  JsonNode *result;

  json_object_set_string_member (generated, "name", strata_layer_get_name (STRATA_LAYER (model)));
  if (dialect == STRATA_KERAS_DIALECT_KERAS3 ||
      json_object_has_member (strata_layer_peek_config (STRATA_LAYER (model)), "trainable"))
    json_object_set_boolean_member (generated, "trainable", strata_layer_get_trainable (STRATA_LAYER (model)));
  for (guint i = 0; i < layers->len; i++)
    json_array_add_element (entries, write_layer_entry (model, g_ptr_array_index (layers, i), dialect, source));
  json_object_set_array_member (generated, "layers", entries);
  json_object_set_member (generated, "input_layers",
                          write_endpoints (model, strata_model_peek_inputs (model), dialect));
  json_object_set_member (generated, "output_layers",
                          write_endpoints (model, strata_model_peek_outputs (model), dialect));

  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, merge_stored (model, generated, dialect == source));
  return result;
}

static JsonNode *
write_model_config_node (StrataModel        *model,
                         StrataKerasDialect  dialect,
                         StrataKerasDialect  source)
{
  if (STRATA_IS_SEQUENTIAL (model))
    return write_sequential (STRATA_SEQUENTIAL (model), dialect, source, TRUE);
  return write_functional (model, dialect, source);
}

JsonObject *
strata_config_write_model_config (StrataModel        *self,
                                  StrataKerasDialect  dialect)
{
  StrataKerasDialect source = strata_model_get_dialect (self);
  g_autoptr(JsonNode) node = NULL;

  if (STRATA_IS_SEQUENTIAL (self))
    node = write_sequential (STRATA_SEQUENTIAL (self), dialect, source, FALSE);
  else
    node = write_functional (self, dialect, source);
  return json_object_ref (json_node_get_object (node));
}

/* The keras_version written: the model's when it belongs to @dialect. */
static const char *
version_for (StrataModel        *self,
             StrataKerasDialect  dialect)
{
  const char *version = strata_model_get_keras_version (self);
  const char *prefix = dialect == STRATA_KERAS_DIALECT_KERAS1 ? "1." : "2.";

  if (version != NULL && g_str_has_prefix (version, prefix))
    return version;
  return dialect == STRATA_KERAS_DIALECT_KERAS1 ? "1.2.2" : "2.15.0";
}

/**
 * strata_model_to_config_object:
 * @self: a model
 * @dialect: the Keras dialect to write; %STRATA_KERAS_DIALECT_AUTO keeps the
 *   one the model was read in (Keras 2 for a model made in code)
 *
 * Serializes the model as Keras does: `{"class_name", "config",
 * "keras_version", "backend"}` for Keras 1/2 `to_json()`, the
 * `{"module", "class_name", "config", "registered_name", ...}` object for
 * Keras 3. Keys read from a file are kept in their order.
 *
 * Returns: (transfer full): the serialized model
 */
JsonObject *
strata_model_to_config_object (StrataModel        *self,
                               StrataKerasDialect  dialect)
{
  JsonObject *top;
  JsonObject *extras;
  StrataKerasDialect source;
  JsonNode *module, *registered;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);

  strata_init ();
  source = strata_model_get_dialect (self);
  dialect = strata_model_resolve_dialect (self, dialect);
  extras = strata_layer_peek_extras (STRATA_LAYER (self));
  top = json_object_new ();

  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      gboolean keep = source == STRATA_KERAS_DIALECT_KERAS3;

      module = keep ? json_object_get_member (extras, "module") : NULL;
      registered = keep ? json_object_get_member (extras, "registered_name") : NULL;
      if (module != NULL)
        json_object_set_member (top, "module", strata_json_node_copy (module));
      else
        json_object_set_string_member (top, "module", default_module (STRATA_LAYER (self)));
      json_object_set_string_member (top, "class_name", model_class_name (self, dialect));
      json_object_set_member (top, "config", write_model_config_node (self, dialect, source));
      if (registered != NULL)
        json_object_set_member (top, "registered_name", strata_json_node_copy (registered));
      else if (STRATA_IS_SEQUENTIAL (self))
        json_object_set_null_member (top, "registered_name");
      else
        json_object_set_string_member (top, "registered_name", "Functional");
      if (keep)
        {
          json_object_iter_init_ordered (&iter, extras);
          while (json_object_iter_next_ordered (&iter, &key, &member))
            if (!json_object_has_member (top, key))
              json_object_set_member (top, key, strata_json_node_copy (member));
        }
      return top;
    }

  json_object_set_string_member (top, "class_name", model_class_name (self, dialect));
  json_object_set_member (top, "config", write_model_config_node (self, dialect, source));
  json_object_set_string_member (top, "keras_version", version_for (self, dialect));
  if (dialect == STRATA_KERAS_DIALECT_KERAS2 || strata_model_get_backend (self) != NULL)
    json_object_set_string_member (top, "backend",
                                   strata_model_get_backend (self) != NULL ?
                                   strata_model_get_backend (self) : "tensorflow");
  if (source != STRATA_KERAS_DIALECT_KERAS3)
    {
      json_object_iter_init_ordered (&iter, extras);
      while (json_object_iter_next_ordered (&iter, &key, &member))
        if (!json_object_has_member (top, key))
          json_object_set_member (top, key, strata_json_node_copy (member));
    }
  return top;
}

/**
 * strata_model_to_json:
 * @self: a model
 * @dialect: the Keras dialect to write (see strata_model_to_config_object())
 * @pretty: whether to indent the output
 *
 * Serializes the model to JSON as Keras `model.to_json()` does (Python
 * `json.dumps` style).
 *
 * Returns: (transfer full): the JSON text
 */
char *
strata_model_to_json (StrataModel        *self,
                      StrataKerasDialect  dialect,
                      gboolean            pretty)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, strata_model_to_config_object (self, dialect));
  return strata_json_to_string (root, pretty);
}
