/* test-custom-objects.c: real models whose initializers, regularizers and
 * constraints are custom functions and classes (generated/custom, written
 * by tests/fixtures/generate-custom.py with tf-keras 2.21 and Keras 3.15).
 * Strata loads them when the file supplies the weights, keeps those
 * entries as written and saves them back unchanged; it refuses to create
 * weights from an unknown initializer, naming it and the layer, unless the
 * load allows unknown classes: then the weights are zeros, and said so.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "test-utils.h"
#include "keras-archive.h"

static const char *const custom_keys[] = {
  "kernel_initializer", "bias_initializer", "kernel_regularizer",
  "bias_regularizer", "kernel_constraint", "bias_constraint",
};

static StrataModel *
load (const char *path, StrataLoadFlags flags, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();

  strata_load_options_set_flags (options, flags);
  return strata_load_model (file, options, NULL, error);
}

static JsonObject *
dense_config (StrataModel *model)
{
  StrataLayer *dense = strata_model_get_layer (model, "custom_dense");

  g_assert_nonnull (dense);
  return strata_layer_get_config (dense);
}

/* The sha256 of each weight's bytes against custom.expected.json, which
 * real Keras computed. */
static void
assert_expected_weights (StrataModel *model, const char *basename)
{
  g_autofree char *path = strata_test_src_path ("fixtures/generated/custom/custom.expected.json");
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));
  JsonArray *expected;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  root = strata_json_parse (contents, -1, NULL);
  g_assert_nonnull (root);
  expected = json_object_get_array_member (
    json_object_get_object_member (json_object_get_object_member (json_node_get_object (root), "files"),
                                   basename), "weights");
  g_assert_cmpuint (weights->len, ==, json_array_get_length (expected));
  for (guint i = 0; i < weights->len; i++)
    {
      GBytes *bytes = strata_tensor_get_data (g_ptr_array_index (weights, i));
      g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

      g_assert_cmpstr (digest, ==,
                       json_object_get_string_member (json_array_get_object_element (expected, i), "sha256"));
    }
}

static void
test_load_and_save (gconstpointer data)
{
  const char *basename = data;
  g_autofree char *relative = g_strconcat ("fixtures/generated/custom/", basename, NULL);
  g_autofree char *path = strata_test_src_path (relative);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *dir = NULL;
  const char *const targets[] = { "saved.h5", "saved.keras" };
  JsonObject *kernel_init;

  if (strata_formats_lookup (g_str_has_suffix (basename, ".keras") ? "keras-v3" : "h5") == NULL)
    {
      g_test_skip ("the format module is not built");
      return;
    }
  /* The file supplies the weights: the custom objects are no obstacle. */
  model = load (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  assert_expected_weights (model, basename);

  config = dense_config (model);
  kernel_init = json_object_get_object_member (config, "kernel_initializer");
  g_assert_cmpstr (json_object_get_string_member (kernel_init, "class_name"), ==, "function");
  g_assert_cmpstr (json_object_get_string_member (kernel_init, "config"), ==, "ones_plus");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (config, "bias_constraint"),
                                                  "class_name"), ==, "MaxAbs");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (config, "kernel_regularizer"),
                                                  "config"), ==, "tiny_l1");

  /* Saved back unchanged, in both formats. */
  dir = g_dir_make_tmp ("strata-custom-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(StrataModel) again = keras_archive_save_and_load (model, dir, targets[i]);
      g_autoptr(JsonObject) again_config = NULL;

      if (again == NULL)
        continue;
      again_config = dense_config (again);
      for (guint k = 0; k < G_N_ELEMENTS (custom_keys); k++)
        {
          g_autofree char *before = strata_json_to_string (json_object_get_member (config, custom_keys[k]), FALSE);
          g_autofree char *after = strata_json_to_string (json_object_get_member (again_config, custom_keys[k]), FALSE);

          g_test_message ("%s: %s", targets[i], custom_keys[k]);
          g_assert_cmpstr (after, ==, before);
        }
    }
  g_rmdir (dir);
}

/* Weights created from the config: refused, naming the initializer and the
 * layer; with STRATA_LOAD_ALLOW_UNKNOWN zeros, with a warning, listed as
 * uninitialized. */
static void
test_create_weights (void)
{
  g_autofree char *path = strata_test_src_path ("fixtures/generated/custom/keras_custom.h5");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) bare = NULL;
  g_autoptr(StrataModel) clone = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) uninitialized = NULL;
  StrataLayer *dense;
  g_autofree float *kernel = NULL;
  gsize n = 0;

  if (strata_formats_lookup ("h5") == NULL)
    {
      g_test_skip ("the h5 format module is not built");
      return;
    }
  model = load (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  json = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);

  bare = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_null (bare);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
  g_assert_nonnull (strstr (error->message, "“ones_plus”"));
  g_assert_nonnull (strstr (error->message, "custom_dense"));
  g_clear_error (&error);

  /* clone_model: new weights from the config, the same refusal */
  clone = strata_model_clone (model, NULL, NULL, &error);
  g_assert_null (clone);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
  g_assert_nonnull (strstr (error->message, "ones_plus"));
  g_clear_error (&error);

  /* one warning per zero-filled weight, naming its initializer */
  g_test_expect_message ("Strata", G_LOG_LEVEL_WARNING, "*custom_dense*kernel*ones_plus*");
  g_test_expect_message ("Strata", G_LOG_LEVEL_WARNING, "*custom_dense*bias*ScaledNormal*");
  bare = strata_model_from_json (json, -1, NULL, STRATA_LOAD_ALLOW_UNKNOWN, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (bare);
  dense = strata_model_get_layer (bare, "custom_dense");
  uninitialized = strata_layer_get_uninitialized_weights (dense);
  g_assert_cmpuint (g_strv_length (uninitialized), ==, 2);
  g_assert_cmpstr (uninitialized[0], ==, "kernel");
  g_assert_cmpstr (uninitialized[1], ==, "bias");
  g_assert_cmpstr (strata_layer_get_unknown_initializer (dense, "kernel"), ==, "ones_plus");
  g_assert_cmpstr (strata_layer_get_unknown_initializer (dense, "bias"), ==, "ScaledNormal");
  g_assert_null (strata_layer_get_unknown_initializer (strata_model_get_layer (bare, "plain"), "kernel"));
  kernel = strata_tensor_to_floats (strata_layer_get_weight (dense, "kernel"), &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 20);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (kernel[i], ==, 0.0f);

  /* Weights set from elsewhere are initialised. */
  {
    g_autoptr(GPtrArray) weights = strata_layer_get_weights (strata_model_get_layer (model, "custom_dense"));
    g_auto(GStrv) none = NULL;

    g_assert_true (strata_layer_set_weights (dense, weights, &error));
    g_assert_no_error (error);
    none = strata_layer_get_uninitialized_weights (dense);
    g_assert_cmpuint (g_strv_length (none), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  static const char *const files[] = {
    "tf_keras_custom.h5", "tf_keras_custom.keras", "keras_custom.h5", "keras_custom.keras",
  };

  strata_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *name = g_strdup_printf ("/custom-objects/load-save/%s", files[i]);
      g_test_add_data_func (name, files[i], test_load_and_save);
    }
  g_test_add_func ("/custom-objects/create-weights", test_create_weights);
  return g_test_run ();
}
