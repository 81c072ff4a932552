/* test-graph.c: functional graphs against what real Keras wrote
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The layer order Strata computes (spec §6.7) is compared with the order of
 * "layers" in configs that Keras itself wrote; weights with the names and
 * shapes Keras listed (tests/fixtures/generated/ expected.json files, made by
 * real tf-keras 2.21 and Keras 3.15); nested-model node indices with the
 * ones each Keras version writes.
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
load_file (const char      *path,
           StrataLoadFlags  flags,
           GError         **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return strata_model_from_json (contents, length, NULL, flags, error);
}

static StrataKerasTensor *
call1 (StrataLayer       *layer,
       StrataKerasTensor *input)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (inputs, input);
  outputs = strata_layer_call (layer, inputs, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outputs->len, ==, 1);
  return g_object_ref (g_ptr_array_index (outputs, 0));
}

/* Checks that the model's layers come in the order of the file's
 * config.layers (for Sequential: the entries after an InputLayer). */
static gboolean
order_matches_file (StrataModel *model,
                    JsonObject  *root,
                    GString     *why)
{
  JsonObject *config = json_object_get_object_member (root, "config");
  JsonArray *entries = json_object_get_array_member (config, "layers");
  guint n = strata_model_get_n_layers (model);

  if (json_array_get_length (entries) != n)
    {
      g_string_append_printf (why, "%u layers in the file, %u in the model",
                              json_array_get_length (entries), n);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *expected = json_object_get_string_member (entry, "name");
      const char *found = strata_layer_get_name (strata_model_get_layer_at (model, i));

      if (g_strcmp0 (expected, found) != 0)
        {
          g_string_append_printf (why, "layer %u is '%s' in the file, '%s' in the model", i, expected, found);
          return FALSE;
        }
    }
  return TRUE;
}

static void
test_order_real (void)
{
  g_autofree char *marker = strata_test_real_fixture_path ("MANIFEST.md");
  g_autofree char *generated = strata_test_src_path ("fixtures/generated");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_checked = 0;

  if (marker == NULL)
    return;
  strata_test_collect_files (strata_test_real_fixtures (), (const char *[]) { ".json", NULL }, files);
  strata_test_collect_files (generated, (const char *[]) { ".config.json", NULL }, files);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autoptr(JsonNode) root = read_json (path);
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) why = g_string_new (NULL);
      JsonObject *object;
      const char *class_name;

      if (!JSON_NODE_HOLDS_OBJECT (root))
        continue;
      object = json_node_get_object (root);
      class_name = json_object_get_string_member_with_default (object, "class_name", "");
      if (!g_str_equal (class_name, "Model") && !g_str_equal (class_name, "Functional"))
        continue;

      model = load_file (path, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY, &error);
      if (model == NULL)
        {
          /* With unknown classes allowed, every config loads (see
           * test-json-corpus.c). */
          g_test_message ("not loaded %s: %s", path, error->message);
          g_test_fail ();
          continue;
        }
      if (!order_matches_file (model, object, why))
        {
          g_test_message ("%s: %s", path, why->str);
          g_test_fail ();
        }
      n_checked++;
    }
  g_test_message ("layer order checked against %u functional configs written by Keras", n_checked);
  g_assert_cmpuint (n_checked, >=, 20);
}

/* get_weights order, names and shapes as real Keras listed them. */
static void
test_weights_generated (void)
{
  g_autofree char *dir = strata_test_src_path ("fixtures/generated");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_checked = 0;

  strata_test_collect_files (dir, (const char *[]) { ".config.json", NULL }, files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *stem = g_strndup (path, strlen (path) - strlen (".config.json"));
      g_autofree char *expected_path = g_strconcat (stem, ".expected.json", NULL);
      g_autoptr(JsonNode) expected = NULL;
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) weights = NULL;
      g_auto(GStrv) names = NULL;
      JsonArray *listed;
      guint64 total = 0;
      gboolean keras3;

      if (!g_file_test (expected_path, G_FILE_TEST_EXISTS))
        continue;
      expected = read_json (expected_path);
      listed = json_object_get_array_member (json_node_get_object (expected), "weights");
      keras3 = g_str_has_prefix (json_object_get_string_member (json_node_get_object (expected), "keras_version"), "3.");

      model = load_file (path, STRATA_LOAD_METADATA_ONLY, &error);
      g_assert_no_error (error);
      weights = strata_layer_get_weights (STRATA_LAYER (model));
      names = strata_layer_get_weight_names (STRATA_LAYER (model));
      g_test_message ("%s: %u weights", path, weights->len);
      g_assert_cmpuint (weights->len, ==, json_array_get_length (listed));
      g_assert_cmpuint (g_strv_length (names), ==, weights->len);

      for (guint j = 0; j < weights->len; j++)
        {
          JsonObject *w = json_array_get_object_element (listed, j);
          g_autoptr(StrataShape) shape = strata_json_to_shape (json_object_get_member (w, "shape"), "shape", NULL);
          const char *name = json_object_get_string_member (w, "name");
          g_autofree char *found = strata_shape_to_string (strata_tensor_get_shape (g_ptr_array_index (weights, j)));
          g_autofree char *want = strata_shape_to_string (shape);
          guint64 n;

          g_assert_cmpstr (found, ==, want);
          g_assert_true (strata_shape_get_n_elements (shape, &n));
          total += n;
          /* Strata names weights as tf-keras does ("layer/weight:0"); Keras 3
           * drops the ":0" and prefixes nested models' names. The layer
           * (first part) and the weight (last part) must match; the middle
           * ("lstm_cell/") is the layer class's business. */
          if (!strata_test_weight_name_matches (names[j], name))
            g_error ("%s: weight %u: Keras calls it %s, Strata %s", path, j, name, names[j]);
          if (!g_str_equal (names[j], name) && !keras3)
            g_test_message ("  weight %u: Keras calls it %s, Strata %s", j, name, names[j]);
        }
      g_assert_cmpuint (strata_layer_count_params (STRATA_LAYER (model)), ==, total);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, >=, 10);
}

static JsonArray *
first_inbound_of (JsonObject *top,
                  const char *layer)
{
  JsonArray *layers = json_object_get_array_member (json_object_get_object_member (top, "config"), "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = json_array_get_object_element (layers, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "name"), layer) == 0)
        return json_object_get_array_member (entry, "inbound_nodes");
    }
  g_assert_not_reached ();
  return NULL;
}

/* The layer that consumes a nested Sequential refers to its node 1 in
 * Keras 2 (construction node 0) and node 0 in Keras 3 (spec §6.3), as the
 * real files of both versions show. Converting between them keeps that. */
static void
test_nested_offsets (void)
{
  g_autofree char *k2_path = strata_test_src_path ("fixtures/generated/tf_keras/conv_batchnorm_nested.config.json");
  g_autofree char *k3_path = strata_test_src_path ("fixtures/generated/keras/conv_batchnorm_nested.config.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) k2 = load_file (k2_path, STRATA_LOAD_METADATA_ONLY, &error);
  g_autoptr(StrataModel) k3 = NULL;
  g_autoptr(JsonObject) as_k3 = NULL;
  g_autoptr(JsonObject) as_k2 = NULL;
  g_autoptr(StrataModel) back = NULL;
  g_autofree char *k2_text = NULL, *back_text = NULL, *k3_text = NULL;
  JsonArray *inbound;
  JsonObject *call;
  JsonArray *history;
  StrataLayer *inner;

  g_assert_no_error (error);
  k3 = load_file (k3_path, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_model_get_dialect (k2), ==, STRATA_KERAS_DIALECT_KERAS2);
  g_assert_cmpint (strata_model_get_dialect (k3), ==, STRATA_KERAS_DIALECT_KERAS3);

  inner = strata_model_get_layer (k2, "inner_block");
  g_assert_true (STRATA_IS_SEQUENTIAL (inner));
  g_assert_cmpuint (strata_model_get_n_layers (STRATA_MODEL (inner)), ==, 3);
  g_assert_null (strata_model_get_layer_at (STRATA_MODEL (inner), 3));
  g_assert_cmpstr (strata_layer_get_class_name (strata_model_get_layer_at (STRATA_MODEL (inner), 0)), ==, "Conv2D");

  /* Keras 2 -> Keras 3: the reference becomes node 0 and a __keras_tensor__. */
  as_k3 = strata_model_to_config_object (k2, STRATA_KERAS_DIALECT_KERAS3);
  inbound = first_inbound_of (as_k3, "pool");
  call = json_array_get_object_element (inbound, 0);
  history = json_object_get_array_member (json_object_get_object_member (
              json_array_get_object_element (json_object_get_array_member (call, "args"), 0), "config"),
            "keras_history");
  g_assert_cmpstr (json_array_get_string_element (history, 0), ==, "inner_block");
  g_assert_cmpint (json_array_get_int_element (history, 1), ==, 0);

  /* Keras 3 -> Keras 2: node 1, as tf-keras wrote it. */
  as_k2 = strata_model_to_config_object (k3, STRATA_KERAS_DIALECT_KERAS2);
  inbound = first_inbound_of (as_k2, "pool");
  history = json_array_get_array_element (json_array_get_array_element (inbound, 0), 0);
  g_assert_cmpstr (json_array_get_string_element (history, 0), ==, "inner_block");
  g_assert_cmpint (json_array_get_int_element (history, 1), ==, 1);

  /* Round trip through the other dialect keeps the Keras 2 text. */
  k2_text = strata_model_to_json (k2, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  k3_text = strata_model_to_json (k2, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  back = strata_model_from_json (k3_text, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_model_get_dialect (back), ==, STRATA_KERAS_DIALECT_KERAS3);
  g_assert_cmpuint (strata_model_get_n_layers (back), ==, strata_model_get_n_layers (k2));
  for (guint i = 0; i < strata_model_get_n_layers (k2); i++)
    g_assert_cmpstr (strata_layer_get_name (strata_model_get_layer_at (back, i)), ==,
                     strata_layer_get_name (strata_model_get_layer_at (k2, i)));
  g_assert_cmpuint (strata_layer_count_params (STRATA_LAYER (back)), ==,
                    strata_layer_count_params (STRATA_LAYER (k2)));
}

/* Spec §8: Input -> two Dense -> Concatenate -> Dense gives layer_names
 * [input_1, dense, dense_1, concatenate, dense_2] in tf-keras. */
static void
test_order_in_code (void)
{
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { 4 });
  g_autoptr(StrataKerasTensor) input = strata_input (shape, NULL, "input_1");
  g_autoptr(StrataLayer) dense = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3}}");
  g_autoptr(StrataLayer) dense_1 = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 5}}");
  g_autoptr(StrataLayer) concat = strata_test_layer_from_json ("{\"class_name\": \"Concatenate\", \"config\": {\"name\": \"concatenate\"}}");
  g_autoptr(StrataLayer) dense_2 = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_2\", \"units\": 2}}");
  g_autoptr(StrataKerasTensor) a = call1 (dense, input);
  g_autoptr(StrataKerasTensor) b = call1 (dense_1, input);
  g_autoptr(GPtrArray) pair = g_ptr_array_new ();
  g_autoptr(GPtrArray) merged = NULL;
  g_autoptr(StrataKerasTensor) out = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "input_1", "dense", "dense_1", "concatenate", "dense_2" };
  g_autofree char *shape_text = NULL;

  g_ptr_array_add (pair, a);
  g_ptr_array_add (pair, b);
  merged = strata_layer_call (concat, pair, NULL, &error);
  g_assert_no_error (error);
  shape_text = strata_shape_to_string (strata_keras_tensor_get_shape (g_ptr_array_index (merged, 0)));
  g_assert_cmpstr (shape_text, ==, "(None, 8)");
  out = call1 (dense_2, g_ptr_array_index (merged, 0));

  g_ptr_array_add (inputs, input);
  g_ptr_array_add (outputs, out);
  model = strata_model_new (inputs, outputs, "two_branches", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_model_get_n_layers (model), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (strata_layer_get_name (strata_model_get_layer_at (model, i)), ==, expected[i]);
  g_assert_true (strata_model_get_layer (model, "concatenate") == concat);
  g_assert_null (strata_model_get_layer (model, "missing"));
  /* Dense(3) on 4 inputs, Dense(5) on 4, Dense(2) on 8. */
  g_assert_cmpuint (strata_model_count_params (model, NULL, NULL), ==, (4 * 3 + 3) + (4 * 5 + 5) + (8 * 2 + 2));
}

/* A layer called twice (shared) and a model called as a layer. */
static void
test_shared_and_nested (void)
{
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { 6 });
  g_autoptr(StrataKerasTensor) x1 = strata_input (shape, NULL, "left");
  g_autoptr(StrataKerasTensor) x2 = strata_input (shape, NULL, "right");
  g_autoptr(StrataLayer) shared = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"shared\", \"units\": 2}}");
  g_autoptr(StrataKerasTensor) y1 = call1 (shared, x1);
  g_autoptr(StrataKerasTensor) y2 = call1 (shared, x2);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr(StrataModel) inner = NULL, outer = NULL, reread = NULL;
  g_autoptr(StrataKerasTensor) z1 = NULL, z2 = NULL;
  g_autoptr(GPtrArray) pair = g_ptr_array_new ();
  g_autoptr(GPtrArray) pair_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL, *json2 = NULL;
  g_autoptr(GPtrArray) weights = NULL;

  g_ptr_array_add (inputs, x1);
  g_ptr_array_add (inputs, x2);
  g_ptr_array_add (outputs, y1);
  g_ptr_array_add (outputs, y2);
  inner = strata_model_new (inputs, outputs, "siamese", &error);
  g_assert_no_error (error);
  /* The shared layer is listed once and its weights count once. */
  g_assert_cmpuint (strata_model_get_n_layers (inner), ==, 3);
  weights = strata_layer_get_weights (STRATA_LAYER (inner));
  g_assert_cmpuint (weights->len, ==, 2);
  g_assert_cmpuint (strata_model_count_params (inner, NULL, NULL), ==, 6 * 2 + 2);

  /* Call the model inside another model. */
  z1 = strata_input (shape, NULL, "a");
  z2 = strata_input (shape, NULL, "b");
  g_ptr_array_add (pair, z1);
  g_ptr_array_add (pair, z2);
  pair_out = strata_layer_call (STRATA_LAYER (inner), pair, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pair_out->len, ==, 2);
  outer = strata_model_new (pair, pair_out, "outer", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_model_get_n_layers (outer), ==, 3);
  g_assert_cmpuint (strata_model_count_params (outer, NULL, NULL), ==, 6 * 2 + 2);

  /* Keras 2 text: the nested model's first call is node 1, the shared
   * layer's second call node 1; reading it back gives the same text. */
  json = strata_model_to_json (outer, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_nonnull (strstr (json, "[[\"siamese\", 1, 0], [\"siamese\", 1, 1]]"));
  g_assert_nonnull (strstr (json, "[[[\"left\", 0, 0, {}]], [[\"right\", 0, 0, {}]]]"));
  reread = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  json2 = strata_model_to_json (reread, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_cmpstr (json, ==, json2);
}

/* One layer applied twice in a row: listed once, its second call reads
 * its first call's output (node 0 -> node 1), no reference cycle. */
static void
test_layer_applied_twice (void)
{
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { 4 });
  g_autoptr(StrataKerasTensor) x = strata_input (shape, NULL, "x");
  g_autoptr(StrataLayer) square = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"square\", \"units\": 4}}");
  g_autoptr(StrataKerasTensor) once = call1 (square, x);
  g_autoptr(StrataKerasTensor) twice = call1 (square, once);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr(StrataModel) model = NULL, reread = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL, *json2 = NULL;
  GWeakRef weak;

  g_ptr_array_add (inputs, x);
  g_ptr_array_add (outputs, twice);
  model = strata_model_new (inputs, outputs, "twice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_model_get_n_layers (model), ==, 2);
  g_assert_cmpuint (strata_keras_tensor_get_node_index (twice), ==, 1);
  json = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  g_assert_nonnull (strstr (json, "\"inbound_nodes\": [[[\"x\", 0, 0, {}]], [[\"square\", 0, 0, {}]]]"));
  g_assert_nonnull (strstr (json, "\"output_layers\": [[\"square\", 1, 0]]"));
  reread = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  json2 = strata_model_to_json (reread, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  g_assert_cmpstr (json, ==, json2);

  /* Dropping everything frees the layer. */
  g_weak_ref_init (&weak, square);
  g_clear_object (&model);
  g_clear_object (&once);
  g_clear_object (&twice);
  g_ptr_array_set_size (outputs, 0);
  g_clear_object (&square);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
}

/* Nodes read from a file are written back as read, but not once a layer
 * they name has been renamed. */
static void
test_rename (void)
{
  const char *files[] = { "fixtures/generated/tf_keras/functional_multi_output.config.json",
                          "fixtures/generated/keras/functional_multi_output.config.json" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = strata_test_src_path (files[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = load_file (path, STRATA_LOAD_METADATA_ONLY, &error);
      g_autoptr(StrataModel) reread = NULL;
      g_autofree char *json = NULL;

      g_assert_no_error (error);
      strata_layer_set_name (strata_model_get_layer (model, "trunk"), "body");
      strata_layer_set_name (strata_model_get_layer (model, "out_binary"), "probability");
      json = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
      g_assert_null (strstr (json, "\"trunk\""));
      g_assert_null (strstr (json, "\"out_binary\""));
      reread = strata_model_from_json (json, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strata_model_get_layer (reread, "body"));
      g_assert_cmpstr (strata_layer_get_name (strata_keras_tensor_get_layer (
                         g_ptr_array_index (strata_model_peek_outputs (reread), 1))), ==, "probability");
      g_assert_cmpuint (strata_model_get_n_layers (reread), ==, strata_model_get_n_layers (model));
    }
}

static void
test_graph_errors (void)
{
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { 3 });
  g_autoptr(StrataKerasTensor) x1 = strata_input (shape, NULL, "x1");
  g_autoptr(StrataKerasTensor) x2 = strata_input (shape, NULL, "x2");
  g_autoptr(StrataLayer) add = strata_test_layer_from_json ("{\"class_name\": \"Add\", \"config\": {\"name\": \"add\"}}");
  g_autoptr(StrataLayer) dup = strata_test_layer_from_json ("{\"class_name\": \"Dense\", \"config\": {\"name\": \"x1\", \"units\": 2}}");
  g_autoptr(GPtrArray) both = g_ptr_array_new ();
  g_autoptr(GPtrArray) sum = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr(StrataKerasTensor) d = NULL;
  g_autoptr(GError) error = NULL;
  StrataModel *model;

  g_ptr_array_add (both, x1);
  g_ptr_array_add (both, x2);
  sum = strata_layer_call (add, both, NULL, &error);
  g_assert_no_error (error);

  /* x2 is not an input: Keras "Graph disconnected". */
  g_ptr_array_add (inputs, x1);
  g_ptr_array_add (outputs, g_ptr_array_index (sum, 0));
  model = strata_model_new (inputs, outputs, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH);
  g_assert_nonnull (strstr (error->message, "disconnected"));
  g_assert_nonnull (strstr (error->message, "“x2”"));
  g_clear_error (&error);

  /* Two layers called "x1". */
  d = call1 (dup, x1);
  g_ptr_array_set_size (outputs, 0);
  g_ptr_array_add (outputs, d);
  model = strata_model_new (inputs, outputs, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH);
  g_assert_nonnull (strstr (error->message, "“x1”"));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/graph/order-real", test_order_real);
  g_test_add_func ("/model/graph/weights-generated", test_weights_generated);
  g_test_add_func ("/model/graph/nested-offsets", test_nested_offsets);
  g_test_add_func ("/model/graph/order-in-code", test_order_in_code);
  g_test_add_func ("/model/graph/shared-and-nested", test_shared_and_nested);
  g_test_add_func ("/model/graph/layer-applied-twice", test_layer_applied_twice);
  g_test_add_func ("/model/graph/rename", test_rename);
  g_test_add_func ("/model/graph/errors", test_graph_errors);
  return g_test_run ();
}
