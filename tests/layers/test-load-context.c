/* test-load-context.c: what a layer learns from the model it is loaded in
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Config values outside a property's range, the Keras 1 image ordering a
 * config without "dim_ordering" inherits from the model, and the registry
 * wrappers create their inner layers with.
 */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-model-private.h"
#include "strata-layer-private.h"

/* ---- a C layer class with narrow property ranges -------------------------- */

#define TEST_TYPE_RANGE_LAYER (test_range_layer_get_type ())
G_DECLARE_FINAL_TYPE (TestRangeLayer, test_range_layer, TEST, RANGE_LAYER, StrataLayer)

struct _TestRangeLayer
{
  StrataLayer parent_instance;
  int         size;
  float       gain;
};

G_DEFINE_FINAL_TYPE (TestRangeLayer, test_range_layer, STRATA_TYPE_LAYER)

enum { PROP_0, PROP_SIZE, PROP_GAIN, N_PROPS };

static void
test_range_layer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestRangeLayer *self = TEST_RANGE_LAYER (object);

  switch (prop_id)
    {
    case PROP_SIZE: g_value_set_int (value, self->size); break;
    case PROP_GAIN: g_value_set_float (value, self->gain); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_range_layer_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TestRangeLayer *self = TEST_RANGE_LAYER (object);

  switch (prop_id)
    {
    case PROP_SIZE: self->size = g_value_get_int (value); break;
    case PROP_GAIN: self->gain = g_value_get_float (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* One weight "scale" of (size,) per step. */
static gboolean
test_range_layer_build (StrataLayer *layer, GPtrArray *input_shapes, GError **error)
{
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { TEST_RANGE_LAYER (layer)->size });

  return strata_layer_add_weight (layer, "scale", shape, STRATA_DTYPE_FLOAT32, NULL, TRUE, error) != NULL;
}

static void
test_range_layer_class_init (TestRangeLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_range_layer_get_property;
  object_class->set_property = test_range_layer_set_property;
  STRATA_LAYER_CLASS (klass)->build = test_range_layer_build;
  strata_layer_class_set_keras_name (STRATA_LAYER_CLASS (klass), "RangeLayer");

  g_object_class_install_property (object_class, PROP_SIZE,
    g_param_spec_int ("size", NULL, NULL, 1, 100, 4, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, PROP_GAIN,
    g_param_spec_float ("gain", NULL, NULL, -10.0f, 10.0f, 1.0f, G_PARAM_READWRITE));
}

static void
test_range_layer_init (TestRangeLayer *self)
{
  self->size = 4;
  self->gain = 1.0f;
}

static StrataLayer *
layer_from_json (StrataRegistry *registry, const char *json, GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (json, -1, &parse_error);

  g_assert_no_error (parse_error);
  return strata_registry_create_layer (registry, json_node_get_object (node), STRATA_LOAD_NONE, error);
}

static void
assert_refused (StrataRegistry *registry, const char *json, const char *const *needles)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = layer_from_json (registry, json, &error);

  g_assert_null (layer);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (error->message, needles[i]) == NULL)
      g_error ("“%s” is not in the message “%s”", needles[i], error->message);
}

/* ---- 1. values an integer / ranged property cannot take ------------------- */

static void
test_non_finite_ints (void)
{
  StrataRegistry *registry = strata_registry_get_default ();
  /* Python's json writes NaN and Infinity; a double is no int when it is
   * not integral or beyond the int64 range. */
  static const char *const cases[][2] = {
    { "NaN", "NaN" }, { "Infinity", "Infinity" }, { "-Infinity", "-Infinity" },
    { "1e300", "1e+300" }, { "9.3e18", "9.3e+18" }, { "2.5", "2.5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dense = g_strdup_printf ("{\"class_name\": \"Dense\", \"config\": "
                                                "{\"name\": \"d1\", \"units\": %s}}", cases[i][0]);
      /* a Keras 1 key read through its fallback, and a tuple member */
      g_autofree char *conv = g_strdup_printf ("{\"class_name\": \"Convolution2D\", \"config\": "
                                               "{\"name\": \"c1\", \"nb_filter\": %s, \"nb_row\": 3, "
                                               "\"nb_col\": 3}}", cases[i][0]);
      const char *const dense_needles[] = { "“d1”", "Dense", "“units”", cases[i][1], NULL };
      const char *const conv_needles[] = { "“c1”", "“nb_filter”", cases[i][1], NULL };

      assert_refused (registry, dense, dense_needles);
      assert_refused (registry, conv, conv_needles);
    }

  /* Integral doubles stay accepted (Keras 2 casts with int()). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(StrataLayer) layer = layer_from_json (registry, "{\"class_name\": \"Dense\", \"config\": "
                                                    "{\"name\": \"d2\", \"units\": 8.0}}", &error);
    gint64 units = 0;

    g_assert_no_error (error);
    g_object_get (layer, "units", &units, NULL);
    g_assert_cmpint (units, ==, 8);
  }
}

/* Ints a row reads through strata_cfg_int() when it computes shapes (Keras 1
 * "filter_length", no property of its own) and int tuples. */
static void
test_non_finite_at_build (void)
{
  static const char *const configs[][3] = {
    { "{\"class_name\": \"Convolution1D\", \"config\": {\"name\": \"k1\", \"nb_filter\": 2, "
      "\"filter_length\": NaN}}", "filter_length", "NaN" },
    { "{\"class_name\": \"Convolution1D\", \"config\": {\"name\": \"k1\", \"nb_filter\": 2, "
      "\"filter_length\": -1e19}}", "filter_length", "-1e+19" },
    { "{\"class_name\": \"UpSampling1D\", \"config\": {\"name\": \"k1\", \"size\": Infinity}}",
      "size", "" },
    { "{\"class_name\": \"ZeroPadding1D\", \"config\": {\"name\": \"k1\", \"padding\": [NaN, 1]}}",
      "padding", "" },
  };
  gint64 dims[3] = { STRATA_DIM_UNKNOWN, 7, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataLayer) layer = layer_from_json (strata_registry_get_default (), configs[i][0], &error);
      g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
      g_autoptr(GPtrArray) out = NULL;

      g_assert_no_error (error);
      g_ptr_array_add (in, strata_shape_new (3, dims));
      out = strata_layer_compute_output_shapes (layer, in, &error);
      g_assert_null (out);
      g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "k1"));
      g_assert_nonnull (strstr (error->message, configs[i][1]));
      g_assert_nonnull (strstr (error->message, configs[i][2]));
    }
}

static void
test_property_ranges (void)
{
  g_autoptr(StrataRegistry) registry = strata_registry_new (strata_registry_get_default ());
  g_autoptr(GError) error = NULL;
  const char *const too_big[] = { "r1", "RangeLayer", "size", "1…100", "1000", NULL };
  const char *const too_small[] = { "r1", "size", "0", NULL };
  const char *const float_big[] = { "r1", "gain", "1e+300", NULL };
  const char *const float_range[] = { "r1", "gain", "11.5", NULL };
  const char *const nan_int[] = { "r1", "size", NULL };

  g_assert_true (strata_registry_register (registry, "RangeLayer", TEST_TYPE_RANGE_LAYER, &error));
  g_assert_no_error (error);

  /* The pspec's limits give a GError, not a g_warning (fatal in tests). */
  assert_refused (registry, "{\"class_name\": \"RangeLayer\", \"config\": {\"name\": \"r1\", \"size\": 1000}}",
                  too_big);
  assert_refused (registry, "{\"class_name\": \"RangeLayer\", \"config\": {\"name\": \"r1\", \"size\": 0}}",
                  too_small);
  assert_refused (registry, "{\"class_name\": \"RangeLayer\", \"config\": {\"name\": \"r1\", \"gain\": 1e300}}",
                  float_big);
  assert_refused (registry, "{\"class_name\": \"RangeLayer\", \"config\": {\"name\": \"r1\", \"gain\": 11.5}}",
                  float_range);
  assert_refused (registry, "{\"class_name\": \"RangeLayer\", \"config\": {\"name\": \"r1\", \"size\": NaN}}",
                  nan_int);

  {
    g_autoptr(StrataLayer) layer = layer_from_json (registry, "{\"class_name\": \"RangeLayer\", \"config\": "
                                                    "{\"name\": \"r2\", \"size\": 100, \"gain\": -10}}", &error);
    g_assert_no_error (error);
    g_assert_cmpint (TEST_RANGE_LAYER (layer)->size, ==, 100);
    g_assert_cmpfloat (TEST_RANGE_LAYER (layer)->gain, ==, -10.0f);
  }
}

/* ---- 2. Keras 1 dim_ordering inherited from the model ----------------------- */

/* Keras 1.0.x: UpSampling2D without "dim_ordering" between "th" layers; the
 * Merge concatenates on the channel axis (1), which only fits when the
 * upsampling keeps channels first. */
static const char keras1_unet[] =
  "{\"class_name\": \"Model\", \"keras_version\": \"1.0.5\", \"config\": {\"name\": \"m\", "
  "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"merge\", 0, 0]], \"layers\": ["
  "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"inbound_nodes\": [], \"config\": "
  "  {\"name\": \"in\", \"batch_input_shape\": [null, 3, 8, 8], \"input_dtype\": \"float32\"}},"
  "{\"class_name\": \"Convolution2D\", \"name\": \"conv\", \"inbound_nodes\": [[[\"in\", 0, 0]]], \"config\": "
  "  {\"name\": \"conv\", \"nb_filter\": 4, \"nb_row\": 3, \"nb_col\": 3, \"border_mode\": \"same\", "
  "   \"subsample\": [2, 2], \"dim_ordering\": \"th\", \"activation\": \"relu\", \"init\": \"glorot_uniform\"}},"
  "{\"class_name\": \"UpSampling2D\", \"name\": \"up\", \"inbound_nodes\": [[[\"conv\", 0, 0]]], \"config\": "
  "  {\"name\": \"up\", \"size\": [2, 2]}},"
  "{\"class_name\": \"Merge\", \"name\": \"merge\", \"inbound_nodes\": [[[\"in\", 0, 0], [\"up\", 0, 0]]], "
  "  \"config\": {\"name\": \"merge\", \"mode\": \"concat\", \"concat_axis\": 1}}"
  "]}}";

static void
test_keras1_dim_ordering (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = strata_model_from_json (keras1_unet, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
  g_autoptr(GPtrArray) outputs = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *tf_json = NULL;
  g_autoptr(StrataModel) tf_model = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (model);
  outputs = strata_model_get_outputs (model);
  g_assert_cmpuint (outputs->len, ==, 1);
  shape = strata_shape_to_string (strata_keras_tensor_get_shape (g_ptr_array_index (outputs, 0)));
  g_assert_cmpstr (shape, ==, "(None, 7, 8, 8)");

  /* The same model saying "tf" everywhere: the missing key means "tf",
   * and concatenating (8, 8, 3) with (8, 8, 4) on axis 1 cannot work. */
  tf_json = g_strdup (keras1_unet);
  {
    char *p = strstr (tf_json, "\"th\"");
    g_assert_nonnull (p);
    memcpy (p, "\"tf\"", 4);
  }
  tf_model = strata_model_from_json (tf_json, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_null (tf_model);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "merge"));
  g_clear_error (&error);

  /* Re-written in Keras 2/3 the layer configs stay Keras 1 and read the same. */
  for (StrataKerasDialect d = STRATA_KERAS_DIALECT_KERAS2; d <= STRATA_KERAS_DIALECT_KERAS3; d++)
    {
      g_autofree char *text = strata_model_to_json (model, d, FALSE);
      g_autoptr(StrataModel) again = strata_model_from_json (text, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
      g_assert_no_error (error);
      g_assert_nonnull (again);
    }
}

static void
test_keras1_dim_ordering_rule (void)
{
  static const struct { const char *layers; const char *expected; } cases[] = {
    { "[]", NULL },
    { "[{\"class_name\": \"Dense\", \"config\": {}}]", NULL },
    { "[{\"config\": {\"dim_ordering\": \"th\"}}, {\"config\": {}}]", "th" },
    { "[{\"config\": {\"dim_ordering\": \"tf\"}}]", "tf" },
    { "[{\"config\": {\"dim_ordering\": \"th\"}}, {\"config\": {\"dim_ordering\": \"tf\"}}]", NULL },
    /* "default" was resolved when the config was written: not a vote */
    { "[{\"config\": {\"dim_ordering\": \"default\"}}]", NULL },
    /* inside a TimeDistributed and a nested Sequential */
    { "[{\"config\": {\"layer\": {\"config\": {\"dim_ordering\": \"th\"}}}}]", "th" },
    { "[{\"class_name\": \"Sequential\", \"config\": [{\"config\": {\"dim_ordering\": \"th\"}}]}]", "th" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = strata_json_parse (cases[i].layers, -1, NULL);
      g_assert_cmpstr (strata_config_keras1_dim_ordering (json_node_get_array (node)), ==, cases[i].expected);
    }
}

/* The real Keras 1.0.5 file this came from loads with the right shapes. */
static void
test_keras1_dim_ordering_real (void)
{
  g_autofree char *path = strata_test_real_fixture_path ("dl4j-test-resources/keras/configs/keras2/"
                                                         "permute_retina_unet.json");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) outputs = NULL;
  g_autofree char *shape = NULL;

  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  model = strata_model_from_json (contents, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  outputs = strata_model_get_outputs (model);
  shape = strata_shape_to_string (strata_keras_tensor_get_shape (g_ptr_array_index (outputs, 0)));
  /* Keras: Reshape((2, 48*48)), Permute((2, 1)), softmax */
  g_assert_cmpstr (shape, ==, "(None, 2304, 2)");
}

/* ---- 3. weight names as the writer's Keras version shows them -------------- */

static char **
load_names (const char *json, gboolean layer_level, GError **error)
{
  g_autoptr(StrataModel) model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_METADATA_ONLY, error);
  GPtrArray *layers;
  GPtrArray *names;

  if (model == NULL)
    return NULL;
  if (!layer_level)
    return strata_layer_get_weight_names (STRATA_LAYER (model));
  /* each layer on its own (what the h5 writer asks) */
  layers = strata_model_peek_layers (model);
  names = g_ptr_array_new ();
  for (guint i = 0; i < layers->len; i++)
    {
      g_auto(GStrv) one = strata_layer_get_weight_names (g_ptr_array_index (layers, i));
      for (guint j = 0; one[j] != NULL; j++)
        g_ptr_array_add (names, g_strdup (one[j]));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* tf-keras 2.21 and Keras 3.15 wrote the same model (LSTM, GRU,
 * Bidirectional(LSTM), Dense); expected.json lists the weight_names of
 * their .h5 files. */
static void
test_weight_names_generated (void)
{
  static const char *const dirs[] = { "tf_keras", "keras" };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    for (int layer_level = 0; layer_level < 2; layer_level++)
      {
        g_autofree char *config_rel = g_strdup_printf ("fixtures/generated/%s/recurrent.config.json", dirs[d]);
        g_autofree char *expected_rel = g_strdup_printf ("fixtures/generated/%s/recurrent.expected.json", dirs[d]);
        g_autofree char *config_path = strata_test_src_path (config_rel);
        g_autofree char *expected_path = strata_test_src_path (expected_rel);
        g_autofree char *config = NULL, *expected_text = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) expected = NULL;
        g_auto(GStrv) names = NULL;
        JsonArray *weights;
        gboolean keras3 = d == 1;

        if (!g_file_get_contents (config_path, &config, NULL, NULL) ||
            !g_file_get_contents (expected_path, &expected_text, NULL, NULL))
          {
            strata_test_skip ("tests/fixtures/generated is missing");
            return;
          }
        expected = strata_json_parse (expected_text, -1, &error);
        g_assert_no_error (error);
        weights = json_object_get_array_member (json_node_get_object (expected), "weights");
        names = load_names (config, layer_level, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_strv_length (names), ==, json_array_get_length (weights));
        for (guint i = 0; names[i] != NULL; i++)
          {
            const char *want = json_object_get_string_member (json_array_get_object_element (weights, i), "name");
            /* Keras 3 variable paths carry no ":0"; Strata names them the
             * tf-keras way and the Keras 3 writers drop it */
            g_autofree char *want0 = keras3 ? g_strconcat (want, ":0", NULL) : g_strdup (want);
            g_assert_cmpstr (names[i], ==, want0);
          }
      }
}

/* The same layers in Keras 2.2.4 (standalone and 2.2.4-tf): no cell scope. */
static void
test_weight_names_legacy (void)
{
  g_autofree char *config_path = strata_test_src_path ("fixtures/generated/tf_keras/recurrent.config.json");
  g_autofree char *config = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  static const char *const want[] = {
    "lstm/kernel:0", "lstm/recurrent_kernel:0", "lstm/bias:0",
    "gru/kernel:0", "gru/recurrent_kernel:0", "gru/bias:0",
    "bidirectional/forward_lstm/kernel:0", "bidirectional/forward_lstm/recurrent_kernel:0",
    "bidirectional/forward_lstm/bias:0", "bidirectional/backward_lstm/kernel:0",
    "bidirectional/backward_lstm/recurrent_kernel:0", "bidirectional/backward_lstm/bias:0",
    "head/kernel:0", "head/bias:0",
  };

  if (!g_file_get_contents (config_path, &config, NULL, NULL))
    {
      strata_test_skip ("tests/fixtures/generated is missing");
      return;
    }
  root = strata_json_parse (config, -1, &error);
  g_assert_no_error (error);
  for (guint v = 0; v < 2; v++)
    {
      g_auto(GStrv) names = NULL;

      json_object_set_string_member (json_node_get_object (root), "keras_version", v == 0 ? "2.2.4" : "2.2.4-tf");
      g_free (json);
      json = strata_json_to_string (root, FALSE);
      for (int layer_level = 0; layer_level < 2; layer_level++)
        {
          g_strfreev (names);
          names = load_names (json, layer_level, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (g_strv_length (names), ==, G_N_ELEMENTS (want));
          for (guint i = 0; i < G_N_ELEMENTS (want); i++)
            g_assert_cmpstr (names[i], ==, want[i]);
        }
    }
}

static void
test_weight_naming_rule (void)
{
  static const struct { StrataKerasDialect dialect; const char *version; StrataWeightNaming naming; } cases[] = {
    { STRATA_KERAS_DIALECT_KERAS1, NULL, STRATA_WEIGHT_NAMING_LEGACY },
    { STRATA_KERAS_DIALECT_KERAS2, "1.2.2", STRATA_WEIGHT_NAMING_LEGACY },
    { STRATA_KERAS_DIALECT_KERAS2, "2.1.3", STRATA_WEIGHT_NAMING_LEGACY },
    { STRATA_KERAS_DIALECT_KERAS2, "2.2.5", STRATA_WEIGHT_NAMING_LEGACY },
    { STRATA_KERAS_DIALECT_KERAS2, "2.2.4-tf", STRATA_WEIGHT_NAMING_LEGACY },
    { STRATA_KERAS_DIALECT_KERAS2, "2.3.0-tf", STRATA_WEIGHT_NAMING_TF_KERAS },
    { STRATA_KERAS_DIALECT_KERAS2, "2.21.0", STRATA_WEIGHT_NAMING_TF_KERAS },
    { STRATA_KERAS_DIALECT_KERAS2, NULL, STRATA_WEIGHT_NAMING_TF_KERAS },
    { STRATA_KERAS_DIALECT_AUTO, NULL, STRATA_WEIGHT_NAMING_TF_KERAS },
    { STRATA_KERAS_DIALECT_KERAS3, NULL, STRATA_WEIGHT_NAMING_KERAS3 },
    { STRATA_KERAS_DIALECT_KERAS3, "3.15.1", STRATA_WEIGHT_NAMING_KERAS3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (strata_weight_naming_for (cases[i].dialect, cases[i].version), ==, cases[i].naming);
}

/* ---- 4. wrappers create inner layers with the loading registry ------------- */

static const char td_custom[] =
  "{\"class_name\": \"Sequential\", \"keras_version\": \"2.4.0\", \"config\": {\"name\": \"seq\", \"layers\": ["
  "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 5, 3], "
  "  \"dtype\": \"float32\"}},"
  "{\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"layer\": "
  "  {\"class_name\": \"RangeLayer\", \"config\": {\"name\": \"inner\", \"size\": 6}}}}"
  "]}}";

static void
test_wrapper_registry (void)
{
  g_autoptr(StrataRegistry) registry = strata_registry_new (strata_registry_get_default ());
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(StrataModel) global = NULL;

  g_assert_true (strata_registry_register (registry, "RangeLayer", TEST_TYPE_RANGE_LAYER, &error));
  g_assert_no_error (error);
  g_assert_cmpint (strata_registry_lookup (strata_registry_get_default (), "RangeLayer"), ==, G_TYPE_INVALID);

  /* Not in the default registry: refused up front... */
  global = strata_model_from_json (td_custom, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_null (global);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
  g_clear_error (&error);

  /* ...and found in the child registry, inside the wrapper too. */
  model = strata_model_from_json (td_custom, -1, registry, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  weights = strata_layer_get_weights (STRATA_LAYER (model));
  g_assert_cmpuint (weights->len, ==, 1);
  g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), 0), ==, 6);
  g_assert_cmpuint (strata_layer_count_params (STRATA_LAYER (model)), ==, 6);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/layers/load-context/non-finite-ints", test_non_finite_ints);
  g_test_add_func ("/layers/load-context/non-finite-at-build", test_non_finite_at_build);
  g_test_add_func ("/layers/load-context/property-ranges", test_property_ranges);
  g_test_add_func ("/layers/load-context/keras1-dim-ordering", test_keras1_dim_ordering);
  g_test_add_func ("/layers/load-context/keras1-dim-ordering-rule", test_keras1_dim_ordering_rule);
  g_test_add_func ("/layers/load-context/keras1-dim-ordering-real", test_keras1_dim_ordering_real);
  g_test_add_func ("/layers/load-context/weight-names-generated", test_weight_names_generated);
  g_test_add_func ("/layers/load-context/weight-names-legacy", test_weight_names_legacy);
  g_test_add_func ("/layers/load-context/weight-naming-rule", test_weight_naming_rule);
  g_test_add_func ("/layers/load-context/wrapper-registry", test_wrapper_registry);
  return g_test_run ();
}
