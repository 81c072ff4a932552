/* test-model.c: weights, summary, clone, Sequential, custom layer classes, compile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-model-private.h"

static JsonNode *
read_json (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  JsonNode *root;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  root = strata_json_parse (contents, length, &error);
  g_assert_no_error (error);
  return root;
}

static StrataModel *
load_generated (const char *name)
{
  g_autofree char *path = strata_test_src_path (name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  StrataModel *model;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  model = strata_model_from_json (contents, length, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  return model;
}

static StrataTensor *
filled (StrataShape *shape,
        float        value)
{
  guint64 n;
  g_autofree float *values = NULL;
  g_autoptr(GError) error = NULL;
  StrataTensor *tensor;

  g_assert_true (strata_shape_get_n_elements (shape, &n));
  values = g_new (float, n);
  for (guint64 i = 0; i < n; i++)
    values[i] = value + i;
  tensor = strata_tensor_new_from_floats (shape, values, n, &error);
  g_assert_no_error (error);
  return tensor;
}

/* "1,234,567" independently of the code under test. */
static char *
grouped (guint64 value)
{
  g_autofree char *plain = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  GString *out = g_string_new (NULL);
  gsize len = strlen (plain);

  for (gsize i = 0; i < len; i++)
    {
      g_string_append_c (out, plain[i]);
      if ((len - i - 1) % 3 == 0 && i + 1 < len)
        g_string_append_c (out, ',');
    }
  return g_string_free (out, FALSE);
}

/* ---- weights ------------------------------------------------------------------- */

static void
test_set_weights (void)
{
  g_autoptr(StrataModel) model = load_generated ("fixtures/generated/tf_keras/sequential_dense.config.json");
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));
  g_autoptr(GPtrArray) replacement = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) bad = NULL;
  g_autoptr(GError) error = NULL;
  StrataLayer *hidden = strata_model_get_layer (model, "hidden");
  StrataTensor *kernel_before;
  g_auto(GStrv) names = strata_layer_get_weight_names (hidden);

  g_assert_cmpuint (weights->len, ==, 4);
  g_assert_cmpstr (names[0], ==, "hidden/kernel:0");
  g_assert_cmpstr (names[1], ==, "hidden/bias:0");
  g_assert_true (strata_layer_get_weight (hidden, "kernel") == g_ptr_array_index (weights, 0));
  g_assert_true (strata_layer_get_weight (hidden, "hidden/bias:0") == g_ptr_array_index (weights, 1));
  g_assert_null (strata_layer_get_weight (hidden, "gamma"));

  for (guint i = 0; i < weights->len; i++)
    g_ptr_array_add (replacement, filled (strata_tensor_get_shape (g_ptr_array_index (weights, i)), i * 100.0f));
  g_assert_true (strata_layer_set_weights (STRATA_LAYER (model), replacement, &error));
  g_assert_no_error (error);
  after = strata_layer_get_weights (STRATA_LAYER (model));
  for (guint i = 0; i < after->len; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (after, i), g_ptr_array_index (replacement, i)));
  g_assert_cmpstr (strata_tensor_get_name (g_ptr_array_index (after, 2)), ==, "probabilities/kernel:0");

  /* Count mismatch on the model: Keras' message, nothing changed. */
  kernel_before = strata_layer_get_weight (hidden, "kernel");
  bad = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (bad, g_object_ref (g_ptr_array_index (replacement, 0)));
  g_assert_false (strata_layer_set_weights (STRATA_LAYER (model), bad, &error));
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT);
  g_assert_nonnull (strstr (error->message, "You called set_weights with a list of 1 weights, but the model"));
  g_assert_nonnull (strstr (error->message, "expects 4"));
  g_clear_error (&error);

  /* Shape mismatch: the layer, the weight and both shapes; nothing changed
   * (the first weight is valid but must not have been applied). */
  g_ptr_array_set_size (bad, 0);
  g_ptr_array_add (bad, filled (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), -1.0f));
  g_ptr_array_add (bad, g_object_ref (g_ptr_array_index (replacement, 1)));
  g_ptr_array_add (bad, filled (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), 0.0f));
  g_ptr_array_add (bad, g_object_ref (g_ptr_array_index (replacement, 3)));
  g_assert_false (strata_layer_set_weights (STRATA_LAYER (model), bad, &error));
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_assert_cmpstr (error->message, ==, "Layer “probabilities” weight 0 (kernel): expected shape (16, 4), found (8, 16)");
  g_clear_error (&error);
  g_assert_true (strata_layer_get_weight (hidden, "kernel") == kernel_before);

  /* The same on one layer, as Keras words it. */
  g_ptr_array_set_size (bad, 0);
  g_ptr_array_add (bad, filled (strata_tensor_get_shape (g_ptr_array_index (weights, 2)), 0.0f));
  g_ptr_array_add (bad, filled (strata_tensor_get_shape (g_ptr_array_index (weights, 1)), 0.0f));
  g_assert_false (strata_layer_set_weights (hidden, bad, &error));
  g_assert_cmpstr (error->message, ==, "Layer “hidden” weight 0 (kernel): expected shape (8, 16), found (16, 4)");
  g_clear_error (&error);
  g_ptr_array_set_size (bad, 1);
  g_assert_false (strata_layer_set_weights (hidden, bad, &error));
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT);
}

static void
test_trainable (void)
{
  g_autoptr(StrataModel) model = load_generated ("fixtures/generated/tf_keras/conv_batchnorm_nested.config.json");
  g_autofree char *path = strata_test_src_path ("fixtures/generated/tf_keras/conv_batchnorm_nested.expected.json");
  g_autoptr(JsonNode) expected = read_json (path);
  JsonArray *listed = json_object_get_array_member (json_node_get_object (expected), "weights");
  guint64 moving = 0, total_listed = 0, total, trainable, non_trainable;

  /* BatchNormalization's moving statistics are Keras' non-trainable weights. */
  for (guint i = 0; i < json_array_get_length (listed); i++)
    {
      JsonObject *w = json_array_get_object_element (listed, i);
      g_autoptr(StrataShape) shape = strata_json_to_shape (json_object_get_member (w, "shape"), "shape", NULL);
      guint64 n;

      g_assert_true (strata_shape_get_n_elements (shape, &n));
      total_listed += n;
      if (strstr (json_object_get_string_member (w, "name"), "moving_") != NULL)
        moving += n;
    }
  total = strata_model_count_params (model, &trainable, &non_trainable);
  g_assert_cmpuint (total, ==, total_listed);
  g_assert_cmpuint (non_trainable, ==, moving);
  g_assert_cmpuint (trainable, ==, total_listed - moving);

  /* Freezing the nested model moves its weights to non-trainable. */
  strata_layer_set_trainable (strata_model_get_layer (model, "inner_block"), FALSE);
  strata_model_count_params (model, &trainable, &non_trainable);
  g_assert_cmpuint (trainable + non_trainable, ==, total_listed);
  g_assert_cmpuint (trainable, <, total_listed - moving);
  strata_layer_set_trainable (STRATA_LAYER (model), FALSE);
  strata_model_count_params (model, &trainable, &non_trainable);
  g_assert_cmpuint (trainable, ==, 0);
  g_assert_cmpuint (non_trainable, ==, total_listed);
}

/* ---- summary ------------------------------------------------------------------- */

static void
test_summary (void)
{
  const char *cases[] = { "tf_keras/functional_multi_output", "tf_keras/sequential_dense",
                          "keras/conv_batchnorm_nested" };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *config = g_strdup_printf ("fixtures/generated/%s.config.json", cases[c]);
      g_autofree char *expected_path = g_strdup_printf ("fixtures/generated/%s.expected.json", cases[c]);
      g_autofree char *full = strata_test_src_path (expected_path);
      g_autoptr(StrataModel) model = load_generated (config);
      g_autoptr(JsonNode) expected = read_json (full);
      JsonArray *listed = json_object_get_array_member (json_node_get_object (expected), "weights");
      g_autofree char *summary = strata_model_summary (model);
      g_autofree char *header = NULL, *total_line = NULL;
      g_autofree char *total_str = NULL;
      guint64 total = 0;

      g_test_message ("%s", summary);
      for (guint i = 0; i < json_array_get_length (listed); i++)
        {
          g_autoptr(StrataShape) shape = strata_json_to_shape (
            json_object_get_member (json_array_get_object_element (listed, i), "shape"), "shape", NULL);
          guint64 n;

          g_assert_true (strata_shape_get_n_elements (shape, &n));
          total += n;
        }
      total_str = grouped (total);
      header = g_strdup_printf ("Model: \"%s\"\n", strata_layer_get_name (STRATA_LAYER (model)));
      total_line = g_strdup_printf ("\nTotal params: %s\n", total_str);
      g_assert_true (g_str_has_prefix (summary, header));
      g_assert_nonnull (strstr (summary, total_line));
      g_assert_nonnull (strstr (summary, "Layer (type)"));
      g_assert_nonnull (strstr (summary, "Output Shape"));
      g_assert_nonnull (strstr (summary, "Param #"));
      g_assert_true ((strstr (summary, "Connected to") != NULL) == !STRATA_IS_SEQUENTIAL (model));

      /* One row per layer: "name (Class)", then its parameter count (the
       * sum of its weights in the Keras listing) after the shape. */
      for (guint i = 0; i < strata_model_get_n_layers (model); i++)
        {
          StrataLayer *layer = strata_model_get_layer_at (model, i);
          g_autofree char *cell = g_strdup_printf ("\n%s (%s) ", strata_layer_get_name (layer),
                                                   strata_layer_get_class_name (layer));
          g_autofree char *prefix = g_strdup_printf ("%s/", strata_layer_get_name (layer));
          g_autofree char *params = NULL;
          const char *row = strstr (summary, cell);
          const char *end;
          guint64 layer_total = 0;

          g_assert_nonnull (row);
          for (guint j = 0; j < json_array_get_length (listed); j++)
            {
              JsonObject *w = json_array_get_object_element (listed, j);
              const char *name = json_object_get_string_member (w, "name");

              if (g_str_has_prefix (name, prefix) || strstr (name, prefix) != NULL)
                {
                  g_autoptr(StrataShape) shape = strata_json_to_shape (json_object_get_member (w, "shape"), "shape", NULL);
                  guint64 n;

                  g_assert_true (strata_shape_get_n_elements (shape, &n));
                  layer_total += n;
                }
            }
          params = g_strdup_printf (" %" G_GUINT64_FORMAT " ", layer_total);
          end = strchr (row + 1, '\n');
          g_assert_nonnull (end);
          {
            g_autofree char *line = g_strndup (row + 1, end - row - 1);
            g_autofree char *padded = g_strconcat (line, " ", NULL);

            if (strstr (padded, params) == NULL)
              g_error ("row '%s' lacks the parameter count%s", line, params);
          }
        }
    }
}

static void
test_summary_format (void)
{
  g_autoptr(StrataSequential) seq = strata_sequential_new ("big");
  g_autoptr(StrataShape) batch = strata_shape_new (2, (gint64[]) { STRATA_DIM_UNKNOWN, 1000 });
  g_autoptr(StrataInputLayer) input = strata_input_layer_new (batch, NULL, "in");
  g_autoptr(StrataLayer) dense = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"wide\", \"units\": 1500}}");
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  g_assert_true (strata_sequential_add (seq, STRATA_LAYER (input), &error));
  g_assert_true (strata_sequential_add (seq, dense, &error));
  g_assert_no_error (error);
  summary = strata_model_summary (STRATA_MODEL (seq));
  g_test_message ("%s", summary);
  /* Dense(1500) on 1000 inputs: 1000 × 1500 kernel + 1500 bias, as Keras
   * counts and groups it. */
  g_assert_nonnull (strstr (summary, "Total params: 1,501,500\nTrainable params: 1,501,500\n"
                                     "Non-trainable params: 0\n"));
  /* Keras' Sequential layout: 65 columns, the shape at column 29. */
  g_assert_nonnull (strstr (summary, "\nwide (Dense)                 (None, 1500)"));
  g_assert_nonnull (strstr (summary, "\n=================================================================\n"));
}

/* ---- clone --------------------------------------------------------------------- */

static StrataLayer *
replace_out_binary (StrataLayer *layer,
                    gpointer     user_data)
{
  if (g_strcmp0 (strata_layer_get_name (layer), "out_binary") != 0)
    return NULL;
  (*(guint *) user_data)++;
  return strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"out_binary\", \"units\": 7}}");
}

static void
check_clone (StrataModel *model,
             StrataModel *copy)
{
  g_autofree char *a = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_autofree char *b = strata_model_to_json (copy, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_autoptr(GPtrArray) wa = strata_layer_get_weights (STRATA_LAYER (model));
  g_autoptr(GPtrArray) wb = strata_layer_get_weights (STRATA_LAYER (copy));

  g_assert_true (model != copy);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpuint (strata_model_get_n_layers (model), ==, strata_model_get_n_layers (copy));
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *la = strata_model_get_layer_at (model, i);
      StrataLayer *lb = strata_model_get_layer_at (copy, i);

      g_assert_true (la != lb);
      g_assert_cmpstr (strata_layer_get_name (la), ==, strata_layer_get_name (lb));
      g_assert_true (G_OBJECT_TYPE (la) == G_OBJECT_TYPE (lb));
    }
  /* Fresh weights, same shapes. */
  g_assert_cmpuint (wa->len, ==, wb->len);
  for (guint i = 0; i < wa->len; i++)
    {
      g_assert_true (g_ptr_array_index (wa, i) != g_ptr_array_index (wb, i));
      g_assert_true (strata_shape_equal (strata_tensor_get_shape (g_ptr_array_index (wa, i)),
                                         strata_tensor_get_shape (g_ptr_array_index (wb, i))));
    }
}

static void
test_clone (void)
{
  const char *files[] = { "fixtures/generated/tf_keras/functional_multi_output.config.json",
                          "fixtures/generated/keras/functional_multi_output.config.json",
                          "fixtures/generated/tf_keras/sequential_dense.config.json",
                          "fixtures/generated/tf_keras/conv_batchnorm_nested.config.json",
                          "fixtures/generated/keras/conv_batchnorm_nested.config.json",
                          "fixtures/generated/keras/recurrent.config.json" };
  g_autoptr(StrataModel) model = load_generated (files[0]);
  g_autoptr(StrataModel) custom = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0;
  g_autoptr(GPtrArray) outputs = NULL;
  g_autofree char *shape = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(StrataModel) original = load_generated (files[i]);
      g_autoptr(StrataModel) copy = strata_model_clone (original, NULL, NULL, &error);

      g_assert_no_error (error);
      check_clone (original, copy);
    }

  custom = strata_model_clone (model, replace_out_binary, &calls, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
  outputs = strata_model_get_outputs (custom);
  shape = strata_shape_to_string (strata_keras_tensor_get_shape (g_ptr_array_index (outputs, 1)));
  g_assert_cmpstr (shape, ==, "(None, 7)");
}

/* ---- Sequential ---------------------------------------------------------------- */

static void
test_sequential (void)
{
  g_autoptr(StrataSequential) seq = strata_sequential_new ("stack");
  g_autoptr(StrataShape) batch = strata_shape_new (2, (gint64[]) { STRATA_DIM_UNKNOWN, 4 });
  g_autoptr(StrataInputLayer) input = strata_input_layer_new (batch, NULL, "features");
  g_autoptr(StrataLayer) d1 = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\", \"units\": 8}}");
  g_autoptr(StrataLayer) d2 = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d2\", \"units\": 2}}");
  g_autoptr(StrataLayer) twin = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\", \"units\": 2}}");
  g_autoptr(StrataLayer) popped = NULL;
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) reread = NULL;
  g_autofree char *json = NULL, *json2 = NULL, *shape = NULL;

  g_assert_true (strata_sequential_add (seq, STRATA_LAYER (input), &error));
  g_assert_true (strata_sequential_add (seq, d1, &error));
  g_assert_true (strata_sequential_add (seq, d2, &error));
  g_assert_no_error (error);
  /* Keras leaves the input layer out of Sequential.layers. */
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (seq)), ==, 2);
  g_assert_true (strata_model_get_layer_at (STRATA_MODEL (seq), 0) == d1);
  /* Dense(8) on 4 features: 4 × 8 + 8; Dense(2) on those: 8 × 2 + 2. */
  g_assert_cmpuint (strata_layer_count_params (d1), ==, 40);
  g_assert_cmpuint (strata_model_count_params (STRATA_MODEL (seq), NULL, NULL), ==, 40 + 18);

  g_assert_false (strata_sequential_add (seq, twin, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH);
  g_clear_error (&error);
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (seq)), ==, 2);

  /* Keras 2 form with an InputLayer entry; reading it back is a fixed point. */
  json = strata_model_to_json (STRATA_MODEL (seq), STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_true (g_str_has_prefix (json, "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"stack\", \"layers\": [{\"class_name\": \"InputLayer\""));
  reread = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  json2 = strata_model_to_json (reread, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (json, ==, json2);

  popped = strata_sequential_pop (seq);
  g_assert_true (popped == d2);
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (seq)), ==, 1);
  outputs = strata_model_get_outputs (STRATA_MODEL (seq));
  shape = strata_shape_to_string (strata_keras_tensor_get_shape (g_ptr_array_index (outputs, 0)));
  g_assert_cmpstr (shape, ==, "(None, 8)");
  g_assert_cmpuint (strata_model_count_params (STRATA_MODEL (seq), NULL, NULL), ==, 40);
  g_clear_object (&popped);
  popped = strata_sequential_pop (seq);
  g_assert_true (popped == d1);
  g_clear_object (&popped);
  g_assert_null (strata_sequential_pop (seq));
}

static void
test_sequential_deferred (void)
{
  g_autoptr(StrataSequential) implicit = strata_sequential_new (NULL);
  g_autoptr(StrataSequential) deferred = strata_sequential_new ("deferred");
  g_autoptr(StrataLayer) first = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"first\", \"units\": 5, \"input_dim\": 3}}");
  g_autoptr(StrataLayer) second = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"second\", \"units\": 2}}");
  g_autoptr(StrataLayer) lazy = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"lazy\", \"units\": 4}}");
  g_autoptr(StrataShape) sample = strata_shape_new (1, (gint64[]) { 6 });
  g_autoptr(StrataKerasTensor) x = strata_input (sample, NULL, "x");
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(StrataModel) outer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  StrataLayer *input_layer;

  /* input_dim on the first layer makes the input layer, named as Keras does. */
  g_assert_true (strata_sequential_add (implicit, first, &error));
  g_assert_true (strata_sequential_add (implicit, second, &error));
  g_assert_no_error (error);
  input_layer = strata_sequential_peek_input_layer (implicit);
  g_assert_nonnull (input_layer);
  g_assert_cmpstr (strata_layer_get_name (input_layer), ==, "first_input");
  /* Dense(5) on input_dim 3: 3 × 5 + 5; Dense(2) on those: 5 × 2 + 2. */
  g_assert_cmpuint (strata_model_count_params (STRATA_MODEL (implicit), NULL, NULL), ==, 20 + 12);
  g_assert_true (strata_layer_is_built (second));
  /* The implicit input layer is not written; input_dim stays on the layer. */
  json = strata_model_to_json (STRATA_MODEL (implicit), STRATA_KERAS_DIALECT_KERAS2, FALSE);
  g_assert_null (strstr (json, "InputLayer"));
  g_assert_nonnull (strstr (json, "\"input_dim\": 3"));

  /* No input shape: layers wait, unbuilt, until the model is called. */
  g_assert_true (strata_sequential_add (deferred, lazy, &error));
  g_assert_false (strata_layer_is_built (lazy));
  g_assert_cmpuint (strata_model_count_params (STRATA_MODEL (deferred), NULL, NULL), ==, 0);
  g_ptr_array_add (inputs, x);
  outputs = strata_layer_call (STRATA_LAYER (deferred), inputs, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (strata_layer_is_built (lazy));
  outer = strata_model_new (inputs, outputs, "outer", &error);
  g_assert_no_error (error);
  /* Built on the call: Dense(4) on 6 features, 6 × 4 + 4. */
  g_assert_cmpuint (strata_layer_count_params (lazy), ==, 28);
  g_assert_cmpuint (strata_model_count_params (outer, NULL, NULL), ==, 28);
}

/* ---- a layer class written like a Python/Vala subclass ------------------------- */

#define TEST_TYPE_SCALE_LAYER (test_scale_layer_get_type ())
G_DECLARE_FINAL_TYPE (TestScaleLayer, test_scale_layer, TEST, SCALE_LAYER, StrataLayer)

struct _TestScaleLayer
{
  StrataLayer parent_instance;
  double      factor;
  int         pool_size;
  char       *label;
};

G_DEFINE_FINAL_TYPE (TestScaleLayer, test_scale_layer, STRATA_TYPE_LAYER)

enum { PROP_0, PROP_FACTOR, PROP_POOL_SIZE, PROP_LABEL, N_PROPS };

static void
test_scale_layer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestScaleLayer *self = TEST_SCALE_LAYER (object);

  switch (prop_id)
    {
    case PROP_FACTOR: g_value_set_double (value, self->factor); break;
    case PROP_POOL_SIZE: g_value_set_int (value, self->pool_size); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_scale_layer_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TestScaleLayer *self = TEST_SCALE_LAYER (object);

  switch (prop_id)
    {
    case PROP_FACTOR: self->factor = g_value_get_double (value); break;
    case PROP_POOL_SIZE: self->pool_size = g_value_get_int (value); break;
    case PROP_LABEL: g_free (self->label); self->label = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
test_scale_layer_build (StrataLayer *layer, GPtrArray *input_shapes, GError **error)
{
  StrataShape *input = g_ptr_array_index (input_shapes, 0);
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { strata_shape_get_dim (input, -1) });
  g_autoptr(JsonNode) ones = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (ones, "ones");
  return strata_layer_add_weight (layer, "scale", shape, STRATA_DTYPE_FLOAT32, ones, TRUE, error) != NULL;
}

static void
test_scale_layer_finalize (GObject *object)
{
  g_free (TEST_SCALE_LAYER (object)->label);
  G_OBJECT_CLASS (test_scale_layer_parent_class)->finalize (object);
}

static void
test_scale_layer_class_init (TestScaleLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_scale_layer_get_property;
  object_class->set_property = test_scale_layer_set_property;
  object_class->finalize = test_scale_layer_finalize;
  STRATA_LAYER_CLASS (klass)->build = test_scale_layer_build;
  strata_layer_class_set_keras_name (STRATA_LAYER_CLASS (klass), "ScaleLayer");

  g_object_class_install_property (object_class, PROP_FACTOR,
    g_param_spec_double ("factor", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1.0, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, PROP_POOL_SIZE,
    g_param_spec_int ("pool-size", NULL, NULL, 0, 1000, 2, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE));
}

static void
test_scale_layer_init (TestScaleLayer *self)
{
  self->factor = 1.0;
  self->pool_size = 2;
}

static void
test_custom_class (void)
{
  g_autoptr(StrataRegistry) registry = strata_registry_new (strata_registry_get_default ());
  g_autoptr(TestScaleLayer) layer = g_object_new (TEST_TYPE_SCALE_LAYER, "name", "scaler",
                                                  "factor", 0.5, "pool-size", 3, "label", "über", NULL);
  g_autoptr(JsonObject) config = strata_layer_get_config (STRATA_LAYER (layer));
  g_autoptr(StrataSequential) seq = strata_sequential_new ("custom");
  g_autoptr(StrataShape) batch = strata_shape_new (2, (gint64[]) { STRATA_DIM_UNKNOWN, 5 });
  g_autoptr(StrataInputLayer) input = strata_input_layer_new (batch, NULL, "in");
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL, *json2 = NULL, *edited = NULL;
  g_auto(GStrv) parts = NULL;
  TestScaleLayer *copy;

  /* Properties become config keys (pool-size -> pool_size). */
  g_assert_cmpstr (json_object_get_string_member (config, "name"), ==, "scaler");
  g_assert_true (json_object_get_boolean_member (config, "trainable"));
  g_assert_cmpstr (json_object_get_string_member (config, "dtype"), ==, "float32");
  g_assert_cmpfloat (json_object_get_double_member (config, "factor"), ==, 0.5);
  g_assert_cmpint (json_object_get_int_member (config, "pool_size"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (config, "label"), ==, "über");
  g_assert_cmpstr (strata_layer_get_class_name (STRATA_LAYER (layer)), ==, "ScaleLayer");

  g_assert_true (strata_registry_register (registry, "Custom>ScaleLayer", TEST_TYPE_SCALE_LAYER, &error));
  g_assert_true (strata_sequential_add (seq, STRATA_LAYER (input), &error));
  g_assert_true (strata_sequential_add (seq, STRATA_LAYER (layer), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strata_layer_count_params (STRATA_LAYER (layer)), ==, 5);

  /* Written under its registered name, read back with the registry. */
  strata_layer_set_class_name (STRATA_LAYER (layer), "Custom>ScaleLayer");
  json = strata_model_to_json (STRATA_MODEL (seq), STRATA_KERAS_DIALECT_KERAS2, FALSE);
  loaded = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
  g_assert_nonnull (strstr (error->message, "“Custom>ScaleLayer” (layer “scaler”)"));
  g_clear_error (&error);

  /* An extra key no property models: kept, but refused in strict mode. */
  parts = g_strsplit (json, "\"factor\": 0.5", 2);
  edited = g_strjoinv ("\"factor\": 0.5, \"extra_key\": [1, 2]", parts);
  loaded = strata_model_from_json (edited, -1, registry, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  copy = TEST_SCALE_LAYER (strata_model_get_layer (loaded, "scaler"));
  g_assert_nonnull (copy);
  g_assert_cmpfloat (copy->factor, ==, 0.5);
  g_assert_cmpint (copy->pool_size, ==, 3);
  g_assert_cmpstr (copy->label, ==, "über");
  g_assert_cmpuint (strata_layer_count_params (STRATA_LAYER (copy)), ==, 5);
  json2 = strata_model_to_json (loaded, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (json2, ==, edited);
  g_clear_object (&loaded);

  loaded = strata_model_from_json (edited, -1, registry, STRATA_LOAD_STRICT, &error);
  g_assert_null (loaded);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "extra_key"));
  g_assert_nonnull (strstr (error->message, "scaler"));
  g_clear_error (&error);

  /* A key of the wrong type for its property. */
  g_free (edited);
  g_strfreev (parts);
  parts = g_strsplit (json, "\"pool_size\": 3", 2);
  edited = g_strjoinv ("\"pool_size\": \"three\"", parts);
  loaded = strata_model_from_json (edited, -1, registry, STRATA_LOAD_NONE, &error);
  g_assert_null (loaded);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "$.config.layers[1]"));
}

/* A clone resolves the classes inside wrappers with the registry its source
 * was loaded with, and gets initialised weights even from a metadata-only
 * source. */
static void
test_clone_scoped_registry (void)
{
  static const char json[] =
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"seq\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 3, 4], "
    "\"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"in\"}}, "
    "{\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"trainable\": true, "
    "\"dtype\": \"float32\", \"layer\": {\"class_name\": \"Custom>ScaleLayer\", \"config\": "
    "{\"name\": \"scaler\", \"trainable\": true, \"dtype\": \"float32\", \"factor\": 0.5, "
    "\"pool_size\": 3, \"label\": \"x\"}}}}]}, \"keras_version\": \"2.15.0\", \"backend\": \"tensorflow\"}";
  g_autoptr(StrataRegistry) registry = strata_registry_new (strata_registry_get_default ());
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) copy = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(GError) error = NULL;
  StrataLayer *td;
  StrataTensor *scale;

  g_assert_true (strata_registry_register (registry, "Custom>ScaleLayer", TEST_TYPE_SCALE_LAYER, &error));
  g_assert_no_error (error);
  model = strata_model_from_json (json, -1, registry, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);

  copy = strata_model_clone (model, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  td = strata_model_get_layer (copy, "td");
  g_assert_nonnull (td);
  g_assert_true (td != strata_model_get_layer (model, "td"));
  weights = strata_layer_get_weights (td);
  g_assert_cmpuint (weights->len, ==, 1);
  scale = g_ptr_array_index (weights, 0);
  g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (scale), 0), ==, 4);
  g_assert_true (strata_tensor_has_data (scale));
  g_assert_cmpuint (strata_layer_get_load_flags (td) & STRATA_LOAD_METADATA_ONLY, ==, 0);
  g_assert_true (strata_layer_get_load_registry (td) == registry);
}

/* ---- compile ------------------------------------------------------------------- */

static void
test_compile (void)
{
  g_autoptr(StrataModel) model = load_generated ("fixtures/generated/tf_keras/sequential_dense.config.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) missing_loss = strata_json_parse (
    "{\"optimizer_config\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.001}}}", -1, NULL);
  g_autoptr(JsonNode) bad_optimizer = strata_json_parse (
    "{\"loss\": \"mse\", \"optimizer_config\": \"adam\"}", -1, NULL);
  g_autoptr(JsonNode) good = strata_json_parse (
    "{\"loss\": \"categorical_crossentropy\", \"metrics\": [\"accuracy\"], \"loss_weights\": null, "
    "\"optimizer_config\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.001}}}", -1, NULL);

  g_assert_false (strata_model_is_compiled (model));
  g_assert_false (strata_model_compile (model, json_node_get_object (missing_loss), &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "loss"));
  g_clear_error (&error);
  g_assert_false (strata_model_compile (model, json_node_get_object (bad_optimizer), &error));
  g_assert_nonnull (strstr (error->message, "optimizer_config"));
  g_clear_error (&error);
  g_assert_false (strata_model_is_compiled (model));

  g_assert_true (strata_model_compile (model, json_node_get_object (good), &error));
  g_assert_no_error (error);
  g_assert_true (strata_model_is_compiled (model));
  g_assert_cmpstr (strata_optimizer_get_class_name (strata_model_get_optimizer (model)), ==, "Adam");
  g_assert_cmpstr (json_object_get_string_member (strata_model_get_training_config (model), "loss"), ==,
                   "categorical_crossentropy");
}

static void
test_keras_version (void)
{
  g_autoptr(StrataModel) k2 = load_generated ("fixtures/generated/tf_keras/sequential_dense.config.json");
  g_autoptr(StrataModel) k3 = load_generated ("fixtures/generated/keras/sequential_dense.config.json");
  g_autofree char *k3_as_k2 = strata_model_to_json (k3, STRATA_KERAS_DIALECT_KERAS2, FALSE);

  g_assert_cmpstr (strata_model_get_keras_version (k2), ==, "2.21.0");
  g_assert_cmpstr (strata_model_get_backend (k2), ==, "tensorflow");
  g_assert_cmpint (strata_model_get_dialect (k3), ==, STRATA_KERAS_DIALECT_KERAS3);
  /* Keras 3 to_json has no version; written as Keras 2 it gets one. */
  g_assert_null (strata_model_get_keras_version (k3));
  g_assert_nonnull (strstr (k3_as_k2, "\"keras_version\": \"2."));
  /* Entry-level Keras 3 keys go; nested objects inside configs stay as read. */
  g_assert_null (strstr (k3_as_k2, "\"module\": \"keras.layers\""));
  g_assert_null (strstr (k3_as_k2, "\"registered_name\": null, \"build_config\""));
}

/* A model type given to strata_layer_new_from_config() (as a wrapper or a
 * registry does) gets its whole graph. */
static void
test_model_from_layer_config (void)
{
  g_autoptr(StrataModel) model = load_generated ("fixtures/generated/tf_keras/functional_multi_output.config.json");
  g_autoptr(JsonObject) config = strata_layer_get_config (STRATA_LAYER (model));
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) copy = strata_layer_new_from_config (STRATA_TYPE_MODEL, config, STRATA_LOAD_NONE, &error);
  g_autoptr(JsonObject) copy_config = NULL;
  g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);

  g_assert_no_error (error);
  g_assert_true (STRATA_IS_MODEL (copy));
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (copy)), ==, strata_model_get_n_layers (model));
  g_assert_cmpuint (strata_layer_count_params (copy), ==, strata_layer_count_params (STRATA_LAYER (model)));
  copy_config = strata_layer_get_config (copy);
  json_node_set_object (a, config);
  json_node_set_object (b, copy_config);
  g_assert_true (strata_json_equal (a, b));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/weights/set-weights", test_set_weights);
  g_test_add_func ("/model/weights/trainable", test_trainable);
  g_test_add_func ("/model/summary/fixtures", test_summary);
  g_test_add_func ("/model/summary/format", test_summary_format);
  g_test_add_func ("/model/clone", test_clone);
  g_test_add_func ("/model/clone-scoped-registry", test_clone_scoped_registry);
  g_test_add_func ("/model/sequential/add-pop", test_sequential);
  g_test_add_func ("/model/sequential/deferred", test_sequential_deferred);
  g_test_add_func ("/model/custom-class", test_custom_class);
  g_test_add_func ("/model/compile", test_compile);
  g_test_add_func ("/model/keras-version", test_keras_version);
  g_test_add_func ("/model/from-layer-config", test_model_from_layer_config);
  return g_test_run ();
}
