/* test-layers.c: built-in layer classes, InputLayer and opaque layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Expected shapes follow the Keras layer documentation (keras.io/api/layers):
 * conv output length = ceil((n - dilated_k + 1) / s) for "valid" and
 * ceil(n / s) for "same"/"causal"; transposed conv n*s + max(k - s, 0)
 * ("valid"), n*s ("same"), (n-1)*s + k - 2*pad + output_padding; weight
 * layouts as listed in the saving-format notes (LSTM (in, 4u), GRU
 * reset_after (2, 3u), ...). The configs are real Keras configs, trimmed.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-layer-private.h"
#include "strata-layers-private.h"

static StrataLayer *
make_layer_full (const char *json, GError **error)
{
  g_autoptr(JsonNode) node = strata_json_parse (json, -1, NULL);

  g_assert_nonnull (node);
  return strata_registry_create_layer (strata_registry_get_default (), json_node_get_object (node),
                                       STRATA_LOAD_ALLOW_UNKNOWN, error);
}

static StrataLayer *
make_layer (const char *class_name, const char *config)
{
  g_autofree char *json = g_strdup_printf ("{\"class_name\": \"%s\", \"config\": %s}",
                                           class_name, config);
  g_autoptr(GError) error = NULL;
  StrataLayer *layer = make_layer_full (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (layer);
  return layer;
}

/* "[[null, 28, 28, 1], [null, 3]]" -> shapes */
static GPtrArray *
parse_shapes (const char *json)
{
  g_autoptr(JsonNode) node = strata_json_parse (json, -1, NULL);
  GPtrArray *shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
  JsonArray *array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      StrataShape *shape = strata_json_to_shape (json_array_get_element (array, i), "shape", NULL);
      g_assert_nonnull (shape);
      g_ptr_array_add (shapes, shape);
    }
  return shapes;
}

static char *
shapes_string (GPtrArray *shapes)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < shapes->len; i++)
    {
      StrataShape *shape = g_ptr_array_index (shapes, i);
      g_autofree char *one = shape != NULL ? strata_shape_to_string (shape) : g_strdup ("?");
      g_string_append_printf (s, "%s%s", i > 0 ? " " : "", one);
    }
  return g_string_free (s, FALSE);
}

static void
assert_outputs (StrataLayer *layer, const char *inputs, const char *expected)
{
  g_autoptr(GPtrArray) in = parse_shapes (inputs);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) out = strata_layer_compute_output_shapes (layer, in, &error);
  g_autofree char *found = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (out);
  found = shapes_string (out);
  g_assert_cmpstr (found, ==, expected);
}

static void
assert_shape_error (StrataLayer *layer, const char *inputs)
{
  g_autoptr(GPtrArray) in = parse_shapes (inputs);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) out = strata_layer_compute_output_shapes (layer, in, &error);

  g_assert_null (out);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, strata_layer_get_name (layer)));
}

/* Builds @layer and compares "name shape; name shape" (trainable ones
 * marked with no suffix, non-trainable with " nt"). */
static void
assert_weights (StrataLayer *layer, const char *inputs, const char *expected)
{
  g_autoptr(GPtrArray) in = parse_shapes (inputs);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) found = g_string_new (NULL);

  g_assert_true (strata_layer_build (layer, in, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < strata_layer_get_n_weights (layer); i++)
    {
      g_autofree char *shape = strata_shape_to_string (strata_tensor_get_shape (strata_layer_get_weight_at (layer, i)));
      g_string_append_printf (found, "%s%s %s%s", i > 0 ? "; " : "",
                              strata_layer_get_weight_short_name (layer, i), shape,
                              strata_layer_weight_is_trainable (layer, i) ? "" : " nt");
    }
  g_assert_cmpstr (found->str, ==, expected);
}

static void
check (const char *class_name, const char *config, const char *inputs,
       const char *outputs, const char *weights)
{
  g_autoptr(StrataLayer) layer = make_layer (class_name, config);

  if (outputs != NULL)
    assert_outputs (layer, inputs, outputs);
  if (weights != NULL)
    assert_weights (layer, inputs, weights);
}

/* ---- Python values: what Keras takes, Strata reads the same -------------- */

/* Configs as Keras accepts them (Python's coercions, conv_utils /
 * argument_validation.normalize_tuple), each with the output and weights
 * Keras builds from it; the config is kept as written. */
static void
test_python_values (void)
{
  /* 1/0 and any truthy value for booleans; null is `if None:`, false. */
  check ("BatchNormalization", "{\"scale\": 1, \"center\": 0}", "[[null, 4]]", "(None, 4)",
         "gamma (4,); moving_mean (4,) nt; moving_variance (4,) nt");
  check ("BatchNormalization", "{\"scale\": 2, \"center\": null}", "[[null, 4]]", "(None, 4)",
         "gamma (4,); moving_mean (4,) nt; moving_variance (4,) nt");
  check ("BatchNormalization", "{\"scale\": 0.0, \"center\": \"yes\"}", "[[null, 4]]", "(None, 4)",
         "beta (4,); moving_mean (4,) nt; moving_variance (4,) nt");
  check ("Dense", "{\"units\": 3, \"use_bias\": null}", "[[null, 5]]", "(None, 3)", "kernel (5, 3)");
  /* integral floats (and bools) for integers, in tuples too */
  check ("Dense", "{\"units\": 3.0, \"use_bias\": 1}", "[[null, 5]]", "(None, 3)", "kernel (5, 3); bias (3,)");
  check ("Conv2D", "{\"filters\": 4.0, \"kernel_size\": [3.0, 3], \"strides\": [true, 1]}",
         "[[null, 8, 8, 2]]", "(None, 6, 6, 4)", "kernel (3, 3, 2, 4); bias (4,)");
  /* a single number for a tuple, and tf-keras tuples */
  check ("Conv2D", "{\"filters\": 4, \"kernel_size\": 3, \"strides\": 2, \"dilation_rate\": 1}",
         "[[null, 8, 8, 2]]", "(None, 3, 3, 4)", "kernel (3, 3, 2, 4); bias (4,)");
  check ("Conv2D", "{\"filters\": 4, \"kernel_size\": {\"class_name\": \"__tuple__\", \"items\": [1, 3]}}",
         "[[null, 8, 8, 2]]", "(None, 8, 6, 4)", "kernel (1, 3, 2, 4); bias (4,)");
  check ("MaxPooling2D", "{\"pool_size\": 2, \"strides\": null}", "[[null, 8, 8, 2]]", "(None, 4, 4, 2)", "");
  check ("ZeroPadding2D", "{\"padding\": 1}", "[[null, 4, 4, 2]]", "(None, 6, 6, 2)", "");
  check ("ZeroPadding2D", "{\"padding\": [1.0, {\"class_name\": \"__tuple__\", \"items\": [0, 2]}]}",
         "[[null, 4, 4, 2]]", "(None, 6, 6, 2)", "");
  check ("Dropout", "{\"rate\": 0}", "[[null, 4]]", "(None, 4)", "");
  /* tuples wherever Keras takes a list, a single int for a list of axes */
  check ("LayerNormalization", "{\"axis\": {\"class_name\": \"__tuple__\", \"items\": [1, 2.0]}, \"center\": 0}",
         "[[null, 4, 6]]", NULL, "gamma (4, 6)");
  check ("BatchNormalization", "{\"axis\": {\"class_name\": \"__tuple__\", \"items\": [1, 3]}}",
         "[[null, 3, 5, 7]]", NULL,
         "gamma (1, 3, 1, 7); beta (1, 3, 1, 7); moving_mean (1, 3, 1, 7) nt; moving_variance (1, 3, 1, 7) nt");
  check ("PReLU", "{\"shared_axes\": {\"class_name\": \"__tuple__\", \"items\": [1, 2]}}",
         "[[null, null, null, 10]]", NULL, "alpha (1, 1, 10)");
  check ("PReLU", "{\"shared_axes\": 1.0}", "[[null, 4, 5]]", NULL, "alpha (1, 5)");
  check ("Reshape", "{\"target_shape\": {\"class_name\": \"__tuple__\", \"items\": [3.0, -1]}}",
         "[[null, 12]]", "(None, 3, 4)", NULL);
  check ("RNN", "{\"cell\": {\"class_name\": \"__tuple__\", \"items\": ["
         "{\"class_name\": \"SimpleRNNCell\", \"config\": {\"units\": 4}}, "
         "{\"class_name\": \"SimpleRNNCell\", \"config\": {\"units\": 2}}]}}",
         "[[null, 5, 3]]", "(None, 2)",
         "kernel (3, 4); recurrent_kernel (4, 4); bias (4,); kernel (4, 2); recurrent_kernel (2, 2); bias (2,)");

  /* what Keras refuses (int(2.5) passes normalize_tuple but no layer
   * builds a 2.5-wide kernel) fails with the key named */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(StrataLayer) layer = make_layer_full ("{\"class_name\": \"Dense\", \"config\": {\"units\": 2.5}}",
                                                    &error);

    g_assert_null (layer);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "units"));
  }

  /* the config keeps what the file said */
  {
    g_autoptr(StrataLayer) layer = make_layer ("BatchNormalization", "{\"scale\": 1, \"center\": 0}");
    g_autoptr(JsonObject) object = strata_layer_get_config (layer);
    g_autoptr(JsonNode) config = json_node_init_object (json_node_alloc (), object);
    g_autofree char *written = strata_json_to_string (config, FALSE);
    gboolean scale = FALSE;

    g_object_get (layer, "scale", &scale, NULL);
    g_assert_true (scale);
    g_assert_nonnull (strstr (written, "\"scale\": 1,"));
    g_assert_nonnull (strstr (written, "\"center\": 0"));
  }
}

/* ---- registry and properties -------------------------------------------- */

static void
test_registry (void)
{
  static const char *const names[] = {
    "Activation", "ActivityRegularization", "Add", "AdditiveAttention", "AlphaDropout",
    "Attention", "Average", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "BatchNormalization", "Bidirectional", "Concatenate", "Conv1D", "Conv1DTranspose",
    "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "ConvLSTM2D", "Cropping1D",
    "Cropping2D", "Cropping3D", "CuDNNGRU", "CuDNNLSTM", "Dense", "DepthwiseConv1D",
    "DepthwiseConv2D", "Dot", "Dropout", "ELU", "Embedding", "Flatten", "GRU",
    "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GroupNormalization", "Identity", "InputLayer", "LSTM", "LayerNormalization", "LeakyReLU",
    "LocallyConnected1D", "LocallyConnected2D", "Masking", "MaxPooling1D", "MaxPooling2D",
    "MaxPooling3D", "Maximum", "Minimum", "MultiHeadAttention", "Multiply", "Normalization",
    "PReLU", "Permute", "ReLU", "RepeatVector", "Rescaling", "Reshape", "SeparableConv1D",
    "SeparableConv2D", "SimpleRNN", "Softmax", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "Subtract", "TensorFlowOpLayer", "ThresholdedReLU", "TimeDistributed",
    "UnitNormalization", "EinsumDense", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
    "ZeroPadding2D", "ZeroPadding3D",
    /* Keras 1 */
    "Merge", "TimeDistributedDense", "MaxoutDense", "Highway",
    /* cells */
    "RNN", "LSTMCell", "GRUCell", "SimpleRNNCell",
  };
  static const char *const aliases[][2] = {
    { "Convolution1D", "Conv1D" }, { "Convolution2D", "Conv2D" }, { "Convolution3D", "Conv3D" },
    { "AtrousConvolution2D", "Conv2D" }, { "Deconvolution2D", "Conv2DTranspose" },
    { "MaxPool2D", "MaxPooling2D" }, { "AvgPool1D", "AveragePooling1D" },
  };
  StrataRegistry *registry = strata_registry_get_default ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GType type = strata_registry_lookup (registry, names[i]);
      g_autofree char *type_name = g_strconcat ("Strata", names[i], NULL);

      g_test_message ("%s", names[i]);
      g_assert_true (g_type_is_a (type, STRATA_TYPE_LAYER));
      g_assert_cmpstr (g_type_name (type), ==, type_name);
      g_assert_cmpstr (strata_layer_class_get_keras_name (g_type_class_peek (type) != NULL
                                                            ? g_type_class_peek (type)
                                                            : g_type_class_ref (type)),
                       ==, names[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    g_assert_true (strata_registry_lookup (registry, aliases[i][0]) ==
                   strata_registry_lookup (registry, aliases[i][1]));
}

static void
test_properties (void)
{
  g_autoptr(StrataLayer) dense2 = make_layer ("Dense",
    "{\"name\": \"dense_1\", \"units\": 64, \"activation\": \"relu\", \"use_bias\": true, "
    "\"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 1.0}}}");
  g_autoptr(StrataLayer) dense1 = make_layer ("Dense",
    "{\"name\": \"dense_1\", \"output_dim\": 10, \"bias\": false, \"init\": \"glorot_uniform\", \"input_dim\": 50}");
  g_autoptr(StrataLayer) conv = make_layer ("Conv2D", "{\"filters\": 8, \"kernel_size\": [3, 3]}");
  g_autoptr(JsonNode) activation = NULL;
  g_autoptr(JsonNode) strides = NULL;
  JsonObject *config;
  gint64 units = 0;
  gboolean use_bias = TRUE;
  g_autofree char *padding = NULL;

  g_object_get (dense2, "units", &units, "use-bias", &use_bias, "activation", &activation, NULL);
  g_assert_cmpint (units, ==, 64);
  g_assert_true (use_bias);
  g_assert_cmpstr (json_node_get_string (activation), ==, "relu");

  /* Keras 1 keys answer to the Keras 2 property names... */
  g_object_get (dense1, "units", &units, "use-bias", &use_bias, NULL);
  g_assert_cmpint (units, ==, 10);
  g_assert_false (use_bias);
  /* ... and writing keeps the Keras 1 key. */
  g_object_set (dense1, "units", (gint64) 20, NULL);
  config = strata_layer_peek_config (dense1);
  g_assert_cmpint (json_object_get_int_member (config, "output_dim"), ==, 20);
  g_assert_false (json_object_has_member (config, "units"));

  /* Missing keys read as the Keras defaults. */
  g_object_get (conv, "strides", &strides, "padding", &padding, NULL);
  g_assert_cmpint (json_node_get_int (strides), ==, 1);
  g_assert_cmpstr (padding, ==, "valid");
  g_assert_false (json_object_has_member (strata_layer_peek_config (conv), "strides"));
}

/* Keys a config leaves out read as real Keras's defaults (keras-defaults.json,
 * from tf-keras by gen-keras-defaults.py): every scalar property Strata has
 * for a key of Keras's get_config(). */
static const struct {
  const char *class_name;
  const char *key;
  const char *reason;
} default_exceptions[] = {
  { "GRU", "reset_after",
    "a GRU config without reset_after was written before Keras 2.1.6 added it, when it was false" },
  { "GRU", "implementation", "Keras 2.2.4's default was 1; it chooses how Keras computes, not what" },
  { "LSTM", "implementation", "Keras 2.2.4's default was 1; it chooses how Keras computes, not what" },
};

static gboolean
default_exception (const char *class_name, const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (default_exceptions); i++)
    if (g_str_equal (default_exceptions[i].class_name, class_name) && g_str_equal (default_exceptions[i].key, key))
      {
        g_test_message ("%s.%s not compared: %s", class_name, key, default_exceptions[i].reason);
        return TRUE;
      }
  return FALSE;
}

/* Whether the property value @v is Keras's scalar @want; FALSE with
 * *compared unset for values of other kinds. */
static gboolean
same_default (const GValue *v, JsonNode *want, gboolean *compared)
{
  GType vt = G_VALUE_TYPE (v);
  GType wt = JSON_NODE_HOLDS_VALUE (want) ? json_node_get_value_type (want) : G_TYPE_INVALID;

  *compared = TRUE;
  if (vt == G_TYPE_DOUBLE && (wt == G_TYPE_DOUBLE || wt == G_TYPE_INT64))
    return isfinite (g_value_get_double (v)) && g_value_get_double (v) == json_node_get_double (want);
  if (vt == G_TYPE_INT64 && wt == G_TYPE_INT64)
    return g_value_get_int64 (v) == json_node_get_int (want);
  if (vt == G_TYPE_BOOLEAN && wt == G_TYPE_BOOLEAN)
    return g_value_get_boolean (v) == json_node_get_boolean (want);
  if (vt == G_TYPE_STRING && (wt == G_TYPE_STRING || JSON_NODE_HOLDS_NULL (want)))
    return g_strcmp0 (g_value_get_string (v), json_node_get_string (want)) == 0;
  *compared = FALSE;
  return FALSE;
}

static void
test_keras_defaults (void)
{
  g_autofree char *path = strata_test_src_path ("layers/keras-defaults.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *layers;
  guint compared = 0;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  layers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "layers");
  g_assert_cmpuint (json_array_get_length (layers), >, 0);
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = json_array_get_object_element (layers, i);
      const char *class_name = json_object_get_string_member (entry, "class_name");
      JsonObject *args = json_object_get_object_member (entry, "args");
      JsonObject *config = json_object_get_object_member (entry, "config");
      g_autoptr(JsonNode) args_node = json_node_init_object (json_node_alloc (), args);
      g_autofree char *args_json = json_to_string (args_node, FALSE);
      g_autoptr(StrataLayer) layer = make_layer (class_name, args_json);
      g_autoptr(GList) keys = json_object_get_members (config);

      for (GList *k = keys; k != NULL; k = k->next)
        {
          const char *key = k->data;
          g_autofree char *property = g_strdelimit (g_strdup (key), "_", '-');
          GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (layer), property);
          g_auto(GValue) value = G_VALUE_INIT;
          gboolean same, was_compared;

          if (pspec == NULL || json_object_has_member (args, key) || default_exception (class_name, key))
            continue;
          g_value_init (&value, pspec->value_type);
          g_object_get_property (G_OBJECT (layer), property, &value);
          same = same_default (&value, json_object_get_member (config, key), &was_compared);
          if (!was_compared)
            continue;
          compared++;
          if (!same)
            {
              g_autofree char *got = g_strdup_value_contents (&value);
              g_autoptr(JsonNode) want = json_node_copy (json_object_get_member (config, key));
              g_autofree char *want_json = json_to_string (want, FALSE);
              g_test_fail_printf ("%s: a missing “%s” reads as %s, Keras's default is %s", class_name, key,
                                  got, want_json);
            }
        }
    }
  g_test_message ("%u defaults compared with tf-keras's", compared);
  g_assert_cmpuint (compared, >=, 40);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

static void
test_notify (void)
{
  g_autoptr(StrataLayer) dense = make_layer ("Dense", "{\"units\": 4}");
  guint n = 0;

  g_signal_connect (dense, "notify::units", G_CALLBACK (count_notify), &n);
  g_object_set (dense, "units", (gint64) 4, NULL);
  g_assert_cmpuint (n, ==, 0);
  g_object_set (dense, "units", (gint64) 5, NULL);
  g_assert_cmpuint (n, ==, 1);
}

/* from_config -> get_config gives the same JSON for every layer Keras wrote
 * in the real fixtures. */
static void
test_round_trip (void)
{
  g_autofree char *path = strata_test_src_path ("layers/real-shapes.json");
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *models;
  guint checked = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  root = strata_json_parse (contents, -1, NULL);
  models = json_object_get_array_member (json_node_get_object (root), "models");
  for (guint m = 0; m < json_array_get_length (models); m++)
    {
      JsonArray *layers = json_object_get_array_member (json_array_get_object_element (models, m), "layers");
      for (guint l = 0; l < json_array_get_length (layers); l++)
        {
          JsonObject *object = json_object_get_object_member (json_array_get_object_element (layers, l), "object");
          g_autoptr(GError) error = NULL;
          g_autoptr(StrataLayer) layer = NULL;
          g_autoptr(JsonObject) config = NULL;
          g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
          g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);

          layer = strata_registry_create_layer (strata_registry_get_default (), object,
                                                STRATA_LOAD_ALLOW_UNKNOWN, &error);
          g_assert_no_error (error);
          if (STRATA_IS_MODEL (layer))
            continue;
          config = strata_layer_get_config (layer);
          json_node_set_object (a, json_object_get_object_member (object, "config"));
          json_node_set_object (b, config);
          if (!strata_json_equal (a, b))
            {
              g_autofree char *want = strata_json_to_string (a, FALSE);
              g_autofree char *got = strata_json_to_string (b, FALSE);
              g_test_message ("%s:\n  read  %s\n  wrote %s", strata_layer_get_name (layer), want, got);
            }
          g_assert_true (strata_json_equal (a, b));
          checked++;
        }
    }
  g_test_message ("%u layer configs round-tripped", checked);
  g_assert_cmpuint (checked, >=, 1000);
}

static void
test_bad_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = make_layer_full ("{\"class_name\": \"Dense\", \"config\": "
                                                  "{\"name\": \"d\", \"units\": \"many\"}}", &error);

  g_assert_null (layer);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "units"));
  g_assert_nonnull (strstr (error->message, "“d”"));
  g_clear_error (&error);

  {
    g_autoptr(StrataLayer) r = make_layer ("Reshape", "{\"name\": \"r\", \"target_shape\": [5, -1]}");
    g_autoptr(StrataLayer) c = make_layer ("Concatenate", "{\"name\": \"cat\", \"axis\": -1}");
    g_autoptr(StrataLayer) add = make_layer ("Add", "{\"name\": \"add\"}");
    g_autoptr(StrataLayer) conv = make_layer ("Conv2D", "{\"name\": \"c\", \"filters\": 2, \"kernel_size\": 3}");

    assert_shape_error (r, "[[null, 12]]");
    assert_shape_error (c, "[[null, 3, 4], [null, 5, 4]]");
    assert_shape_error (add, "[[null, 3], [null, 4]]");
    assert_shape_error (conv, "[[null, 28, 28]]");
  }
}

/* A custom initializer (a class, a function as tf-keras writes it, or a
 * bare name as older Keras did) is kept as written; creating weights from
 * it fails naming it and the layer, unless unknown classes are allowed:
 * then the weight is zeros, with a warning. */
static void
test_unknown_initializer (void)
{
  static const char *const initializers[][2] = {
    { "{\"class_name\": \"MyInit\", \"config\": {}}", "MyInit" },
    { "{\"module\": \"builtins\", \"class_name\": \"function\", \"config\": \"ones_plus\"}", "ones_plus" },
    { "\"my_init_fn\"", "my_init_fn" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (initializers); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_bad\", "
                                               "\"units\": 2, \"kernel_initializer\": %s}}",
                                               initializers[i][0]);
      g_autoptr(JsonNode) node = strata_json_parse (json, -1, NULL);
      g_autoptr(GPtrArray) in = parse_shapes ("[[null, 3]]");
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataLayer) strict = NULL;
      g_autoptr(StrataLayer) lenient = NULL;
      g_autoptr(JsonObject) config = NULL;
      g_autofree char *pattern = NULL;
      g_autofree char *kept = NULL;
      g_autofree float *kernel = NULL;
      gsize n = 0;

      g_test_message ("%s", initializers[i][0]);
      strict = strata_registry_create_layer (strata_registry_get_default (), json_node_get_object (node),
                                             STRATA_LOAD_NONE, &error);
      g_assert_no_error (error);
      g_assert_false (strata_layer_build (strict, in, &error));
      g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
      g_assert_nonnull (strstr (error->message, initializers[i][1]));
      g_assert_nonnull (strstr (error->message, "dense_bad"));
      g_assert_cmpuint (strata_layer_get_n_weights (strict), ==, 0);
      g_clear_error (&error);

      lenient = make_layer_full (json, &error);
      g_assert_no_error (error);
      pattern = g_strdup_printf ("*dense_bad*kernel*%s*", initializers[i][1]);
      g_test_expect_message ("Strata", G_LOG_LEVEL_WARNING, pattern);
      g_assert_true (strata_layer_build (lenient, in, &error));
      g_test_assert_expected_messages ();
      g_assert_no_error (error);
      g_assert_cmpstr (strata_layer_get_unknown_initializer (lenient, "kernel"), ==, initializers[i][1]);
      g_assert_null (strata_layer_get_unknown_initializer (lenient, "bias"));
      kernel = strata_tensor_to_floats (strata_layer_get_weight (lenient, "kernel"), &n, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 6);
      for (gsize j = 0; j < n; j++)
        g_assert_cmpfloat (kernel[j], ==, 0.0f);

      /* kept as written */
      config = strata_layer_get_config (lenient);
      kept = strata_json_to_string (json_object_get_member (config, "kernel_initializer"), FALSE);
      g_assert_cmpstr (kept, ==, initializers[i][0]);
    }
}

/* ---- output shapes ------------------------------------------------------- */

static void
test_shapes_conv (void)
{
  check ("Conv2D", "{\"filters\": 32, \"kernel_size\": [3, 3], \"padding\": \"valid\"}",
         "[[null, 28, 28, 1]]", "(None, 26, 26, 32)", NULL);
  check ("Conv2D", "{\"filters\": 8, \"kernel_size\": 3, \"strides\": 2, \"padding\": \"same\"}",
         "[[null, 28, 27, 3]]", "(None, 14, 14, 8)", NULL);
  check ("Conv2D", "{\"filters\": 8, \"kernel_size\": 3, \"dilation_rate\": 2, \"data_format\": \"channels_first\"}",
         "[[null, 3, 20, 20]]", "(None, 8, 16, 16)", NULL);
  /* Keras 1: nb_filter, nb_row/nb_col, subsample, border_mode, dim_ordering */
  check ("Convolution2D", "{\"nb_filter\": 5, \"nb_row\": 3, \"nb_col\": 2, \"subsample\": [2, 2], "
         "\"border_mode\": \"valid\", \"dim_ordering\": \"th\"}",
         "[[null, 10, 9, 9]]", "(None, 5, 4, 4)", "kernel (3, 2, 10, 5); bias (5,)");
  check ("Convolution1D", "{\"nb_filter\": 6, \"filter_length\": 3, \"subsample_length\": 1, \"border_mode\": \"same\"}",
         "[[null, 10, 5]]", "(None, 10, 6)", "kernel (3, 5, 6); bias (6,)");
  check ("Conv1D", "{\"filters\": 4, \"kernel_size\": 3, \"padding\": \"causal\", \"dilation_rate\": 4}",
         "[[null, 16, 3]]", "(None, 16, 4)", "kernel (3, 3, 4); bias (4,)");
  check ("Conv1D", "{\"filters\": 4, \"kernel_size\": [3], \"dilation_rate\": [2]}",
         "[[null, null, 3]]", "(None, None, 4)", NULL);
  check ("Conv2D", "{\"filters\": 6, \"kernel_size\": 1, \"groups\": 3, \"use_bias\": false}",
         "[[null, 5, 5, 12]]", "(None, 5, 5, 6)", "kernel (1, 1, 4, 6)");
  check ("Conv2DTranspose", "{\"filters\": 4, \"kernel_size\": 3, \"strides\": 2, \"padding\": \"valid\"}",
         "[[null, 7, 7, 3]]", "(None, 15, 15, 4)", "kernel (3, 3, 4, 3); bias (4,)");
  check ("Conv2DTranspose", "{\"filters\": 4, \"kernel_size\": 3, \"strides\": 2, \"padding\": \"same\"}",
         "[[null, 7, 7, 3]]", "(None, 14, 14, 4)", NULL);
  check ("Conv2DTranspose", "{\"filters\": 4, \"kernel_size\": 3, \"strides\": 2, \"padding\": \"same\", \"output_padding\": 1}",
         "[[null, 7, 7, 3]]", "(None, 14, 14, 4)", NULL);
  check ("Conv3DTranspose", "{\"filters\": 2, \"kernel_size\": 2, \"strides\": 2}",
         "[[null, 4, 4, 4, 5]]", "(None, 8, 8, 8, 2)", "kernel (2, 2, 2, 2, 5); bias (2,)");
  check ("SeparableConv2D", "{\"filters\": 4, \"kernel_size\": 3, \"depth_multiplier\": 2, \"padding\": \"same\"}",
         "[[null, 8, 8, 3]]", "(None, 8, 8, 4)",
         "depthwise_kernel (3, 3, 3, 2); pointwise_kernel (1, 1, 6, 4); bias (4,)");
  check ("SeparableConv1D", "{\"filters\": 4, \"kernel_size\": 3}",
         "[[null, 8, 3]]", "(None, 6, 4)", "depthwise_kernel (3, 3, 1); pointwise_kernel (1, 3, 4); bias (4,)");
  check ("DepthwiseConv2D", "{\"kernel_size\": 3, \"depth_multiplier\": 2, \"strides\": 2}",
         "[[null, 9, 9, 3]]", "(None, 4, 4, 6)", "depthwise_kernel (3, 3, 3, 2); bias (6,)");
  check ("LocallyConnected2D", "{\"filters\": 4, \"kernel_size\": 3, \"implementation\": 1}",
         "[[null, 10, 10, 3]]", "(None, 8, 8, 4)", "kernel (64, 27, 4); bias (8, 8, 4)");
  check ("LocallyConnected1D", "{\"filters\": 2, \"kernel_size\": 2, \"strides\": 2}",
         "[[null, 6, 3]]", "(None, 3, 2)", "kernel (3, 6, 2); bias (3, 2)");
}

static void
test_shapes_pooling (void)
{
  check ("MaxPooling2D", "{\"pool_size\": [2, 2], \"strides\": null, \"padding\": \"valid\"}",
         "[[null, 28, 28, 8]]", "(None, 14, 14, 8)", "");
  check ("MaxPooling2D", "{\"pool_size\": [2, 2], \"padding\": \"same\"}",
         "[[null, 5, 5, 8]]", "(None, 3, 3, 8)", NULL);
  check ("AveragePooling2D", "{\"pool_size\": 3, \"strides\": 1, \"data_format\": \"channels_first\"}",
         "[[null, 8, 5, 6]]", "(None, 8, 3, 4)", NULL);
  /* Keras 1: pool_length / stride */
  check ("MaxPooling1D", "{\"pool_length\": 2, \"stride\": null, \"border_mode\": \"valid\"}",
         "[[null, 9, 4]]", "(None, 4, 4)", NULL);
  check ("MaxPooling3D", "{\"pool_size\": [2, 2, 2]}",
         "[[null, 6, 6, 6, 1]]", "(None, 3, 3, 3, 1)", NULL);
  check ("GlobalAveragePooling2D", "{}", "[[null, 7, 7, 32]]", "(None, 32)", NULL);
  check ("GlobalMaxPooling2D", "{\"data_format\": \"channels_first\", \"keepdims\": true}",
         "[[null, 32, 7, 7]]", "(None, 32, 1, 1)", NULL);
  check ("GlobalMaxPooling1D", "{\"keepdims\": true}", "[[null, 7, 5]]", "(None, 1, 5)", NULL);
  check ("GlobalAveragePooling3D", "{}", "[[null, 3, 3, 3, 2]]", "(None, 2)", NULL);
}

static void
test_shapes_reshaping (void)
{
  check ("Flatten", "{}", "[[null, 4, 5, 6]]", "(None, 120)", "");
  check ("Flatten", "{}", "[[null, null, 5]]", "(None, None)", NULL);
  check ("Reshape", "{\"target_shape\": [3, -1]}", "[[null, 12]]", "(None, 3, 4)", NULL);
  check ("Reshape", "{\"target_shape\": [2, 6]}", "[[null, 3, 4]]", "(None, 2, 6)", NULL);
  check ("Reshape", "{\"target_shape\": [-1, 2]}", "[[null, null, 4]]", "(None, None, 2)", NULL);
  check ("Permute", "{\"dims\": [2, 1]}", "[[null, 3, 4]]", "(None, 4, 3)", NULL);
  check ("Permute", "{\"dims\": [3, 1, 2]}", "[[null, 3, 4, 5]]", "(None, 5, 3, 4)", NULL);
  check ("RepeatVector", "{\"n\": 7}", "[[null, 3]]", "(None, 7, 3)", NULL);
  check ("ZeroPadding2D", "{\"padding\": [[1, 2], [3, 4]]}", "[[null, 5, 5, 1]]", "(None, 8, 12, 1)", NULL);
  check ("ZeroPadding2D", "{\"padding\": [1, 2], \"data_format\": \"channels_first\"}",
         "[[null, 1, 5, 5]]", "(None, 1, 7, 9)", NULL);
  /* Keras 1 four-number padding (top, bottom, left, right) */
  check ("ZeroPadding2D", "{\"padding\": [1, 0, 2, 0], \"dim_ordering\": \"tf\"}",
         "[[null, 5, 5, 1]]", "(None, 6, 7, 1)", NULL);
  check ("ZeroPadding1D", "{\"padding\": 2}", "[[null, 5, 3]]", "(None, 9, 3)", NULL);
  check ("ZeroPadding3D", "{}", "[[null, 2, 2, 2, 1]]", "(None, 4, 4, 4, 1)", NULL);
  check ("Cropping2D", "{\"cropping\": [[1, 1], [2, 0]]}", "[[null, 10, 10, 3]]", "(None, 8, 8, 3)", NULL);
  check ("Cropping1D", "{\"cropping\": [1, 2]}", "[[null, 10, 3]]", "(None, 7, 3)", NULL);
  check ("Cropping3D", "{}", "[[null, 4, 4, 4, 1]]", "(None, 2, 2, 2, 1)", NULL);
  check ("UpSampling2D", "{\"size\": [2, 3]}", "[[null, 4, 5, 1]]", "(None, 8, 15, 1)", NULL);
  check ("UpSampling1D", "{\"size\": 3}", "[[null, 4, 2]]", "(None, 12, 2)", NULL);
  check ("UpSampling3D", "{\"data_format\": \"channels_first\"}", "[[null, 1, 2, 3, 4]]",
         "(None, 1, 4, 6, 8)", NULL);
  check ("Dense", "{\"units\": 7}", "[[null, 5, 3]]", "(None, 5, 7)", "kernel (3, 7); bias (7,)");
  check ("Embedding", "{\"input_dim\": 100, \"output_dim\": 8, \"input_length\": 10}",
         "[[null, 10]]", "(None, 10, 8)", "embeddings (100, 8)");
  check ("Dropout", "{\"rate\": 0.5}", "[[null, 3]]", "(None, 3)", "");
  check ("Dropout", "{\"p\": 0.5}", "[[null, 3]]", "(None, 3)", NULL);
  check ("LeakyReLU", "{\"alpha\": 0.1}", "[[null, 3, 2]]", "(None, 3, 2)", "");
  check ("Resizing", "{\"height\": 64, \"width\": 32}", "[[null, 28, 28, 3]]", "(None, 64, 32, 3)", "");
  check ("CenterCrop", "{\"height\": 20, \"width\": 10, \"data_format\": \"channels_first\"}",
         "[[null, 3, 28, 28]]", "(None, 3, 20, 10)", NULL);
  check ("RandomFlip", "{\"mode\": \"horizontal\", \"seed\": null}", "[[null, 28, 28, 3]]", "(None, 28, 28, 3)", "");
}

static void
test_shapes_merge (void)
{
  check ("Add", "{}", "[[null, 4, 5], [null, 1, 5]]", "(None, 4, 5)", "");
  check ("Multiply", "{}", "[[null, 4, 5], [null, 5]]", "(None, 4, 5)", NULL);
  check ("Maximum", "{}", "[[null, 3], [null, 3], [null, 3]]", "(None, 3)", NULL);
  check ("Subtract", "{}", "[[null, 3], [null, 3]]", "(None, 3)", NULL);
  check ("Concatenate", "{\"axis\": -1}", "[[null, 3, 4], [null, 3, 5]]", "(None, 3, 9)", NULL);
  check ("Concatenate", "{\"axis\": 1}", "[[null, 3, 4], [null, null, 4]]", "(None, None, 4)", NULL);
  check ("Dot", "{\"axes\": [1, 1]}", "[[null, 3, 4], [null, 3, 5]]", "(None, 4, 5)", NULL);
  check ("Dot", "{\"axes\": -1, \"normalize\": true}", "[[null, 5], [null, 5]]", "(None, 1)", NULL);
  /* Keras 1 Merge */
  check ("Merge", "{\"mode\": \"concat\", \"concat_axis\": -1, \"mode_type\": \"raw\"}",
         "[[null, 3], [null, 4]]", "(None, 7)", NULL);
  check ("Merge", "{\"mode\": \"sum\"}", "[[null, 3], [null, 3]]", "(None, 3)", NULL);
  check ("Merge", "{\"mode\": [\"marshalled code\", null, null], \"mode_type\": \"lambda\"}",
         "[[null, 3], [null, 3]]", "?", NULL);
  /* EinsumDense, the examples of the Keras documentation */
  check ("EinsumDense", "{\"equation\": \"ab,bc->ac\", \"output_shape\": 64, \"bias_axes\": \"c\"}",
         "[[null, 32]]", "(None, 64)", "kernel (32, 64); bias (64,)");
  check ("EinsumDense", "{\"equation\": \"abc,cd->abd\", \"output_shape\": [null, 64], \"bias_axes\": \"d\"}",
         "[[null, 32, 128]]", "(None, 32, 64)", "kernel (128, 64); bias (64,)");
  check ("EinsumDense", "{\"equation\": \"...b,bc->...c\", \"output_shape\": 64, \"bias_axes\": \"c\"}",
         "[[null, 32, 128]]", "(None, 32, 64)", "kernel (128, 64); bias (64,)");
  /* MultiHeadAttention's query projection: bias over the last two axes */
  check ("EinsumDense", "{\"equation\": \"abc,cde->abde\", \"output_shape\": [null, 2, 3], \"bias_axes\": \"de\"}",
         "[[null, 4, 8]]", "(None, 4, 2, 3)", "kernel (8, 2, 3); bias (2, 3)");
  check ("EinsumDense", "{\"equation\": \"abc,cd->abd\", \"output_shape\": [null, 64], \"bias_axes\": \"b\"}",
         "[[null, 32, 128]]", "(None, 32, 64)", "kernel (128, 64); bias (32, 1)");
  check ("Attention", "{\"use_scale\": true}", "[[null, 4, 8], [null, 6, 16]]", "(None, 4, 16)", "scale ()");
  check ("AdditiveAttention", "{}", "[[null, 4, 8], [null, 6, 8]]", "(None, 4, 8)", "scale (8,)");
  check ("MultiHeadAttention", "{\"num_heads\": 2, \"key_dim\": 3}",
         "[[null, 4, 8], [null, 6, 5]]", "(None, 4, 8)",
         "query/kernel (8, 2, 3); query/bias (2, 3); key/kernel (5, 2, 3); key/bias (2, 3); "
         "value/kernel (5, 2, 3); value/bias (2, 3); attention_output/kernel (2, 3, 8); attention_output/bias (8,)");
  check ("MultiHeadAttention", "{\"num_heads\": 4, \"key_dim\": 2, \"value_dim\": 3, \"output_shape\": 10, \"use_bias\": false}",
         "[[null, 4, 8], [null, 6, 5], [null, 6, 7]]", "(None, 4, 10)",
         "query/kernel (8, 4, 2); key/kernel (7, 4, 2); value/kernel (5, 4, 3); attention_output/kernel (4, 3, 10)");
}

static void
test_recurrent (void)
{
  check ("LSTM", "{\"units\": 8, \"return_sequences\": true, \"return_state\": true}",
         "[[null, 5, 3]]", "(None, 5, 8) (None, 8) (None, 8)",
         "kernel (3, 32); recurrent_kernel (8, 32); bias (32,)");
  check ("GRU", "{\"units\": 4, \"reset_after\": true}", "[[null, 5, 3]]", "(None, 4)",
         "kernel (3, 12); recurrent_kernel (4, 12); bias (2, 12)");
  check ("GRU", "{\"units\": 4}", "[[null, 5, 3]]", "(None, 4)",
         "kernel (3, 12); recurrent_kernel (4, 12); bias (12,)");
  check ("SimpleRNN", "{\"units\": 6, \"return_state\": true}", "[[null, 5, 3]]", "(None, 6) (None, 6)",
         "kernel (3, 6); recurrent_kernel (6, 6); bias (6,)");
  check ("CuDNNLSTM", "{\"units\": 2}", "[[null, 5, 3]]", "(None, 2)",
         "kernel (3, 8); recurrent_kernel (2, 8); bias (16,)");
  check ("CuDNNGRU", "{\"units\": 2}", "[[null, 5, 3]]", "(None, 2)",
         "kernel (3, 6); recurrent_kernel (2, 6); bias (12,)");
  /* Keras 1 LSTM: output_dim, per-gate weights in the file, fused here */
  check ("LSTM", "{\"output_dim\": 50, \"init\": \"glorot_uniform\", \"inner_init\": \"orthogonal\", "
         "\"forget_bias_init\": \"one\", \"inner_activation\": \"hard_sigmoid\", \"input_dim\": 1}",
         "[[null, 1, 1]]", "(None, 50)", "kernel (1, 200); recurrent_kernel (50, 200); bias (200,)");
  /* RNN(cell), one cell and stacked cells (the states of each cell) */
  check ("RNN", "{\"cell\": {\"class_name\": \"LSTMCell\", \"config\": {\"name\": \"lstm_cell\", \"units\": 4}}, "
         "\"return_sequences\": true}", "[[null, 5, 3]]", "(None, 5, 4)",
         "kernel (3, 16); recurrent_kernel (4, 16); bias (16,)");
  check ("RNN", "{\"cell\": {\"class_name\": \"StackedRNNCells\", \"config\": {\"cells\": ["
         "{\"class_name\": \"GRUCell\", \"config\": {\"units\": 4, \"reset_after\": true}}, "
         "{\"class_name\": \"SimpleRNNCell\", \"config\": {\"units\": 2}}]}}, \"return_state\": true}",
         "[[null, 5, 3]]", "(None, 2) (None, 4) (None, 2)",
         "kernel (3, 12); recurrent_kernel (4, 12); bias (2, 12); kernel (4, 2); recurrent_kernel (2, 2); bias (2,)");
  check ("ConvLSTM2D", "{\"filters\": 4, \"kernel_size\": [3, 3], \"padding\": \"same\", \"return_sequences\": true}",
         "[[null, 5, 8, 8, 3]]", "(None, 5, 8, 8, 4)",
         "kernel (3, 3, 3, 16); recurrent_kernel (3, 3, 4, 16); bias (16,)");
  check ("ConvLSTM2D", "{\"filters\": 4, \"kernel_size\": 3, \"data_format\": \"channels_first\"}",
         "[[null, 5, 3, 8, 8]]", "(None, 4, 6, 6)", NULL);

  {
    /* unit_forget_bias: the forget gate's bias block starts at one. */
    g_autoptr(StrataLayer) lstm = make_layer ("LSTM", "{\"units\": 3}");
    g_autoptr(GPtrArray) in = parse_shapes ("[[null, 2, 2]]");
    g_autoptr(GError) error = NULL;
    g_autofree float *bias = NULL;
    gsize n;

    g_assert_true (strata_layer_build (lstm, in, &error));
    bias = strata_tensor_to_floats (strata_layer_get_weight (lstm, "bias"), &n, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 12);
    for (gsize i = 0; i < n; i++)
      g_assert_cmpfloat (bias[i], ==, i >= 3 && i < 6 ? 1.0f : 0.0f);
  }
}

static void
test_wrappers (void)
{
  const char *lstm = "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 4, \"return_sequences\": true}}";
  g_autofree char *concat = g_strdup_printf ("{\"name\": \"bidirectional\", \"layer\": %s, \"merge_mode\": \"concat\"}", lstm);
  g_autofree char *sum = g_strdup_printf ("{\"layer\": %s, \"merge_mode\": \"sum\"}", lstm);
  g_autofree char *none = g_strdup_printf ("{\"layer\": %s, \"merge_mode\": null}", lstm);
  const char *dense = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 6}}";
  g_autofree char *td = g_strdup_printf ("{\"layer\": %s}", dense);
  g_autofree char *td_conv = g_strdup_printf ("{\"layer\": %s}",
    "{\"class_name\": \"Conv2D\", \"config\": {\"filters\": 2, \"kernel_size\": 3}}");

  check ("Bidirectional", concat, "[[null, 5, 3]]", "(None, 5, 8)",
         "forward_lstm/kernel (3, 16); forward_lstm/recurrent_kernel (4, 16); forward_lstm/bias (16,); "
         "backward_lstm/kernel (3, 16); backward_lstm/recurrent_kernel (4, 16); backward_lstm/bias (16,)");
  check ("Bidirectional", sum, "[[null, 5, 3]]", "(None, 5, 4)", NULL);
  check ("Bidirectional", none, "[[null, 5, 3]]", "(None, 5, 4) (None, 5, 4)", NULL);
  check ("TimeDistributed", td, "[[null, 5, 3]]", "(None, 5, 6)", "kernel (3, 6); bias (6,)");
  check ("TimeDistributed", td_conv, "[[null, 4, 8, 8, 1]]", "(None, 4, 6, 6, 2)", "kernel (3, 3, 1, 2); bias (2,)");
  /* Keras 1 TimeDistributedDense */
  check ("TimeDistributedDense", "{\"output_dim\": 6, \"input_dim\": 3}", "[[null, 5, 3]]",
         "(None, 5, 6)", "kernel (3, 6); bias (6,)");

  {
    /* Replacing the wrapped layer's config replaces the wrapped layer. */
    g_autoptr(StrataLayer) wrapper = make_layer ("TimeDistributed", td);
    g_autoptr(JsonNode) conv = strata_json_parse (
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 9}}", -1, NULL);

    assert_outputs (wrapper, "[[null, 5, 3]]", "(None, 5, 6)");
    g_object_set (wrapper, "layer", conv, NULL);
    assert_outputs (wrapper, "[[null, 5, 3]]", "(None, 5, 9)");
  }
  {
    /* The backward layer runs backwards; the wrapped config is untouched. */
    g_autoptr(StrataLayer) bidi = make_layer ("Bidirectional", concat);
    g_autoptr(JsonObject) config = strata_layer_get_config (bidi);
    JsonObject *inner = json_object_get_object_member (json_object_get_object_member (config, "layer"), "config");

    g_assert_cmpstr (json_object_get_string_member (inner, "name"), ==, "lstm");
    g_assert_false (json_object_has_member (inner, "go_backwards"));
  }
}

static void
test_normalization (void)
{
  check ("BatchNormalization", "{\"axis\": -1, \"momentum\": 0.99, \"epsilon\": 0.001, \"center\": true, \"scale\": true}",
         "[[null, 5, 5, 8]]", "(None, 5, 5, 8)",
         "gamma (8,); beta (8,); moving_mean (8,) nt; moving_variance (8,) nt");
  check ("BatchNormalization", "{\"axis\": 1, \"scale\": false}", "[[null, 3, 5, 5]]", NULL,
         "beta (3,); moving_mean (3,) nt; moving_variance (3,) nt");
  check ("BatchNormalization", "{\"axis\": [3], \"center\": false, \"scale\": false}", "[[null, 3, 5, 5]]", NULL,
         "moving_mean (5,) nt; moving_variance (5,) nt");
  /* tf.keras statistics over several axes broadcast with ones */
  check ("BatchNormalization", "{\"axis\": [1, 3]}", "[[null, 3, 5, 7]]", NULL,
         "gamma (1, 3, 1, 7); beta (1, 3, 1, 7); moving_mean (1, 3, 1, 7) nt; moving_variance (1, 3, 1, 7) nt");
  /* Keras 1: mode, gamma/beta always present */
  check ("BatchNormalization", "{\"axis\": -1, \"epsilon\": 0.001, \"mode\": 0, \"momentum\": 0.99}",
         "[[null, 10]]", NULL, "gamma (10,); beta (10,); moving_mean (10,) nt; moving_variance (10,) nt");
  check ("LayerNormalization", "{\"axis\": [-1]}", "[[null, 4, 6]]", "(None, 4, 6)", "gamma (6,); beta (6,)");
  check ("LayerNormalization", "{\"axis\": [1, 2], \"center\": false}", "[[null, 4, 6]]", NULL, "gamma (4, 6)");
  check ("LayerNormalization", "{\"axis\": -1, \"scale\": false, \"rms_scaling\": true}", "[[null, 4, 6]]", NULL,
         "gamma (6,)");
  check ("GroupNormalization", "{\"groups\": 2}", "[[null, 4, 6]]", NULL, "gamma (6,); beta (6,)");
  check ("UnitNormalization", "{}", "[[null, 6]]", "(None, 6)", "");
  check ("Normalization", "{\"axis\": -1}", "[[null, 6]]", "(None, 6)",
         "mean (6,) nt; variance (6,) nt; count () nt");
  check ("PReLU", "{\"shared_axes\": [1, 2]}", "[[null, null, null, 10]]", NULL, "alpha (1, 1, 10)");
  check ("PReLU", "{}", "[[null, 4, 5]]", NULL, "alpha (4, 5)");
  check ("MaxoutDense", "{\"output_dim\": 4, \"nb_feature\": 3}", "[[null, 5]]", "(None, 4)",
         "W (3, 5, 4); b (3, 4)");
  check ("Highway", "{}", "[[null, 5]]", "(None, 5)", "W (5, 5); W_carry (5, 5); b (5,); b_carry (5,)");

  {
    /* Keras 3 Normalization has no count. */
    g_autoptr(GError) error = NULL;
    g_autoptr(StrataLayer) norm = make_layer_full (
      "{\"module\": \"keras.layers\", \"class_name\": \"Normalization\", "
      "\"config\": {\"name\": \"normalization\", \"axis\": -1}, \"registered_name\": null}", &error);

    g_assert_no_error (error);
    assert_weights (norm, "[[null, 3]]", "mean (3,) nt; variance (3,) nt");
  }
  {
    /* A frozen layer's weights are all non-trainable (Keras order kept). */
    g_autoptr(StrataLayer) frozen = make_layer ("Dense", "{\"units\": 2, \"trainable\": false}");
    g_autoptr(GPtrArray) in = parse_shapes ("[[null, 3]]");
    g_autoptr(GPtrArray) trainable = NULL;

    g_assert_true (strata_layer_build (frozen, in, NULL));
    trainable = strata_layer_get_trainable_weights (frozen);
    g_assert_cmpuint (trainable->len, ==, 0);
  }
}

static void
test_dtypes_and_flags (void)
{
  g_autoptr(GPtrArray) in = parse_shapes ("[[null, 3, 2]]");
  g_autoptr(StrataLayer) f64 = make_layer ("Dense", "{\"units\": 2, \"dtype\": \"float64\"}");
  g_autoptr(StrataLayer) mixed = make_layer ("LSTM",
    "{\"units\": 2, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", "
    "\"config\": {\"name\": \"mixed_float16\"}, \"registered_name\": null}}");
  g_autoptr(JsonNode) entry = strata_json_parse (
    "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"b\", \"layer\": "
    "{\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 3}}}}", -1, NULL);
  g_autoptr(StrataLayer) meta = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (strata_layer_build (f64, in, &error));
  g_assert_cmpint (strata_tensor_get_dtype (strata_layer_get_weight (f64, "kernel")), ==, STRATA_DTYPE_FLOAT64);
  g_assert_cmpint (strata_tensor_get_dtype (strata_layer_get_weight (f64, "bias")), ==, STRATA_DTYPE_FLOAT64);
  g_assert_true (strata_layer_build (mixed, in, &error));
  g_assert_cmpint (strata_tensor_get_dtype (strata_layer_get_weight (mixed, "bias")), ==, STRATA_DTYPE_FLOAT32);

  /* A metadata-only load creates no weight data, wrapped layers included. */
  meta = strata_registry_create_layer (strata_registry_get_default (), json_node_get_object (entry),
                                       STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (strata_layer_build (meta, in, &error));
  g_assert_cmpuint (strata_layer_get_n_weights (meta), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_false (strata_tensor_has_data (strata_layer_get_weight_at (meta, i)));
  g_assert_cmpstr (strata_layer_get_weight_short_name (meta, 3), ==, "backward_gru/kernel");
}

/* Every built-in class, with empty, wrongly typed and hostile configs and
 * inputs of every rank (unknown sizes included): each call either works or
 * fails with a GError; none crashes, warns or leaks. */
static void
test_robustness (void)
{
  static const char *const configs[] = {
    "{}",
    "{\"units\": 3, \"filters\": 2, \"kernel_size\": 2, \"n\": 2, \"target_shape\": [-1], "
    "\"dims\": [1], \"input_dim\": 4, \"output_dim\": 2, \"num_heads\": 2, \"key_dim\": 2, "
    "\"layer\": {\"class_name\": \"Dense\", \"config\": {\"units\": 2}}, "
    "\"cell\": {\"class_name\": \"GRUCell\", \"config\": {\"units\": 2}}}",
    "{\"units\": -1, \"filters\": 0, \"kernel_size\": [0, -2], \"strides\": 0, \"pool_size\": -1, "
    "\"padding\": [[-1, 2]], \"cropping\": 99, \"size\": 0, \"axis\": 77, \"groups\": 0, "
    "\"depth_multiplier\": -3, \"target_shape\": [-1, -1], \"dims\": [9, 9], \"n\": -5, "
    "\"layer\": 5, \"cell\": [], \"shared_axes\": [0, 40], \"num_heads\": 0, \"key_dim\": -1}",
    "{\"units\": 1e300, \"kernel_size\": \"big\", \"padding\": \"sideways\", \"data_format\": \"diagonal\", "
    "\"layer\": {\"class_name\": \"NoSuchLayer\", \"config\": {}}, \"axis\": [1, 1], \"merge_mode\": \"xor\", "
    "\"implementation\": 3, \"mode\": \"teleport\", \"output_shape\": [1, 2, 3]}",
    /* sizes that overflow any arithmetic or allocation */
    "{\"units\": 9223372036854775807, \"filters\": 9223372036854775807, "
    "\"kernel_size\": 4611686018427387904, \"strides\": 9223372036854775807, "
    "\"dilation_rate\": 4611686018427387904, \"size\": 4611686018427387904, "
    "\"padding\": 9223372036854775807, \"n\": 9223372036854775807, "
    "\"input_dim\": 9223372036854775807, \"output_dim\": 9223372036854775807, "
    "\"depth_multiplier\": 9223372036854775807, \"num_heads\": 9223372036854775807, "
    "\"key_dim\": 9223372036854775807, \"target_shape\": [9223372036854775807, 9223372036854775807], "
    "\"output_padding\": 9223372036854775807, \"groups\": 1}",
  };
  static const char *const inputs[] = {
    "[]", "[[null]]", "[[null, 4]]", "[[null, 6, 5]]", "[[null, null, null]]", "[[null, 6, 6, 3]]",
    "[[null, 4, 6, 6, 2]]", "[[null, 3], [null, 3]]", "[[null, 4, 8], [null, 6, 8], [null, 6, 8]]",
    "[[2, 0, 5]]", "[[null, 1099511627776, 3]]",
  };
  g_auto(GStrv) names = strata_registry_list_names (strata_registry_get_default ());
  guint tried = 0;

  for (guint n = 0; names[n] != NULL; n++)
    {
      GType type = strata_registry_lookup (strata_registry_get_default (), names[n]);

      if (strchr (names[n], '>') != NULL || !g_type_is_a (type, STRATA_TYPE_LAYER) ||
          g_type_is_a (type, STRATA_TYPE_MODEL))
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
        for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
          {
            g_autofree char *json = g_strdup_printf ("{\"class_name\": \"%s\", \"config\": %s}",
                                                     names[n], configs[c]);
            g_autoptr(GError) error = NULL;
            g_autoptr(StrataLayer) layer = make_layer_full (json, &error);
            g_autoptr(GPtrArray) in = NULL;
            g_autoptr(GPtrArray) out = NULL;

            if (layer == NULL)
              {
                g_assert_nonnull (error);
                continue;
              }
            in = parse_shapes (inputs[i]);
            out = strata_layer_compute_output_shapes (layer, in, &error);
            g_assert_true ((out == NULL) == (error != NULL));
            g_clear_error (&error);
            if (in->len > 0)
              {
                gboolean built = strata_layer_build (layer, in, &error);
                g_assert_true (built == (error == NULL));
                if (!built)
                  g_assert_cmpuint (strata_layer_get_n_weights (layer), ==, 0);
              }
            tried++;
          }
    }
  g_test_message ("%u class/config/input combinations tried", tried);
  g_assert_cmpuint (tried, >, 2000);
}

/* Every property of every built-in class reads its Keras default from an
 * empty config and writes back what it read without changing the config's
 * meaning (get -> set -> get gives the same value). */
static void
test_all_properties (void)
{
  g_auto(GStrv) names = strata_registry_list_names (strata_registry_get_default ());
  guint checked = 0;

  for (guint n = 0; names[n] != NULL; n++)
    {
      GType type = strata_registry_lookup (strata_registry_get_default (), names[n]);
      g_autoptr(StrataLayer) layer = NULL;
      g_autofree GParamSpec **pspecs = NULL;
      guint n_pspecs;

      if (strchr (names[n], '>') != NULL || !g_type_is_a (type, STRATA_TYPE_LAYER) ||
          g_type_is_a (type, STRATA_TYPE_MODEL))
        continue;
      layer = make_layer (names[n], "{}");
      pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (layer), &n_pspecs);
      for (guint p = 0; p < n_pspecs; p++)
        {
          g_auto(GValue) before = G_VALUE_INIT;
          g_auto(GValue) after = G_VALUE_INIT;

          if (pspecs[p]->owner_type != type || !(pspecs[p]->flags & G_PARAM_WRITABLE))
            continue;
          g_value_init (&before, pspecs[p]->value_type);
          g_value_init (&after, pspecs[p]->value_type);
          g_object_get_property (G_OBJECT (layer), pspecs[p]->name, &before);
          g_object_set_property (G_OBJECT (layer), pspecs[p]->name, &before);
          g_object_get_property (G_OBJECT (layer), pspecs[p]->name, &after);
          if (G_VALUE_HOLDS (&before, JSON_TYPE_NODE))
            {
              JsonNode *a = g_value_get_boxed (&before), *b = g_value_get_boxed (&after);
              g_assert_true ((a == NULL && (b == NULL || JSON_NODE_HOLDS_NULL (b))) ||
                             (a != NULL && b != NULL && strata_json_equal (a, b)));
            }
          else
            g_assert_cmpint (g_param_values_cmp (pspecs[p], &before, &after), ==, 0);
          checked++;
        }
    }
  g_test_message ("%u properties checked", checked);
  g_assert_cmpuint (checked, >, 500);

  {
    /* Defaults are Keras': an LSTM without keys has unit_forget_bias and an
     * orthogonal recurrent initializer. */
    g_autoptr(StrataLayer) lstm = make_layer ("LSTM", "{}");
    gboolean unit_forget_bias = FALSE;
    g_autoptr(JsonNode) init = NULL;

    g_object_get (lstm, "unit-forget-bias", &unit_forget_bias, "recurrent-initializer", &init, NULL);
    g_assert_true (unit_forget_bias);
    g_assert_cmpstr (json_node_get_string (init), ==, "orthogonal");
  }
}

/* Wrappers inside wrappers stop at the model nesting limit. */
static void
test_nesting (void)
{
  GString *json = g_string_new (NULL);
  g_autoptr(StrataLayer) layer = NULL;
  g_autoptr(GPtrArray) in = NULL;
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint depth = 100, i;

  for (i = 0; i < depth; i++)
    g_string_append (json, "{\"class_name\": \"TimeDistributed\", \"config\": {\"layer\": ");
  g_string_append (json, "{\"class_name\": \"Dense\", \"config\": {\"units\": 2}}");
  for (i = 0; i < depth; i++)
    g_string_append (json, "}}");
  text = g_string_free (json, FALSE);
  layer = make_layer_full (text, &error);
  g_assert_no_error (error);
  in = parse_shapes ("[[null, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3]]");
  out = strata_layer_compute_output_shapes (layer, in, &error);
  g_assert_null (out);
  g_assert_nonnull (error);
  /* each TimeDistributed takes an axis: the input runs out of axes first */
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&out, g_ptr_array_unref);
  g_clear_pointer (&in, g_ptr_array_unref);
  g_clear_object (&layer);

  /* Bidirectional in Bidirectional doubles the layers at each level: 2^31
   * LSTMs must not be created. */
  json = g_string_new (NULL);
  for (i = 0; i < 30; i++)
    g_string_append (json, "{\"class_name\": \"Bidirectional\", \"config\": {\"layer\": ");
  g_string_append (json, "{\"class_name\": \"LSTM\", \"config\": {\"units\": 2, \"return_sequences\": true}}");
  for (i = 0; i < 30; i++)
    g_string_append (json, ", \"merge_mode\": \"sum\"}}");
  g_free (text);
  text = g_string_free (json, FALSE);
  layer = make_layer_full (text, &error);
  g_assert_no_error (error);
  in = parse_shapes ("[[null, 5, 2]]");
  out = strata_layer_compute_output_shapes (layer, in, &error);
  g_assert_null (out);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT);
  g_clear_error (&error);
  g_assert_false (strata_layer_build (layer, in, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT);
}

/* ---- InputLayer and opaque layers ----------------------------------------- */

static void
test_input_layer (void)
{
  g_autoptr(StrataLayer) k1 = make_layer ("InputLayer",
    "{\"batch_input_shape\": [null, 784], \"input_dtype\": \"float32\", \"sparse\": false, \"name\": \"input_1\"}");
  g_autoptr(StrataLayer) k3 = make_layer ("InputLayer",
    "{\"batch_shape\": [null, 28, 28, 1], \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"input_layer\"}");
  g_autoptr(StrataShape) shape = NULL;
  g_autoptr(StrataInputLayer) made = NULL;
  g_autoptr(JsonObject) config = NULL;
  gint64 dims[3] = { STRATA_DIM_UNKNOWN, 5, 2 };

  g_assert_true (STRATA_IS_INPUT_LAYER (k1));
  {
    /* Keras 1 "input_dtype" is the layer's dtype and stays the key. */
    g_autoptr(StrataLayer) ints = make_layer ("InputLayer",
      "{\"batch_input_shape\": [null, 10], \"input_dtype\": \"int32\", \"sparse\": false, \"name\": \"words\"}");
    g_autoptr(JsonObject) written = strata_layer_get_config (ints);

    g_assert_cmpstr (strata_layer_get_dtype (ints), ==, "int32");
    g_assert_cmpstr (json_object_get_string_member (written, "input_dtype"), ==, "int32");
    g_assert_false (json_object_has_member (written, "dtype"));
  }
  g_assert_cmpint (strata_shape_get_dim (strata_input_layer_get_batch_shape (STRATA_INPUT_LAYER (k1)), 1), ==, 784);
  assert_outputs (k1, "[]", "(None, 784)");
  assert_outputs (k3, "[]", "(None, 28, 28, 1)");
  assert_weights (k3, "[]", "");

  shape = strata_shape_new (3, dims);
  made = strata_input_layer_new (shape, "int32", "tokens");
  config = strata_layer_get_config (STRATA_LAYER (made));
  g_assert_cmpstr (json_object_get_string_member (config, "name"), ==, "tokens");
  g_assert_cmpstr (json_object_get_string_member (config, "dtype"), ==, "int32");
  g_assert_false (json_object_get_boolean_member (config, "sparse"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "batch_input_shape")), ==, 3);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (json_object_get_array_member (config, "batch_input_shape"), 0)));
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (config, "batch_input_shape"), 1), ==, 5);
  g_assert_false (json_object_has_member (config, "batch_shape"));

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(StrataLayer) bad = make_layer_full ("{\"class_name\": \"InputLayer\", \"config\": "
                                                  "{\"batch_input_shape\": [null, -3], \"name\": \"bad\"}}", &error);
    g_assert_null (bad);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  }
}

static void
test_opaque (void)
{
  const char *lambda =
    "{\"class_name\": \"Lambda\", \"config\": {\"name\": \"lambda_1\", \"trainable\": true, "
    "\"function\": [\"4wEAAAAAAAAAAQAAAAQAAABDAAAAcw4AAAB0AHwAZAGDAlMAKQJO\", null, null], "
    "\"function_type\": \"lambda\", \"output_shape\": null, \"arguments\": {}}}";
  const char *custom =
    "{\"module\": \"my_package\", \"class_name\": \"MyLayer\", \"registered_name\": \"Custom>MyLayer\", "
    "\"config\": {\"name\": \"mine\", \"dtype\": {\"weird\": true}, \"knob\": [1, {\"a\": null}]}, "
    "\"build_config\": {\"input_shape\": [null, 3]}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) l = make_layer_full (lambda, &error);
  g_autoptr(StrataLayer) c = make_layer_full (custom, &error);
  g_autoptr(JsonNode) lambda_node = strata_json_parse (lambda, -1, NULL);
  g_autoptr(JsonNode) custom_node = strata_json_parse (custom, -1, NULL);
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) object = json_node_new (JSON_NODE_OBJECT);

  g_assert_no_error (error);
  g_assert_true (STRATA_IS_OPAQUE_LAYER (l));
  g_assert_true (STRATA_IS_OPAQUE_LAYER (c));
  g_assert_true (strata_opaque_layer_holds_code (STRATA_OPAQUE_LAYER (l)));
  g_assert_false (strata_opaque_layer_holds_code (STRATA_OPAQUE_LAYER (c)));
  g_assert_cmpstr (strata_layer_get_name (l), ==, "lambda_1");
  g_assert_cmpstr (strata_layer_get_name (c), ==, "mine");
  g_assert_cmpstr (strata_layer_get_class_name (c), ==, "MyLayer");

  /* unknown outputs, no weights, config and entry kept exactly */
  assert_outputs (l, "[[null, 3]]", "?");
  assert_weights (c, "[[null, 3]]", "");
  config = strata_layer_get_config (c);
  json_node_set_object (a, json_object_get_object_member (json_node_get_object (custom_node), "config"));
  json_node_set_object (b, config);
  g_assert_true (strata_json_equal (a, b));
  json_node_set_object (object, strata_opaque_layer_get_object (STRATA_OPAQUE_LAYER (l)));
  g_assert_true (strata_json_equal (object, lambda_node));
  g_assert_true (json_object_has_member (strata_layer_peek_extras (c), "build_config"));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/layers/registry", test_registry);
  g_test_add_func ("/layers/python-values", test_python_values);
  g_test_add_func ("/layers/unknown-initializer", test_unknown_initializer);
  g_test_add_func ("/layers/properties", test_properties);
  g_test_add_func ("/layers/notify", test_notify);
  g_test_add_func ("/layers/keras-defaults", test_keras_defaults);
  g_test_add_func ("/layers/all-properties", test_all_properties);
  g_test_add_func ("/layers/round-trip", test_round_trip);
  g_test_add_func ("/layers/bad-config", test_bad_config);
  g_test_add_func ("/layers/shapes/conv", test_shapes_conv);
  g_test_add_func ("/layers/shapes/pooling", test_shapes_pooling);
  g_test_add_func ("/layers/shapes/reshaping", test_shapes_reshaping);
  g_test_add_func ("/layers/shapes/merge", test_shapes_merge);
  g_test_add_func ("/layers/recurrent", test_recurrent);
  g_test_add_func ("/layers/wrappers", test_wrappers);
  g_test_add_func ("/layers/normalization", test_normalization);
  g_test_add_func ("/layers/dtypes-and-flags", test_dtypes_and_flags);
  g_test_add_func ("/layers/robustness", test_robustness);
  g_test_add_func ("/layers/nesting", test_nesting);
  g_test_add_func ("/layers/input-layer", test_input_layer);
  g_test_add_func ("/layers/opaque", test_opaque);
  return g_test_run ();
}
