/* test-diff.c: StrataModelDiff and `strata diff A B` on real fixtures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <strata.h>

#include "test-utils.h"

static char *
fixture (const char *name)
{
  g_autofree char *relative = g_build_filename ("fixtures", "generated", "tf_keras", name, NULL);
  return strata_test_src_path (relative);
}

static StrataModel *
load_fixture (const char     *name,
              StrataLoadFlags flags)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(GError) error = NULL;
  StrataModel *model;

  strata_load_options_set_flags (options, strata_load_options_get_flags (options) | flags);
  model = strata_load_model (file, options, NULL, &error);
  g_assert_no_error (error);
  return model;
}

/* Adds @delta to the first value of the first weight of @layer. */
static void
nudge_first_weight (StrataLayer *layer,
                    float        delta)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);
  g_autoptr(GPtrArray) updated = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree float *values = NULL;
  gsize n = 0;

  g_assert_cmpuint (weights->len, >, 0);
  values = strata_tensor_to_floats (weights->pdata[0], &n, &error);
  g_assert_no_error (error);
  values[0] = isnan (delta) ? NAN : values[0] + delta;
  g_ptr_array_add (updated, strata_tensor_new_from_floats (strata_tensor_get_shape (weights->pdata[0]),
                                                           values, n, &error));
  g_assert_no_error (error);
  for (guint i = 1; i < weights->len; i++)
    g_ptr_array_add (updated, g_object_ref (weights->pdata[i]));
  g_assert_true (strata_layer_set_weights (layer, updated, &error));
  g_assert_no_error (error);
}

/* The first layer of @model that has weights. */
static StrataLayer *
first_layer_with_weights (StrataModel *model)
{
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);

      if (strata_layer_get_n_weights (layer) > 0)
        return layer;
    }
  g_assert_not_reached ();
}

static void
test_identical (void)
{
  g_autoptr(StrataModel) a = load_fixture ("functional_multi_output.h5", 0);
  g_autoptr(StrataModel) b = load_fixture ("functional_multi_output.h5", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = strata_model_diff_new (a, b, NULL, &error);
  GPtrArray *layers;
  guint n_weights = 0;

  g_assert_no_error (error);
  g_assert_true (strata_model_diff_is_identical (diff));
  layers = strata_model_diff_get_layers (diff);
  g_assert_cmpuint (layers->len, ==, strata_model_get_n_layers (a));
  for (guint i = 0; i < layers->len; i++)
    {
      StrataLayerDiff *layer = layers->pdata[i];
      GPtrArray *weights = strata_layer_diff_get_weights (layer);

      g_assert_cmpint (strata_layer_diff_get_status (layer), ==, STRATA_DIFF_IDENTICAL);
      g_assert_null (strata_layer_diff_get_changed_keys (layer)[0]);
      g_assert_cmpuint (weights->len, ==,
                        strata_layer_get_n_weights (strata_model_get_layer_at (a, i)));
      for (guint j = 0; j < weights->len; j++)
        {
          g_assert_cmpint (strata_weight_diff_get_status (weights->pdata[j]), ==, STRATA_DIFF_IDENTICAL);
          g_assert_cmpfloat (strata_weight_diff_get_max_abs_diff (weights->pdata[j]), ==, 0.);
        }
      n_weights += weights->len;
    }
  g_assert_cmpuint (n_weights, >, 0);
}

static StrataLayerDiff *
find_layer_diff (StrataModelDiff *diff,
                 const char      *name)
{
  GPtrArray *layers = strata_model_diff_get_layers (diff);

  for (guint i = 0; i < layers->len; i++)
    if (g_strcmp0 (strata_layer_diff_get_name (layers->pdata[i]), name) == 0)
      return layers->pdata[i];
  return NULL;
}

static void
test_changed_weight (void)
{
  g_autoptr(StrataModel) a = load_fixture ("functional_multi_output.h5", 0);
  g_autoptr(StrataModel) b = load_fixture ("functional_multi_output.h5", 0);
  StrataLayer *changed = first_layer_with_weights (b);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = NULL;
  StrataLayerDiff *layer;
  GPtrArray *weights;

  nudge_first_weight (changed, 0.25f);
  diff = strata_model_diff_new (a, b, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (strata_model_diff_is_identical (diff));
  layer = find_layer_diff (diff, strata_layer_get_name (changed));
  g_assert_nonnull (layer);
  g_assert_cmpint (strata_layer_diff_get_status (layer), ==, STRATA_DIFF_CHANGED);
  g_assert_null (strata_layer_diff_get_changed_keys (layer)[0]);
  weights = strata_layer_diff_get_weights (layer);
  g_assert_cmpint (strata_weight_diff_get_status (weights->pdata[0]), ==, STRATA_DIFF_CHANGED);
  g_assert_true (strata_weight_diff_get_same_shape (weights->pdata[0]));
  g_assert_cmpfloat_with_epsilon (strata_weight_diff_get_max_abs_diff (weights->pdata[0]), 0.25, 1e-6);
  for (guint j = 1; j < weights->len; j++)
    g_assert_cmpint (strata_weight_diff_get_status (weights->pdata[j]), ==, STRATA_DIFF_IDENTICAL);
  /* Every other layer is untouched. */
  for (guint i = 0; i < strata_model_diff_get_layers (diff)->len; i++)
    if (strata_model_diff_get_layers (diff)->pdata[i] != layer)
      g_assert_cmpint (strata_layer_diff_get_status (strata_model_diff_get_layers (diff)->pdata[i]), ==,
                       STRATA_DIFF_IDENTICAL);
}

static void
test_nan_weight (void)
{
  g_autoptr(StrataModel) a = load_fixture ("sequential_dense.h5", 0);
  g_autoptr(StrataModel) b = load_fixture ("sequential_dense.h5", 0);
  StrataLayer *changed = first_layer_with_weights (b);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = NULL;
  StrataLayerDiff *layer;

  nudge_first_weight (changed, NAN);
  diff = strata_model_diff_new (a, b, NULL, &error);
  g_assert_no_error (error);
  layer = find_layer_diff (diff, strata_layer_get_name (changed));
  g_assert_true (isinf (strata_weight_diff_get_max_abs_diff (strata_layer_diff_get_weights (layer)->pdata[0])));
}

static void
test_changed_config (void)
{
  g_autoptr(StrataModel) a = load_fixture ("sequential_dense.h5", 0);
  g_autoptr(StrataModel) b = load_fixture ("sequential_dense.h5", 0);
  StrataLayer *changed = first_layer_with_weights (b);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = NULL;
  StrataLayerDiff *layer;
  const char * const *keys;

  strata_layer_set_trainable (changed, !strata_layer_get_trainable (changed));
  diff = strata_model_diff_new (a, b, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (strata_model_diff_is_identical (diff));
  layer = find_layer_diff (diff, strata_layer_get_name (changed));
  g_assert_cmpint (strata_layer_diff_get_status (layer), ==, STRATA_DIFF_CHANGED);
  keys = strata_layer_diff_get_changed_keys (layer);
  g_assert_cmpstr (keys[0], ==, "trainable");
  g_assert_null (keys[1]);
}

/* Two different models: layers named in one only are removed or added. */
static void
test_added_removed (void)
{
  g_autoptr(StrataModel) a = load_fixture ("sequential_dense.h5", 0);
  g_autoptr(StrataModel) b = load_fixture ("functional_multi_output.h5", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = strata_model_diff_new (a, b, NULL, &error);
  GPtrArray *layers;
  guint n_removed = 0, n_added = 0;

  g_assert_no_error (error);
  g_assert_false (strata_model_diff_is_identical (diff));
  layers = strata_model_diff_get_layers (diff);
  for (guint i = 0; i < layers->len; i++)
    {
      StrataLayerDiff *layer = layers->pdata[i];
      const char *name = strata_layer_diff_get_name (layer);
      gboolean in_a = strata_model_get_layer (a, name) != NULL;
      gboolean in_b = strata_model_get_layer (b, name) != NULL;
      StrataDiffStatus status = strata_layer_diff_get_status (layer);

      g_assert_true (in_a || in_b);
      if (!in_b)
        {
          g_assert_cmpint (status, ==, STRATA_DIFF_REMOVED);
          n_removed++;
        }
      else if (!in_a)
        {
          g_assert_cmpint (status, ==, STRATA_DIFF_ADDED);
          n_added++;
        }
      if (!in_a || !in_b)
        g_assert_cmpuint (strata_layer_diff_get_weights (layer)->len, ==, 0);
    }
  g_assert_cmpuint (n_removed, >, 0);
  g_assert_cmpuint (n_added, >, 0);
  /* Every layer of both models is listed once. */
  g_assert_cmpuint (layers->len, ==, strata_model_get_n_layers (a) + n_added);
  g_assert_cmpuint (layers->len, ==, strata_model_get_n_layers (b) + n_removed);
}

static void
test_without_weights (void)
{
  g_autoptr(StrataModel) a = load_fixture ("sequential_dense.h5", 0);
  g_autoptr(StrataModel) b = load_fixture ("sequential_dense.h5", STRATA_LOAD_METADATA_ONLY);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = strata_model_diff_new (a, b, NULL, &error);

  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_NOT_BUILT);
  g_assert_null (diff);
  g_assert_nonnull (strstr (error->message, "model 2"));
}

static void
test_cancelled (void)
{
  g_autoptr(StrataModel) a = load_fixture ("sequential_dense.h5", 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = NULL;

  g_cancellable_cancel (cancellable);
  diff = strata_model_diff_new (a, a, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (diff);
}

/* ---- strata diff ---------------------------------------------------------- */

static int
run_diff (const char *first,
          const char *second,
          gboolean    json,
          char      **out)
{
  const char *argv[] = { STRATA_TOOL_PATH, "diff", json ? "--json" : first, json ? first : second,
                         json ? second : NULL, NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "LANGUAGE", "C", TRUE);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", *out, err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_cli (void)
{
  g_autofree char *original = fixture ("functional_multi_output.h5");
  g_autoptr(StrataModel) model = load_fixture ("functional_multi_output.h5", 0);
  StrataLayer *changed = first_layer_with_weights (model);
  g_autofree char *dir = g_dir_make_tmp ("strata-diff-XXXXXX", NULL);
  g_autofree char *copy = g_build_filename (dir, "changed.h5", NULL);
  g_autoptr(GFile) copy_file = g_file_new_for_path (copy);
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (changed);
  g_autofree char *expected_line = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *layers;
  gboolean found = FALSE;

  nudge_first_weight (changed, 0.5f);
  g_assert_true (strata_model_save (model, copy_file, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_diff (original, original, FALSE, &out), ==, 0);
  g_assert_nonnull (strstr (out, "identical"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_diff (original, copy, FALSE, &out), ==, 1);
  expected_line = g_strdup_printf ("~ %s: weight “%s” differs by at most 0.5\n", strata_layer_get_name (changed),
                                   strata_tensor_get_name (weights->pdata[0]));
  g_test_message ("expected: %s", expected_line);
  g_assert_cmpstr (out, ==, expected_line);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_diff (original, copy, TRUE, &out), ==, 1);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "identical"));
  layers = json_object_get_array_member (json_node_get_object (root), "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, strata_model_get_n_layers (model));
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);

      if (g_strcmp0 (json_object_get_string_member (layer, "name"), strata_layer_get_name (changed)) != 0)
        {
          g_assert_cmpstr (json_object_get_string_member (layer, "status"), ==, "identical");
          continue;
        }
      found = TRUE;
      g_assert_cmpstr (json_object_get_string_member (layer, "status"), ==, "changed");
      g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (
                           json_object_get_array_member (layer, "weights"), 0), "max_abs_diff"), ==, 0.5);
    }
  g_assert_true (found);
  g_clear_pointer (&out, g_free);

  /* Trouble exits 2, as diff does. */
  g_assert_cmpint (run_diff (original, "/nonexistent/model.h5", FALSE, &out), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_diff (original, NULL, FALSE, &out), ==, 2);
  strata_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/diff/identical", test_identical);
  g_test_add_func ("/diff/changed-weight", test_changed_weight);
  g_test_add_func ("/diff/nan-weight", test_nan_weight);
  g_test_add_func ("/diff/changed-config", test_changed_config);
  g_test_add_func ("/diff/added-removed", test_added_removed);
  g_test_add_func ("/diff/without-weights", test_without_weights);
  g_test_add_func ("/diff/cancelled", test_cancelled);
  g_test_add_func ("/diff/cli", test_cli);
  return g_test_run ();
}
