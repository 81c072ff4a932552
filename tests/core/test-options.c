/* test-options.c: load/save options, the weights report and StrataOptimizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"

typedef struct {
  guint   notified;
  guint   calls;
  double  last_fraction;
  char   *last_stage;
  guint   destroyed;
} Counters;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  ((Counters *) user_data)->notified++;
}

static void
on_progress (double      fraction,
             const char *stage,
             gpointer    user_data)
{
  Counters *c = user_data;

  c->calls++;
  c->last_fraction = fraction;
  g_free (c->last_stage);
  c->last_stage = g_strdup (stage);
}

static void
on_destroy (gpointer user_data)
{
  ((Counters *) user_data)->destroyed++;
}

static void
test_load_options_defaults (void)
{
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(StrataRegistry) registry = NULL;
  gboolean compile, by_name, skip_mismatch;
  StrataLoadFlags flags;
  g_autofree char *format = NULL;

  /* Keras' load_model defaults. */
  g_assert_true (strata_load_options_get_compile (options));
  g_assert_cmpint (strata_load_options_get_flags (options), ==, STRATA_LOAD_NONE);
  g_assert_null (strata_load_options_get_format (options));
  g_assert_false (strata_load_options_get_by_name (options));
  g_assert_false (strata_load_options_get_skip_mismatch (options));
  g_assert_true (strata_load_options_get_registry (options) == strata_registry_get_default ());

  g_object_get (options, "compile", &compile, "flags", &flags, "format", &format,
                "by-name", &by_name, "skip-mismatch", &skip_mismatch, "registry", &registry, NULL);
  g_assert_true (compile);
  g_assert_cmpint (flags, ==, STRATA_LOAD_NONE);
  g_assert_null (format);
  g_assert_false (by_name);
  g_assert_false (skip_mismatch);
  g_assert_true (registry == strata_registry_get_default ());
}

static void
test_load_options_set (void)
{
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(StrataRegistry) custom = strata_registry_new (strata_registry_get_default ());
  Counters c = { 0 };

  g_signal_connect (options, "notify", G_CALLBACK (on_notify), &c);

  strata_load_options_set_compile (options, FALSE);
  strata_load_options_set_compile (options, FALSE);
  g_assert_false (strata_load_options_get_compile (options));
  g_assert_cmpuint (c.notified, ==, 1);

  strata_load_options_set_flags (options, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY);
  strata_load_options_set_flags (options, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY);
  g_assert_cmpint (strata_load_options_get_flags (options), ==, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY);
  g_assert_cmpuint (c.notified, ==, 2);

  strata_load_options_set_format (options, "h5");
  strata_load_options_set_format (options, "h5");
  g_assert_cmpstr (strata_load_options_get_format (options), ==, "h5");
  g_assert_cmpuint (c.notified, ==, 3);

  g_object_set (options, "by-name", TRUE, "skip-mismatch", TRUE, "registry", custom, NULL);
  g_assert_true (strata_load_options_get_by_name (options));
  g_assert_true (strata_load_options_get_skip_mismatch (options));
  g_assert_true (strata_load_options_get_registry (options) == custom);
  g_assert_cmpuint (c.notified, ==, 6);

  strata_load_options_set_registry (options, NULL);
  g_assert_true (strata_load_options_get_registry (options) == strata_registry_get_default ());
  g_assert_cmpuint (c.notified, ==, 7);
}

static void
test_load_options_progress (void)
{
  StrataLoadOptions *options = strata_load_options_new ();
  Counters first = { 0 };
  Counters second = { 0 };

  /* No callback: reporting does nothing. */
  strata_load_options_report_progress (options, 0.5, "weights");

  strata_load_options_set_progress_func (options, on_progress, &first, on_destroy);
  strata_load_options_report_progress (options, 0.25, "config");
  g_assert_cmpuint (first.calls, ==, 1);
  g_assert_cmpfloat (first.last_fraction, ==, 0.25);
  g_assert_cmpstr (first.last_stage, ==, "config");
  strata_load_options_report_progress (options, 1.5, NULL);
  g_assert_cmpfloat (first.last_fraction, ==, 1.0);
  g_assert_null (first.last_stage);
  strata_load_options_report_progress (options, -1, NULL);
  g_assert_cmpfloat (first.last_fraction, ==, 0.0);

  /* Replacing the callback frees the old data; finalizing frees the new. */
  strata_load_options_set_progress_func (options, on_progress, &second, on_destroy);
  g_assert_cmpuint (first.destroyed, ==, 1);
  strata_load_options_report_progress (options, 0.75, "weights");
  g_assert_cmpuint (first.calls, ==, 3);
  g_assert_cmpuint (second.calls, ==, 1);
  g_object_unref (options);
  g_assert_cmpuint (second.destroyed, ==, 1);
  g_assert_cmpuint (first.destroyed, ==, 1);

  g_free (first.last_stage);
  g_free (second.last_stage);
}

static void
test_save_options (void)
{
  StrataSaveOptions *options = strata_save_options_new ();
  Counters c = { 0 };
  Counters progress = { 0 };
  StrataKerasDialect dialect;
  gboolean overwrite, include_optimizer;

  /* Keras' model.save defaults. */
  g_assert_true (strata_save_options_get_overwrite (options));
  g_assert_true (strata_save_options_get_include_optimizer (options));
  g_assert_null (strata_save_options_get_format (options));
  g_assert_cmpint (strata_save_options_get_dialect (options), ==, STRATA_KERAS_DIALECT_AUTO);

  g_signal_connect (options, "notify", G_CALLBACK (on_notify), &c);
  strata_save_options_set_overwrite (options, FALSE);
  strata_save_options_set_overwrite (options, FALSE);
  strata_save_options_set_include_optimizer (options, FALSE);
  strata_save_options_set_format (options, "keras-v3");
  strata_save_options_set_format (options, "keras-v3");
  strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS3);
  strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS3);
  g_assert_cmpuint (c.notified, ==, 4);

  g_object_get (options, "overwrite", &overwrite, "include-optimizer", &include_optimizer,
                "dialect", &dialect, NULL);
  g_assert_false (overwrite);
  g_assert_false (include_optimizer);
  g_assert_cmpint (dialect, ==, STRATA_KERAS_DIALECT_KERAS3);
  g_assert_cmpstr (strata_save_options_get_format (options), ==, "keras-v3");

  g_object_set (options, "format", NULL, "dialect", STRATA_KERAS_DIALECT_KERAS1, NULL);
  g_assert_null (strata_save_options_get_format (options));
  g_assert_cmpint (strata_save_options_get_dialect (options), ==, STRATA_KERAS_DIALECT_KERAS1);

  strata_save_options_set_progress_func (options, on_progress, &progress, on_destroy);
  strata_save_options_report_progress (options, 0.5, "writing");
  g_assert_cmpuint (progress.calls, ==, 1);
  g_assert_cmpstr (progress.last_stage, ==, "writing");
  strata_save_options_set_progress_func (options, NULL, NULL, NULL);
  g_assert_cmpuint (progress.destroyed, ==, 1);
  strata_save_options_report_progress (options, 0.9, "writing");
  g_assert_cmpuint (progress.calls, ==, 1);

  g_object_unref (options);
  g_assert_cmpuint (progress.destroyed, ==, 1);
  g_free (progress.last_stage);
}

static void
test_weights_report (void)
{
  g_autoptr(StrataWeightsReport) report = strata_weights_report_new ();
  g_auto(GStrv) skipped = NULL;

  g_assert_nonnull (strata_weights_report_get_matched (report));
  g_assert_null (strata_weights_report_get_matched (report)[0]);
  g_assert_null (strata_weights_report_get_skipped (report)[0]);
  g_assert_null (strata_weights_report_get_skip_reasons (report)[0]);
  g_assert_null (strata_weights_report_get_missing (report)[0]);

  strata_weights_report_add_matched (report, "dense");
  strata_weights_report_add_matched (report, "dense_1");
  strata_weights_report_add_skipped (report, "conv2d", "kernel has shape (3, 3, 1, 8), expected (3, 3, 1, 16)");
  strata_weights_report_add_missing (report, "batch_normalization");

  g_assert_cmpuint (g_strv_length ((char **) strata_weights_report_get_matched (report)), ==, 2);
  g_assert_cmpstr (strata_weights_report_get_matched (report)[1], ==, "dense_1");
  g_assert_cmpstr (strata_weights_report_get_skipped (report)[0], ==, "conv2d");
  g_assert_null (strata_weights_report_get_skipped (report)[1]);
  g_assert_cmpstr (strata_weights_report_get_skip_reasons (report)[0], ==,
                   "kernel has shape (3, 3, 1, 8), expected (3, 3, 1, 16)");
  g_assert_cmpstr (strata_weights_report_get_missing (report)[0], ==, "batch_normalization");

  g_object_get (report, "skipped", &skipped, NULL);
  g_assert_cmpuint (g_strv_length (skipped), ==, 1);
  g_assert_cmpstr (skipped[0], ==, "conv2d");
}

static void
test_optimizer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) config_node = strata_json_parse (
    "{\"name\": \"Adam\", \"learning_rate\": 0.0010000000474974513, \"beta_1\": 0.9}", -1, &error);
  JsonObject *config = json_node_get_object (config_node);
  g_autoptr(StrataOptimizer) optimizer = strata_optimizer_new ("Custom>Adam", config);
  g_autoptr(StrataOptimizer) bare = strata_optimizer_new ("SGD", NULL);
  g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
  g_autoptr(StrataShape) vector = NULL;
  g_autoptr(StrataTensor) iter = strata_tensor_new_zeros (STRATA_DTYPE_INT64, scalar, NULL);
  g_autoptr(StrataTensor) m = NULL;
  g_autofree char *class_name = NULL;
  GPtrArray *weights;
  gint64 n = 4;

  g_assert_no_error (error);
  vector = strata_shape_new (1, &n);
  m = strata_tensor_new_zeros (STRATA_DTYPE_FLOAT32, vector, NULL);

  g_assert_cmpstr (strata_optimizer_get_class_name (optimizer), ==, "Custom>Adam");
  g_object_get (optimizer, "class-name", &class_name, NULL);
  g_assert_cmpstr (class_name, ==, "Custom>Adam");

  /* The optimizer keeps its own copy of the config. */
  g_assert_true (strata_optimizer_get_config (optimizer) != config);
  {
    g_autoptr(JsonNode) mine = json_node_init_object (json_node_alloc (), strata_optimizer_get_config (optimizer));
    g_assert_true (strata_json_equal (mine, config_node));
    json_object_set_double_member (config, "beta_1", 0.5);
    g_assert_false (strata_json_equal (mine, config_node));
  }
  g_assert_nonnull (strata_optimizer_get_config (bare));
  g_assert_cmpuint (json_object_get_size (strata_optimizer_get_config (bare)), ==, 0);

  strata_tensor_set_name (iter, "Adam/iter:0");
  strata_tensor_set_name (m, "adam/m/dense_kernel");
  strata_optimizer_add_weight (optimizer, iter);
  strata_optimizer_add_weight (optimizer, m);
  weights = strata_optimizer_get_weights (optimizer);
  g_assert_cmpuint (weights->len, ==, 2);
  g_assert_true (g_ptr_array_index (weights, 0) == iter);
  g_assert_cmpstr (strata_tensor_get_name (g_ptr_array_index (weights, 1)), ==, "adam/m/dense_kernel");

  strata_optimizer_clear_weights (optimizer);
  g_assert_cmpuint (strata_optimizer_get_weights (optimizer)->len, ==, 0);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/options/load/defaults", test_load_options_defaults);
  g_test_add_func ("/options/load/set", test_load_options_set);
  g_test_add_func ("/options/load/progress", test_load_options_progress);
  g_test_add_func ("/options/save", test_save_options);
  g_test_add_func ("/options/weights-report", test_weights_report);
  g_test_add_func ("/optimizer/basics", test_optimizer);

  return g_test_run ();
}
