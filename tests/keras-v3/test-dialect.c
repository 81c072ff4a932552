/* test-dialect.c: layer configs written across the Keras 2 / Keras 3 divide.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A tf-keras config written in the Keras 3 dialect (what the keras-v3
 * format saves) must lose the keys Keras 3.15 refuses, and a Keras 3
 * config written in the Keras 2 dialect the keys tf-keras 2.21 refuses,
 * while every other key keeps its value and the model its weights. The
 * refused keys below are what the two toolkits raised when each built-in
 * class was saved by one and loaded by the other ("Unrecognized keyword
 * arguments passed to LSTM: {'time_major': False}" and the like); the
 * interop suite checks the same files with real Keras.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"

static const char *const tf_keras_models[] = {
  "sequential_dense", "functional_multi_output", "conv_batchnorm_nested", "recurrent",
  "embedding", "long_layer_names", "compiled_adam",
};

static const char *const keras3_models[] = {
  "sequential_dense", "functional_multi_output", "conv_batchnorm_nested", "recurrent",
  "embedding", "long_layer_names", "non_ascii_names", "compiled_adam",
};

typedef struct {
  const char *classes;   /* space-separated; "*": every class but InputLayer */
  const char *key;
} RefusedKey;

/* Keys of tf-keras 2.21 configs that Keras 3.15 refuses. */
static const RefusedKey keras3_refuses[] = {
  { "*", "batch_input_shape" },
  { "SimpleRNN LSTM GRU RNN ConvLSTM1D ConvLSTM2D ConvLSTM3D", "time_major" },
  { "Conv1DTranspose Conv2DTranspose Conv3DTranspose DepthwiseConv1D DepthwiseConv2D "
    "SeparableConv1D SeparableConv2D", "groups" },
  { "SeparableConv1D SeparableConv2D", "kernel_initializer" },
  { "SeparableConv1D SeparableConv2D", "kernel_regularizer" },
  { "SeparableConv1D SeparableConv2D", "kernel_constraint" },
  { "SpatialDropout1D SpatialDropout2D SpatialDropout3D", "trainable" },
  { "SpatialDropout1D SpatialDropout2D SpatialDropout3D", "noise_shape" },
  { "RandomFlip RandomRotation RandomZoom RandomCrop", "rng_type" },
  { "MultiHeadAttention", "query_shape" },
  { "MultiHeadAttention", "softmax_robust_masking" },
};

/* Keys of Keras 3.15 configs that tf-keras 2.21 refuses. */
static const RefusedKey keras2_refuses[] = {
  { "InputLayer", "batch_shape" },
  { "Dense EinsumDense Embedding", "quantization_config" },
  { "LeakyReLU", "negative_slope" },
  { "LayerNormalization", "rms_scaling" },
};

static gboolean
class_in (const char *classes, const char *class_name)
{
  g_auto(GStrv) names = g_strsplit (classes, " ", -1);

  if (g_str_equal (classes, "*"))
    return !g_str_equal (class_name, "InputLayer");
  return g_strv_contains ((const char *const *) names, class_name);
}

static gboolean
is_refused (const RefusedKey *table, guint n, const char *class_name, const char *key)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (table[i].key, key) && class_in (table[i].classes, class_name))
      return TRUE;
  return FALSE;
}

/* Every layer config in a model config, nested models, wrapped layers and
 * RNN cells included, by layer name ("bidirectional/layer" for the layer
 * inside a wrapper): name -> the {class_name, config} object. */
static void
collect_layers (JsonNode *node, const char *prefix, GHashTable *out)
{
  JsonObject *object, *config;
  const char *class_name, *name;
  g_autofree char *path = NULL;
  static const char *const sub_keys[] = { "layer", "backward_layer", "cell" };

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_layers (json_array_get_element (array, i), prefix, out);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "class_name") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "config")))
    return;
  class_name = json_object_get_string_member (object, "class_name");
  config = json_object_get_object_member (object, "config");
  if (json_object_has_member (config, "layers"))
    {
      /* A model: its layers are compared one by one. */
      collect_layers (json_object_get_member (config, "layers"), prefix, out);
      return;
    }
  name = json_object_has_member (config, "name") ? json_object_get_string_member (config, "name")
                                                 : class_name;
  /* A Bidirectional's layers are named with a prefix by Keras 3 only. */
  if (g_str_has_suffix (prefix, "/layer/") && g_str_has_prefix (name, "forward_"))
    name += strlen ("forward_");
  else if (g_str_has_suffix (prefix, "/backward_layer/") && g_str_has_prefix (name, "backward_"))
    name += strlen ("backward_");
  path = g_strconcat (prefix, name, NULL);
  g_hash_table_insert (out, g_strdup (path), json_object_ref (object));
  for (guint k = 0; k < G_N_ELEMENTS (sub_keys); k++)
    if (json_object_has_member (config, sub_keys[k]))
      {
        g_autofree char *sub = g_strconcat (path, "/", sub_keys[k], "/", NULL);

        collect_layers (json_object_get_member (config, sub_keys[k]), sub, out);
      }
}

static GHashTable *
layers_of (JsonNode *root)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) json_object_unref);

  collect_layers (root, "", out);
  return out;
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = strata_json_parse (json, -1, &error);

  g_assert_no_error (error);
  return node;
}

static StrataModel *
model_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static char *
fixture_text (const char *toolkit, const char *model, const char *suffix)
{
  g_autofree char *name = g_strconcat (model, suffix, NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "generated",
                                                 toolkit, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* The model's weights have the shapes real Keras recorded for it. */
static void
assert_weight_shapes (StrataModel *model, const char *toolkit, const char *name)
{
  g_autofree char *text = fixture_text (toolkit, name, ".expected.json");
  g_autoptr(JsonNode) expected = parse (text);
  JsonArray *records = json_object_get_array_member (json_node_get_object (expected), "weights");
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

  g_assert_cmpuint (weights->len, ==, json_array_get_length (records));
  for (guint i = 0; i < weights->len; i++)
    {
      StrataShape *shape = strata_tensor_get_shape (g_ptr_array_index (weights, i));
      JsonArray *dims = json_object_get_array_member (json_array_get_object_element (records, i),
                                                      "shape");

      g_assert_cmpuint (strata_shape_get_rank (shape), ==, json_array_get_length (dims));
      for (guint d = 0; d < json_array_get_length (dims); d++)
        g_assert_cmpint (strata_shape_get_dim (shape, d), ==, json_array_get_int_element (dims, d));
    }
}

/* Whether @got is Keras 3's name of a Bidirectional's layer @want for
 * tf-keras, which adds the prefix itself. */
static gboolean
is_unprefixed_name (const char *key, JsonNode *want, JsonNode *got)
{
  const char *w, *g;

  if (!g_str_equal (key, "name") || got == NULL || !JSON_NODE_HOLDS_VALUE (want) ||
      !JSON_NODE_HOLDS_VALUE (got) || json_node_get_value_type (want) != G_TYPE_STRING ||
      json_node_get_value_type (got) != G_TYPE_STRING)
    return FALSE;
  w = json_node_get_string (want);
  g = json_node_get_string (got);
  return (g_str_has_prefix (w, "forward_") && g_str_equal (w + strlen ("forward_"), g)) ||
         (g_str_has_prefix (w, "backward_") && g_str_equal (w + strlen ("backward_"), g));
}

static void
assert_equal_member (const char *layer, const char *key, JsonNode *want, JsonNode *got)
{
  if (is_unprefixed_name (key, want, got))
    return;
  if (got == NULL || !strata_json_equal (want, got))
    {
      g_autofree char *w = json_to_string (want, FALSE);
      g_autofree char *g = got != NULL ? json_to_string (got, FALSE) : g_strdup ("(missing)");

      g_test_fail_printf ("layer %s: config key %s was %s, written as %s", layer, key, w, g);
    }
}

/* A config read and written again in another dialect: the model, the text
 * it writes, and that text parsed and split by layer. */
typedef struct {
  StrataModel *model;
  char *written;
  JsonNode *root;
  GHashTable *layers;
} Converted;

static void
converted_clear (Converted *c)
{
  g_clear_pointer (&c->layers, g_hash_table_unref);
  g_clear_pointer (&c->root, json_node_unref);
  g_clear_pointer (&c->written, g_free);
  g_clear_object (&c->model);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Converted, converted_clear)

static void
convert (Converted *c, const char *json, StrataKerasDialect dialect)
{
  c->model = model_from_json (json);
  c->written = strata_model_to_json (c->model, dialect, FALSE);
  c->root = parse (c->written);
  c->layers = layers_of (c->root);
}

/* Read back, the written config is the same model: the same weight shapes
 * in the same order. Returns how many weights there are. */
static guint
assert_reloads_same_weights (const Converted *c)
{
  g_autoptr(StrataModel) reloaded = model_from_json (c->written);
  g_autoptr(GPtrArray) before = strata_layer_get_weights (STRATA_LAYER (c->model));
  g_autoptr(GPtrArray) after = strata_layer_get_weights (STRATA_LAYER (reloaded));

  g_assert_cmpuint (before->len, ==, after->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_true (strata_shape_equal (strata_tensor_get_shape (g_ptr_array_index (before, i)),
                                       strata_tensor_get_shape (g_ptr_array_index (after, i))));
  return before->len;
}

/* ---- every layer of a generated fixture, both ways ------------------------ */

typedef struct {
  const char *toolkit;          /* fixtures/generated/<toolkit> */
  StrataKerasDialect dialect;   /* the dialect it is written in */
  const char *reader;           /* the toolkit that refuses keys */
  const RefusedKey *refuses;
  guint n_refuses;
  /* Keras 2 Sequentials may leave their input layer implicit; Keras 3 writes it. */
  gboolean may_add_layers;
  /* Checks what was kept of one layer's config. */
  void (*compare) (const char *layer, JsonObject *old_entry, JsonObject *new_entry);
} Direction;

static void
check_fixture (const Direction *direction, const char *name)
{
  g_auto(Converted) c = { 0 };
  g_autofree char *source_text = fixture_text (direction->toolkit, name, ".config.json");
  g_autoptr(JsonNode) source = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(StrataModel) reloaded = NULL;
  GHashTableIter iter;
  gpointer key, value;

  convert (&c, source_text, direction->dialect);
  source = parse (source_text);
  before = layers_of (source);

  g_assert_cmpuint (g_hash_table_size (before), >, 0);
  if (direction->may_add_layers)
    g_assert_cmpuint (g_hash_table_size (c.layers), >=, g_hash_table_size (before));
  else
    g_assert_cmpuint (g_hash_table_size (c.layers), ==, g_hash_table_size (before));

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      JsonObject *old_entry = value;
      JsonObject *new_entry = g_hash_table_lookup (c.layers, key);
      const char *class_name = json_object_get_string_member (old_entry, "class_name");

      JsonObjectIter members;
      const char *member;

      g_assert_nonnull (new_entry);
      json_object_iter_init (&members, json_object_get_object_member (new_entry, "config"));
      while (json_object_iter_next (&members, &member, NULL))
        if (is_refused (direction->refuses, direction->n_refuses, class_name, member))
          g_test_fail_printf ("layer %s (%s): %s refuses the key %s", (char *) key, class_name,
                              direction->reader, member);
      direction->compare (key, old_entry, new_entry);
    }

  reloaded = model_from_json (c.written);
  assert_weight_shapes (c.model, direction->toolkit, name);
  assert_weight_shapes (reloaded, direction->toolkit, name);
}

/* ---- tf-keras -> Keras 3 ------------------------------------------------- */

static void
compare_keras3 (const char *key, JsonObject *old_entry, JsonObject *new_entry)
{
  const char *class_name = json_object_get_string_member (old_entry, "class_name");
  JsonObject *old_config = json_object_get_object_member (old_entry, "config");
  JsonObject *new_config = json_object_get_object_member (new_entry, "config");
  JsonObjectIter members;
  const char *member;
  JsonNode *old_value;

  g_assert_cmpstr (json_object_get_string_member (new_entry, "class_name"), ==, class_name);

  json_object_iter_init (&members, old_config);
  while (json_object_iter_next (&members, &member, &old_value))
    {
      JsonNode *new_value = json_object_get_member (new_config, member);

      if (json_object_has_member (old_config, "layers") && g_str_equal (member, "layers"))
        continue;   /* nested model: its layers are compared one by one */
      if (is_refused (keras3_refuses, G_N_ELEMENTS (keras3_refuses), class_name, member) ||
          (g_str_equal (class_name, "Embedding") && g_str_equal (member, "input_length")))
        continue;
      if (g_str_equal (class_name, "InputLayer") && g_str_equal (member, "batch_input_shape"))
        assert_equal_member (key, "batch_shape", old_value,
                             json_object_get_member (new_config, "batch_shape"));
      else if (g_str_equal (class_name, "BatchNormalization") && g_str_equal (member, "axis") &&
               JSON_NODE_HOLDS_ARRAY (old_value))
        {
          /* tf-keras saves the built axis [3]; Keras 3 takes the int. */
          g_assert_cmpuint (json_array_get_length (json_node_get_array (old_value)), ==, 1);
          assert_equal_member (key, member, json_array_get_element (json_node_get_array (old_value), 0),
                               new_value);
        }
      else if (JSON_NODE_HOLDS_OBJECT (old_value) &&
               json_object_has_member (json_node_get_object (old_value), "class_name"))
        {
          /* A nested layer (checked on its own) or an initializer. */
          g_assert_nonnull (new_value);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (new_value));
          g_assert_cmpstr (json_object_get_string_member (json_node_get_object (old_value), "class_name"), ==,
                           json_object_get_string_member (json_node_get_object (new_value), "class_name"));
        }
      else
        assert_equal_member (key, member, old_value, new_value);
    }
}

static const Direction to_keras3 = {
  "tf_keras", STRATA_KERAS_DIALECT_KERAS3, "Keras 3",
  keras3_refuses, G_N_ELEMENTS (keras3_refuses), TRUE, compare_keras3,
};

static void
test_to_keras3 (gconstpointer data)
{
  check_fixture (&to_keras3, data);
}

/* ---- Keras 3 -> tf-keras ------------------------------------------------- */

static void
assert_no_dtype_policy (const char *layer, JsonObject *config)
{
  JsonNode *dtype = json_object_get_member (config, "dtype");

  if (dtype != NULL && !JSON_NODE_HOLDS_VALUE (dtype))
    g_test_fail_printf ("layer %s: dtype is not a policy name", layer);
}

static void
assert_no_initializer_axes (const char *layer, JsonObject *config)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init (&iter, config);
  while (json_object_iter_next (&iter, &key, &member))
    if (g_str_has_suffix (key, "_initializer") && JSON_NODE_HOLDS_OBJECT (member))
      {
        JsonObject *init = json_node_get_object (member);
        JsonObject *init_config = json_object_get_object_member (init, "config");

        if (json_object_has_member (init_config, "input_axes") ||
            json_object_has_member (init_config, "output_axes"))
          g_test_fail_printf ("layer %s: tf-keras %s takes no input_axes/output_axes", layer,
                   json_object_get_string_member (init, "class_name"));
      }
}

static void
compare_keras2 (const char *key, JsonObject *old_entry, JsonObject *new_entry)
{
  const char *class_name = json_object_get_string_member (old_entry, "class_name");
  JsonObject *old_config = json_object_get_object_member (old_entry, "config");
  JsonObject *new_config = json_object_get_object_member (new_entry, "config");
  JsonObjectIter members;
  const char *member;
  JsonNode *old_value;

  assert_no_dtype_policy (key, new_config);
  assert_no_initializer_axes (key, new_config);

  json_object_iter_init (&members, old_config);
  while (json_object_iter_next (&members, &member, &old_value))
    {
      JsonNode *new_value = json_object_get_member (new_config, member);

      if (g_str_equal (member, "layers") || g_str_equal (member, "dtype") ||
          is_refused (keras2_refuses, G_N_ELEMENTS (keras2_refuses), class_name, member) ||
          g_str_has_suffix (member, "_initializer"))
        continue;
      if (g_str_equal (class_name, "InputLayer") && g_str_equal (member, "batch_shape"))
        assert_equal_member (key, "batch_input_shape", old_value,
                             json_object_get_member (new_config, "batch_input_shape"));
      else if (JSON_NODE_HOLDS_OBJECT (old_value) &&
               json_object_has_member (json_node_get_object (old_value), "class_name"))
        g_assert_nonnull (new_value);   /* a nested layer, checked on its own */
      else
        assert_equal_member (key, member, old_value, new_value);
    }
  /* The policy name stays. */
  if (json_object_has_member (old_config, "dtype") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (old_config, "dtype")))
    g_assert_cmpstr (json_object_get_string_member (new_config, "dtype"), ==,
                     json_object_get_string_member (json_object_get_object_member (
                         json_object_get_object_member (old_config, "dtype"), "config"), "name"));
}

static const Direction to_keras2 = {
  "keras", STRATA_KERAS_DIALECT_KERAS2, "tf-keras",
  keras2_refuses, G_N_ELEMENTS (keras2_refuses), FALSE, compare_keras2,
};

static void
test_to_keras2 (gconstpointer data)
{
  check_fixture (&to_keras2, data);
}

/* ---- rules on hand-written configs --------------------------------------- */

/* The config of the only layer named @name in @json. (transfer none) */
static JsonObject *
layer_config (GHashTable *layers, const char *name)
{
  JsonObject *entry = g_hash_table_lookup (layers, name);

  if (entry == NULL)
    g_error ("no layer %s in the written config", name);
  return json_object_get_object_member (entry, "config");
}

/* layer_config(), after checking that none of the keys (NULL-terminated)
 * was written. */
G_GNUC_NULL_TERMINATED static JsonObject *
config_without (GHashTable *layers, const char *name, ...)
{
  JsonObject *config = layer_config (layers, name);
  va_list keys;

  va_start (keys, name);
  for (const char *key = va_arg (keys, const char *); key != NULL; key = va_arg (keys, const char *))
    if (json_object_has_member (config, key))
      g_test_fail_printf ("layer %s: the key %s was written", name, key);
  va_end (keys);
  return config;
}

/* A tf-keras 2.21 Sequential of @layers (JSON text). */
#define TF_KERAS_SEQUENTIAL(name, layers) \
  "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"" name "\", \"layers\": [" \
  layers "]}, \"keras_version\": \"2.21.0\", \"backend\": \"tensorflow\"}"

/* A tf-keras Sequential without an input layer whose layers carry the keys
 * Keras 3 refuses, some inside wrappers and cells. */
static const char tf_keras_sequence[] = TF_KERAS_SEQUENTIAL ("seq",
  " {\"class_name\": \"Embedding\", \"config\": {\"name\": \"emb\", \"batch_input_shape\": [null, 6],"
  "   \"input_dim\": 50, \"output_dim\": 8, \"input_length\": 6}},"
  " {\"class_name\": \"SpatialDropout1D\", \"config\": {\"name\": \"drop\", \"trainable\": true,"
  "   \"rate\": 0.25, \"noise_shape\": null, \"seed\": null}},"
  " {\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\": \"concat\","
  "   \"layer\": {\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 4,"
  "     \"return_sequences\": true, \"time_major\": false, \"reset_after\": true}}}},"
  " {\"class_name\": \"RNN\", \"config\": {\"name\": \"rnn\", \"return_sequences\": true,"
  "   \"time_major\": false, \"cell\": {\"class_name\": \"LSTMCell\","
  "   \"config\": {\"name\": \"cell\", \"units\": 3, \"implementation\": 2}}}},"
  " {\"class_name\": \"Conv1DTranspose\", \"config\": {\"name\": \"up\", \"filters\": 2,"
  "   \"kernel_size\": [3], \"groups\": 1}},"
  " {\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 5, \"time_major\": false,"
  "   \"return_sequences\": false, \"implementation\": 2}}"
  );

static void
test_rules_sequence (void)
{
  g_auto(Converted) c = { 0 };
  GHashTable *layers;
  JsonArray *entries;
  JsonObject *first;
  JsonObject *config;

  convert (&c, tf_keras_sequence, STRATA_KERAS_DIALECT_KERAS3);
  layers = c.layers;
  entries = json_object_get_array_member (
      json_object_get_object_member (json_node_get_object (c.root), "config"), "layers");
  first = json_array_get_object_element (entries, 0);

  /* The input layer Keras 3 needs, with the batch shape the Embedding had. */
  g_assert_cmpstr (json_object_get_string_member (first, "class_name"), ==, "InputLayer");
  config = json_object_get_object_member (first, "config");
  g_assert_false (json_object_has_member (config, "batch_input_shape"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "batch_shape")), ==, 2);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (config, "batch_shape"), 1), ==, 6);

  config = config_without (layers, "emb", "batch_input_shape", "input_length", NULL);
  g_assert_cmpint (json_object_get_int_member (config, "input_dim"), ==, 50);
  g_assert_cmpint (json_object_get_int_member (config, "output_dim"), ==, 8);

  config = config_without (layers, "drop", "trainable", "noise_shape", NULL);
  g_assert_cmpfloat (json_object_get_double_member (config, "rate"), ==, 0.25);

  config = config_without (layers, "bi/layer/gru", "time_major", NULL);
  g_assert_cmpint (json_object_get_int_member (config, "units"), ==, 4);
  g_assert_true (json_object_get_boolean_member (config, "return_sequences"));
  g_assert_true (json_object_get_boolean_member (config, "reset_after"));

  config = config_without (layers, "rnn", "time_major", NULL);
  g_assert_true (json_object_get_boolean_member (config, "return_sequences"));
  config = layer_config (layers, "rnn/cell/cell");
  g_assert_cmpint (json_object_get_int_member (config, "units"), ==, 3);
  /* Keras 3 takes implementation (and ignores it). */
  g_assert_cmpint (json_object_get_int_member (config, "implementation"), ==, 2);

  config = config_without (layers, "up", "groups", NULL);
  g_assert_cmpint (json_object_get_int_member (config, "filters"), ==, 2);

  config = config_without (layers, "lstm", "time_major", NULL);
  g_assert_cmpint (json_object_get_int_member (config, "units"), ==, 5);
  g_assert_false (json_object_get_boolean_member (config, "return_sequences"));

  /* The same weights, in the same order, before and after. */
  g_assert_cmpuint (assert_reloads_same_weights (&c), >=, 12);
}

/* Images: BatchNormalization's built axis, separable/depthwise/transposed
 * convolutions and random preprocessing. */
static const char tf_keras_image[] = TF_KERAS_SEQUENTIAL ("img",
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 8, 8, 3],"
  "   \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"image\"}},"
  " {\"class_name\": \"RandomFlip\", \"config\": {\"name\": \"flip\", \"rng_type\": \"stateful\","
  "   \"mode\": \"horizontal\", \"seed\": null}},"
  " {\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", \"axis\": [3]}},"
  " {\"class_name\": \"SeparableConv2D\", \"config\": {\"name\": \"sep\", \"filters\": 4,"
  "   \"kernel_size\": [3, 3], \"groups\": 1, \"depth_multiplier\": 2,"
  "   \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}},"
  "   \"kernel_regularizer\": null, \"kernel_constraint\": null}},"
  " {\"class_name\": \"DepthwiseConv2D\", \"config\": {\"name\": \"dw\", \"kernel_size\": [3, 3],"
  "   \"groups\": 1}},"
  " {\"class_name\": \"Conv2DTranspose\", \"config\": {\"name\": \"up\", \"filters\": 2,"
  "   \"kernel_size\": [2, 2], \"strides\": [2, 2], \"groups\": 1}}"
  );

static void
test_rules_image (void)
{
  g_auto(Converted) c = { 0 };
  GHashTable *layers;
  JsonObject *config;

  convert (&c, tf_keras_image, STRATA_KERAS_DIALECT_KERAS3);
  layers = c.layers;

  config = config_without (layers, "image", "batch_input_shape", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "batch_shape")), ==, 4);

  config = config_without (layers, "flip", "rng_type", NULL);
  g_assert_cmpstr (json_object_get_string_member (config, "mode"), ==, "horizontal");

  config = layer_config (layers, "bn");
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (config, "axis")));
  g_assert_cmpint (json_object_get_int_member (config, "axis"), ==, 3);

  config = config_without (layers, "sep", "groups", "kernel_initializer", "kernel_regularizer",
                           "kernel_constraint", NULL);
  g_assert_cmpint (json_object_get_int_member (config, "depth_multiplier"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (config, "filters"), ==, 4);

  config_without (layers, "dw", "groups", NULL);
  config = config_without (layers, "up", "groups", NULL);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (config, "strides"), 0), ==, 2);

  g_assert_cmpuint (assert_reloads_same_weights (&c), >=, 10);
}

/* Values Keras 3 cannot express are not dropped: Keras must refuse the
 * file rather than load a model that computes something else. */
static const char tf_keras_unconvertible[] = TF_KERAS_SEQUENTIAL ("odd",
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4, 6, 6],"
  "   \"dtype\": \"float32\", \"name\": \"x\"}},"
  " {\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", \"axis\": [1, 2]}},"
  " {\"class_name\": \"Conv2DTranspose\", \"config\": {\"name\": \"up\", \"filters\": 4,"
  "   \"kernel_size\": [1, 1], \"groups\": 2}}"
  );

static void
test_rules_kept (void)
{
  g_auto(Converted) c = { 0 };
  JsonNode *axis;

  convert (&c, tf_keras_unconvertible, STRATA_KERAS_DIALECT_KERAS3);
  axis = json_object_get_member (layer_config (c.layers, "bn"), "axis");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (axis));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (axis)), ==, 2);
  g_assert_cmpint (json_object_get_int_member (layer_config (c.layers, "up"), "groups"), ==, 2);
}

/* Keras 3 keys tf-keras refuses: a Keras 3 LeakyReLU slope becomes alpha
 * and unset LoRA/quantization keys go. */
static const char keras3_sequence[] =
  "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"k3\", \"layers\": ["
  " {\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {"
  "   \"batch_shape\": [null, 4], \"dtype\": \"float32\", \"name\": \"x\"}, \"registered_name\": null},"
  " {\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 3,"
  "   \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\","
  "     \"config\": {\"name\": \"mixed_float16\"}, \"registered_name\": null},"
  "   \"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\","
  "     \"config\": {\"seed\": null, \"input_axes\": null, \"output_axes\": null}, \"registered_name\": null},"
  "   \"quantization_config\": null, \"lora_rank\": null}, \"registered_name\": null},"
  " {\"module\": \"keras.layers\", \"class_name\": \"LeakyReLU\", \"config\": {\"name\": \"leaky\","
  "   \"negative_slope\": 0.2}, \"registered_name\": null},"
  " {\"module\": \"keras.layers\", \"class_name\": \"LayerNormalization\", \"config\": {\"name\": \"ln\","
  "   \"axis\": -1, \"rms_scaling\": false}, \"registered_name\": null}"
  "]}, \"registered_name\": null}";

static void
test_rules_keras2 (void)
{
  g_auto(Converted) c = { 0 };
  GHashTable *layers;
  JsonObject *config;
  JsonObject *init;

  convert (&c, keras3_sequence, STRATA_KERAS_DIALECT_KERAS2);
  layers = c.layers;

  config = config_without (layers, "x", "batch_shape", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "batch_input_shape")), ==, 2);

  config = config_without (layers, "d", "quantization_config", "lora_rank", NULL);
  g_assert_cmpstr (json_object_get_string_member (config, "dtype"), ==, "mixed_float16");
  g_assert_cmpint (json_object_get_int_member (config, "units"), ==, 3);
  init = json_object_get_object_member (json_object_get_object_member (config, "kernel_initializer"), "config");
  g_assert_false (json_object_has_member (init, "input_axes"));
  g_assert_false (json_object_has_member (init, "output_axes"));
  g_assert_true (json_object_has_member (init, "seed"));

  config = config_without (layers, "leaky", "negative_slope", NULL);
  g_assert_cmpfloat (json_object_get_double_member (config, "alpha"), ==, 0.2);

  config_without (layers, "ln", "rms_scaling", NULL);
}

/* Call nodes: Keras 3 records the call's default training flag, which the
 * model's own flag overrides, while tf-keras obeys a recorded one; and
 * MultiHeadAttention takes its value tensor as a second argument, which
 * tf-keras records as a keyword tensor. */
#define K3_TENSOR_OF(shape, name) \
  "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": " shape "," \
  " \"dtype\": \"float32\", \"keras_history\": [\"" name "\", 0, 0]}}"
#define K3_TENSOR(name) K3_TENSOR_OF ("[null, 5, 4]", name)
/* A Keras 3.15 functional model of @layers with its @endpoints
 * (input_layers and output_layers), and one of its input layers. */
#define K3_FUNCTIONAL(name, layers, endpoints) \
  "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\"," \
  " \"config\": {\"name\": \"" name "\", \"trainable\": true, \"layers\": [" \
  layers " ], " endpoints "}, \"registered_name\": \"Functional\"}"
#define K3_INPUT(name, shape) \
  " {\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {" \
  "   \"batch_shape\": " shape ", \"dtype\": \"float32\", \"name\": \"" name "\"}," \
  "   \"registered_name\": null, \"name\": \"" name "\", \"inbound_nodes\": []},"

static const char keras3_calls[] = K3_FUNCTIONAL ("calls",
  K3_INPUT ("seq", "[null, 5, 4]")
  " {\"module\": \"keras.layers\", \"class_name\": \"GaussianNoise\", \"config\": {"
  "   \"name\": \"noise\", \"stddev\": 0.5, \"seed\": null}, \"registered_name\": null,"
  "   \"name\": \"noise\", \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("seq") "],"
  "   \"kwargs\": {\"training\": true}}]},"
  " {\"module\": \"keras.layers\", \"class_name\": \"MultiHeadAttention\", \"config\": {"
  "   \"name\": \"mha\", \"num_heads\": 2, \"key_dim\": 3, \"use_gate\": false,"
  "   \"sliding_window\": null, \"seed\": null}, \"registered_name\": null, \"name\": \"mha\","
  "   \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("noise") ", " K3_TENSOR ("seq") "],"
  "   \"kwargs\": {}}]}",
  "\"input_layers\": [\"seq\", 0, 0], \"output_layers\": [\"mha\", 0, 0]");

static JsonObject *
entry_of (JsonNode *root, const char *layer)
{
  JsonArray *layers = json_object_get_array_member (
      json_object_get_object_member (json_node_get_object (root), "config"), "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (layers, i), "name"),
                   layer) == 0)
      return json_array_get_object_element (layers, i);
  g_error ("no layer %s in the written config", layer);
}

static JsonArray *
inbound_of (JsonNode *root, const char *layer)
{
  return json_object_get_array_member (entry_of (root, layer), "inbound_nodes");
}

static void
test_calls_keras2 (void)
{
  g_auto(Converted) c = { 0 };
  JsonNode *root;
  GHashTable *layers;
  JsonArray *call, *entry, *value;
  JsonObject *kwargs;
  g_autofree char *again = NULL;
  g_autoptr(JsonNode) again_root = NULL;
  JsonArray *args;

  convert (&c, keras3_calls, STRATA_KERAS_DIALECT_KERAS2);
  root = c.root;
  layers = c.layers;

  /* [[["seq", 0, 0, {}]]]: the recorded default is gone. */
  call = json_array_get_array_element (inbound_of (root, "noise"), 0);
  g_assert_cmpuint (json_array_get_length (call), ==, 1);
  entry = json_array_get_array_element (call, 0);
  g_assert_cmpstr (json_array_get_string_element (entry, 0), ==, "seq");
  g_assert_false (json_object_has_member (json_array_get_object_element (entry, 3), "training"));

  /* [[["noise", 0, 0, {"value": ["seq", 0, 0]}]]] as tf-keras writes it. */
  call = json_array_get_array_element (inbound_of (root, "mha"), 0);
  g_assert_cmpuint (json_array_get_length (call), ==, 1);
  entry = json_array_get_array_element (call, 0);
  g_assert_cmpstr (json_array_get_string_element (entry, 0), ==, "noise");
  kwargs = json_array_get_object_element (entry, 3);
  value = json_object_get_array_member (kwargs, "value");
  g_assert_cmpuint (json_array_get_length (value), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (value, 0), ==, "seq");
  g_assert_false (json_object_has_member (kwargs, "key"));

  /* And the Keras 3-only MultiHeadAttention keys are gone. */
  config_without (layers, "mha", "use_gate", "sliding_window", NULL);
  g_assert_cmpint (json_object_get_int_member (layer_config (layers, "mha"), "key_dim"), ==, 3);
  /* tf-keras builds it in from_config from the shapes of its first call
   * (here no build_config): query, value, and the key as the value. */
  for (guint i = 0; i < 3; i++)
    {
      const char *key = (const char *[]) { "query_shape", "value_shape", "key_shape" }[i];
      JsonArray *shape = json_object_get_array_member (layer_config (layers, "mha"), key);

      g_assert_cmpuint (json_array_get_length (shape), ==, 3);
      g_assert_true (json_node_is_null (json_array_get_element (shape, 0)));
      g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 5);
      g_assert_cmpint (json_array_get_int_element (shape, 2), ==, 4);
    }

  /* Written back as Keras 3 (the Keras 3 nodes are reused as read), the
   * call keeps its two positional tensors. */
  again = strata_model_to_json (c.model, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  again_root = parse (again);
  args = json_object_get_array_member (json_array_get_object_element (inbound_of (again_root, "mha"), 0),
                                       "args");
  g_assert_cmpuint (json_array_get_length (args), ==, 2);
}

/* Keras 3 passes an RNN's initial states as a keyword tensor; tf-keras
 * reads keyword tensors as [name, node, tensor]. */
#define K3_STATE(name) K3_TENSOR_OF ("[null, 2]", name)

static const char keras3_states[] = K3_FUNCTIONAL ("states",
  K3_INPUT ("seq", "[null, 5, 4]")
  K3_INPUT ("h0", "[null, 2]")
  " {\"module\": \"keras.layers\", \"class_name\": \"GRU\", \"config\": {"
  "   \"name\": \"gru\", \"units\": 2}, \"registered_name\": null, \"name\": \"gru\","
  "   \"inbound_nodes\": [{\"args\": [" K3_TENSOR ("seq") "],"
  "   \"kwargs\": {\"initial_state\": " K3_STATE ("h0") "}}]}",
  "\"input_layers\": [[\"seq\", 0, 0], [\"h0\", 0, 0]], \"output_layers\": [\"gru\", 0, 0]");

static void
test_calls_keyword_tensors (void)
{
  g_auto(Converted) c = { 0 };
  JsonArray *call, *entry, *state;

  convert (&c, keras3_states, STRATA_KERAS_DIALECT_KERAS2);
  call = json_array_get_array_element (inbound_of (c.root, "gru"), 0);
  entry = json_array_get_array_element (call, 0);
  state = json_object_get_array_member (json_array_get_object_element (entry, 3), "initial_state");

  g_assert_cmpstr (json_array_get_string_element (entry, 0), ==, "seq");
  g_assert_cmpuint (json_array_get_length (state), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (state, 0), ==, "h0");
  g_assert_cmpint (json_array_get_int_element (state, 1), ==, 0);
  g_assert_cmpint (json_array_get_int_element (state, 2), ==, 0);
}

/* An input layer of a tf-keras functional model. */
#define TF_KERAS_INPUT(name, shape) \
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": " shape "," \
  "   \"dtype\": \"float32\", \"name\": \"" name "\"}, \"name\": \"" name "\", \"inbound_nodes\": []},"

/* A training flag a tf-keras model recorded (Monte Carlo dropout) means
 * something in both toolkits and stays. */
static const char tf_keras_training_call[] =
  "{\"class_name\": \"Functional\", \"config\": {\"name\": \"mc\", \"layers\": ["
  TF_KERAS_INPUT ("x", "[null, 4]")
  " {\"class_name\": \"Dropout\", \"config\": {\"name\": \"drop\", \"rate\": 0.5},"
  "   \"name\": \"drop\", \"inbound_nodes\": [[[\"x\", 0, 0, {\"training\": true}]]]}"
  " ], \"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"drop\", 0, 0]]},"
  " \"keras_version\": \"2.21.0\", \"backend\": \"tensorflow\"}";

static void
test_calls_training_kept (void)
{
  g_auto(Converted) c = { 0 };
  JsonObject *call;

  convert (&c, tf_keras_training_call, STRATA_KERAS_DIALECT_KERAS3);
  call = json_array_get_object_element (inbound_of (c.root, "drop"), 0);

  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (call, "kwargs"),
                                                 "training"));
}

/* What older tf.keras (2.2-2.3) wrote: initializer dtypes, wrapped layers
 * without a module, a wrapped layer going backwards, and an RNN called
 * with initial states (with the build shapes of tf-keras 2.13+). */
static const char tf_keras_older[] =
  "{\"class_name\": \"Model\", \"config\": {\"name\": \"older\", \"layers\": ["
  TF_KERAS_INPUT ("seq", "[null, 4, 3]")
  TF_KERAS_INPUT ("h0", "[null, 2]")
  TF_KERAS_INPUT ("c0", "[null, 2]")
  " {\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\": \"concat\","
  "   \"layer\": {\"class_name\": \"SimpleRNN\", \"config\": {\"name\": \"back\", \"units\": 2,"
  "     \"go_backwards\": true, \"return_sequences\": true,"
  "     \"kernel_initializer\": {\"class_name\": \"GlorotUniform\","
  "       \"config\": {\"seed\": null, \"dtype\": \"float32\"}}}}},"
  "   \"name\": \"bi\", \"inbound_nodes\": [[[\"seq\", 0, 0, {}]]]},"
  " {\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 2,"
  "   \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {\"dtype\": \"float32\"}}},"
  "   \"build_config\": {\"input_shape\": [[null, 4, 4], [null, 2], [null, 2]]},"
  "   \"name\": \"lstm\", \"inbound_nodes\": [[[\"bi\", 0, 0, {}], [\"h0\", 0, 0, {}], [\"c0\", 0, 0, {}]]]}"
  " ], \"input_layers\": [[\"seq\", 0, 0], [\"h0\", 0, 0], [\"c0\", 0, 0]],"
  " \"output_layers\": [[\"lstm\", 0, 0]]}, \"keras_version\": \"2.3.0\", \"backend\": \"tensorflow\"}";

static void
test_older_tf_keras (void)
{
  g_auto(Converted) c = { 0 };
  JsonNode *root;
  GHashTable *layers;
  JsonObject *bi, *wrapped, *backward;
  JsonObject *init, *lstm, *call, *shapes;
  JsonArray *states;

  convert (&c, tf_keras_older, STRATA_KERAS_DIALECT_KERAS3);
  root = c.root;
  layers = c.layers;
  bi = layer_config (layers, "bi");
  wrapped = json_object_get_object_member (bi, "layer");
  backward = json_object_get_object_member (bi, "backward_layer");

  /* Keras 3 finds built-in wrapped layers by module. */
  g_assert_cmpstr (json_object_get_string_member (wrapped, "module"), ==, "keras.layers");
  /* The backward twin tf-keras would derive, going forwards. */
  g_assert_nonnull (backward);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (wrapped, "config"),
                                                 "go_backwards"));
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (backward, "config"),
                                                  "go_backwards"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (backward, "config"),
                                                  "name"), ==, "backward_back");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (backward, "config"),
                                               "units"), ==, 2);
  /* Initializers lose the dtype of their values, and keep the rest. */
  init = json_object_get_object_member (json_object_get_object_member (
      json_object_get_object_member (wrapped, "config"), "kernel_initializer"), "config");
  g_assert_false (json_object_has_member (init, "dtype"));
  g_assert_true (json_object_has_member (init, "seed"));
  lstm = layer_config (layers, "lstm");
  g_assert_false (json_object_has_member (json_object_get_object_member (
      json_object_get_object_member (lstm, "bias_initializer"), "config"), "dtype"));

  /* LSTM(x, [h0, c0]): the states are call()'s second argument in
   * Keras 3, not more sequences in one list. */
  call = json_array_get_object_element (json_object_get_array_member (entry_of (root, "lstm"),
                                                                       "inbound_nodes"), 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (call, "args")), ==, 2);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_object_get_array_member (call, "args"), 0)));
  states = json_array_get_array_element (json_object_get_array_member (call, "args"), 1);
  g_assert_cmpuint (json_array_get_length (states), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (
      json_object_get_object_member (json_array_get_object_element (states, 1), "config"),
      "keras_history"), 0), ==, "c0");
  shapes = json_object_get_object_member (json_object_get_object_member (entry_of (root, "lstm"),
                                                                         "build_config"), "shapes_dict");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (shapes, "sequences_shape")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (shapes, "initial_state_shape")), ==, 2);

  /* Strata reads its Keras 3 config back as the same model. */
  g_assert_cmpuint (assert_reloads_same_weights (&c), ==, 9);
}

/* What the target Keras needs for the same computation, whatever the
 * source: a Keras 2.2 GRU (no reset_after: Keras 2's weight shapes) gets
 * reset_after false, ThresholdedReLU Keras 3's legacy module (the same
 * class), Keras 1 keys their Keras 2 names; a layer Keras 3 computes
 * differently (tf-keras's hard_sigmoid) is refused, naming the layer. */
static const char keras22_sequence[] =
  "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"old\", \"layers\": ["
  " {\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 2,"
  "   \"return_sequences\": true, \"batch_input_shape\": [null, 4, 3], \"dtype\": \"float32\"}},"
  " {\"class_name\": \"ThresholdedReLU\", \"config\": {\"name\": \"thr\", \"theta\": 0.5}}"
  "]}, \"keras_version\": \"2.2.4\", \"backend\": \"tensorflow\"}";

static const char keras1_sequence[] =
  "{\"class_name\": \"Sequential\", \"config\": ["
  " {\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\", \"output_dim\": 3, \"input_dim\": 4,"
  "   \"batch_input_shape\": [null, 4], \"init\": \"glorot_uniform\", \"activation\": \"linear\","
  "   \"bias\": true, \"trainable\": true}}"
  "], \"keras_version\": \"1.2.2\", \"backend\": \"theano\"}";

static const char hard_sigmoid_sequence[] =
  "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"hs\", \"layers\": ["
  " {\"class_name\": \"Dense\", \"config\": {\"name\": \"gate\", \"units\": 2,"
  "   \"activation\": \"hard_sigmoid\", \"batch_input_shape\": [null, 3]}}"
  "]}, \"keras_version\": \"2.15.0\", \"backend\": \"tensorflow\"}";

static JsonObject *
layer_entry (JsonObject *top, const char *name)
{
  JsonArray *layers = json_object_get_array_member (json_object_get_object_member (top, "config"), "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = json_array_get_object_element (layers, i);

      if (g_strcmp0 (json_object_get_string_member (json_object_get_object_member (entry, "config"), "name"),
                     name) == 0)
        return entry;
    }
  g_error ("no layer %s in the written config", name);
}

static void
test_target_needs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) old = model_from_json (keras22_sequence);
  g_autoptr(StrataModel) k1 = model_from_json (keras1_sequence);
  g_autoptr(StrataModel) hs = model_from_json (hard_sigmoid_sequence);
  g_autoptr(JsonObject) top = strata_model_to_config_object_full (old, STRATA_KERAS_DIALECT_KERAS3,
                                                                   STRATA_CONFIG_STYLE_ARCHIVE, &error);
  g_autoptr(JsonObject) top1 = NULL;
  g_autoptr(JsonObject) refused = NULL;
  JsonObject *entry, *config;

  g_assert_no_error (error);
  config = json_object_get_object_member (layer_entry (top, "gru"), "config");
  g_assert_true (json_object_has_member (config, "reset_after"));
  g_assert_false (json_object_get_boolean_member (config, "reset_after"));
  entry = layer_entry (top, "thr");
  g_assert_cmpstr (json_object_get_string_member (entry, "class_name"), ==, "ThresholdedReLU");
  g_assert_cmpstr (json_object_get_string_member (entry, "module"), ==, "keras._legacy.layers");

  top1 = strata_model_to_config_object_full (k1, STRATA_KERAS_DIALECT_KERAS3, STRATA_CONFIG_STYLE_ARCHIVE, &error);
  g_assert_no_error (error);
  config = json_object_get_object_member (layer_entry (top1, "d1"), "config");
  g_assert_cmpint (json_object_get_int_member (config, "units"), ==, 3);
  g_assert_true (json_object_get_boolean_member (config, "use_bias"));
  g_assert_false (json_object_has_member (config, "output_dim"));
  g_assert_false (json_object_has_member (config, "init"));
  g_assert_false (json_object_has_member (config, "bias"));

  refused = strata_model_to_config_object_full (hs, STRATA_KERAS_DIALECT_KERAS3, STRATA_CONFIG_STYLE_ARCHIVE, &error);
  g_assert_null (refused);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_NO_EQUIVALENT);
  g_assert_nonnull (strstr (error->message, "“gate”"));
  g_assert_nonnull (strstr (error->message, "hard_sigmoid"));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (tf_keras_models); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dialect/tf-keras-to-keras3/%s", tf_keras_models[i]);

      g_test_add_data_func (path, tf_keras_models[i], test_to_keras3);
    }
  for (guint i = 0; i < G_N_ELEMENTS (keras3_models); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dialect/keras3-to-tf-keras/%s", keras3_models[i]);

      g_test_add_data_func (path, keras3_models[i], test_to_keras2);
    }
  g_test_add_func ("/dialect/rules/sequence", test_rules_sequence);
  g_test_add_func ("/dialect/rules/image", test_rules_image);
  g_test_add_func ("/dialect/rules/kept", test_rules_kept);
  g_test_add_func ("/dialect/rules/keras2", test_rules_keras2);
  g_test_add_func ("/dialect/calls/keras2", test_calls_keras2);
  g_test_add_func ("/dialect/calls/training-kept", test_calls_training_kept);
  g_test_add_func ("/dialect/calls/keyword-tensors", test_calls_keyword_tensors);
  g_test_add_func ("/dialect/older-tf-keras", test_older_tf_keras);
  g_test_add_func ("/dialect/target-needs", test_target_needs);
  return g_test_run ();
}
