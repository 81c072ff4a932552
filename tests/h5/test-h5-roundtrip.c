/* test-h5-roundtrip.c: the h5 plugin through the public API
 *
 * Models are written with strata_model_save / save_weights and read back
 * (weights bit-identical, configs a fixed point), weights are loaded
 * topologically and by name (reports, skip_mismatch), real and generated
 * Keras files load from several threads at once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "test-utils.h"
#include "h5-common.h"
#include "h5-reader.h"

/* A Keras 2 functional config: input (None, 4) -> Dense layers -> BN. */
static char *
chain_config (guint n, const char * const *names, const guint *units, gboolean with_bn)
{
  GString *s = g_string_new (NULL);
  const char *previous = "input_1";

  g_string_append (s, "{\"class_name\": \"Model\", \"config\": {\"name\": \"model\", \"layers\": ["
                      "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4], "
                      "\"dtype\": \"float32\", \"sparse\": false, \"name\": \"input_1\"}, "
                      "\"name\": \"input_1\", \"inbound_nodes\": []}");
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (s, ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"%s\", "
                                 "\"trainable\": true, \"dtype\": \"float32\", \"units\": %u, "
                                 "\"activation\": \"linear\", \"use_bias\": true}, \"name\": \"%s\", "
                                 "\"inbound_nodes\": [[[\"%s\", 0, 0, {}]]]}",
                              names[i], units[i], names[i], previous);
      previous = names[i];
    }
  if (with_bn)
    {
      g_string_append_printf (s, ", {\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", "
                                 "\"trainable\": true, \"dtype\": \"float32\", \"axis\": -1, "
                                 "\"momentum\": 0.99, \"epsilon\": 0.001, \"center\": true, \"scale\": true}, "
                                 "\"name\": \"bn\", \"inbound_nodes\": [[[\"%s\", 0, 0, {}]]]}", previous);
      previous = "bn";
    }
  g_string_append_printf (s, "], \"input_layers\": [[\"input_1\", 0, 0]], "
                             "\"output_layers\": [[\"%s\", 0, 0]]}}", previous);
  return g_string_free (s, FALSE);
}

static StrataModel *
chain_model (guint n, const char * const *names, const guint *units, gboolean with_bn)
{
  g_autofree char *json = chain_config (n, names, units, with_bn);
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

/* Gives every weight distinct values so that any mix-up shows. */
static void
fill_weights (StrataModel *model, float seed)
{
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);
      g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;

      for (guint j = 0; j < weights->len; j++)
        {
          StrataTensor *t = g_ptr_array_index (weights, j);
          gsize n = strata_tensor_get_n_elements (t);
          g_autofree float *values = g_new (float, MAX (n, 1));

          for (gsize k = 0; k < n; k++)
            values[k] = seed + i * 100 + j * 10 + k * 0.125f;
          g_ptr_array_add (fresh, strata_tensor_new_from_floats (strata_tensor_get_shape (t), values, n, &error));
          g_assert_no_error (error);
        }
      g_assert_true (strata_layer_set_weights (layer, fresh, &error));
      g_assert_no_error (error);
    }
}

/* "layer/index=sha" for every weight of every layer. */
static char *
weights_digest (StrataModel *model)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);

      for (guint j = 0; j < weights->len; j++)
        {
          g_autofree char *sha = strata_tensor_get_sha256 (g_ptr_array_index (weights, j));
          g_string_append_printf (s, "%s/%u=%s\n", strata_layer_get_name (layer), j, sha);
        }
    }
  return g_string_free (s, FALSE);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

static StrataModel *
load (const char *path, StrataLoadFlags flags, gboolean compile, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();

  strata_load_options_set_format (options, "h5");
  strata_load_options_set_flags (options, flags);
  strata_load_options_set_compile (options, compile);
  return strata_load_model (file, options, NULL, error);
}

static void
save (StrataModel *model, const char *path, gboolean weights_only, gboolean include_optimizer)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(GError) error = NULL;

  strata_save_options_set_format (options, "h5");
  strata_save_options_set_overwrite (options, TRUE);
  strata_save_options_set_include_optimizer (options, include_optimizer);
  if (weights_only)
    g_assert_true (strata_model_save_weights (model, file, options, NULL, &error));
  else
    g_assert_true (strata_model_save (model, file, options, NULL, &error));
  g_assert_no_error (error);
}

static StrataWeightsReport *
load_weights (StrataModel *model, const char *path, gboolean by_name, gboolean skip, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();

  strata_load_options_set_format (options, "h5");
  strata_load_options_set_by_name (options, by_name);
  strata_load_options_set_skip_mismatch (options, skip);
  return strata_model_load_weights (model, file, options, NULL, error);
}

static const char * const chain_names[] = { "dense", "dense_1" };
static const guint chain_units[] = { 3, 2 };

static void
test_save_load_model (void)
{
  g_autofree char *path = tmp_path ("model.h5");
  g_autofree char *path2 = tmp_path ("model2.h5");
  g_autoptr(StrataModel) model = chain_model (2, chain_names, chain_units, TRUE);
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(StrataModel) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *json1 = NULL;
  g_autofree char *json2 = NULL;
  g_autofree char *json3 = NULL;

  fill_weights (model, 1.0f);
  before = weights_digest (model);
  save (model, path, FALSE, TRUE);

  loaded = load (path, STRATA_LOAD_NONE, TRUE, &error);
  g_assert_no_error (error);
  after = weights_digest (loaded);
  g_assert_cmpstr (before, ==, after);

  /* The config is a fixed point of save -> load. */
  json1 = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  json2 = strata_model_to_json (loaded, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  g_assert_cmpstr (json1, ==, json2);
  save (loaded, path2, FALSE, TRUE);
  again = load (path2, STRATA_LOAD_NONE, TRUE, &error);
  g_assert_no_error (error);
  json3 = strata_model_to_json (again, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  g_assert_cmpstr (json2, ==, json3);
  g_free (after);
  after = weights_digest (again);
  g_assert_cmpstr (before, ==, after);

  /* The file has Keras's layout: layer_names in model order, InputLayer
   * and top_level_model_weights groups, weights named like Keras. */
  {
    g_autoptr(H5kFile) file = h5k_file_open (path, &error);
    g_autoptr(H5kKerasFile) kf = h5k_file_read_keras (file, TRUE, &error);
    H5kGroup *g;

    g_assert_no_error (error);
    g_assert_cmpstr (kf->backend, ==, "tensorflow");
    g_assert_nonnull (kf->model_config);
    g_assert_nonnull (kf->weights_keras_version);
    g_assert_nonnull (kf->top_level);
    g_assert_null (kf->training_config);   /* not compiled */
    g_assert_cmpuint (kf->layers->len, ==, 4);
    g = g_ptr_array_index (kf->layers, 0);
    g_assert_cmpstr (g->name, ==, "input_1");
    g_assert_cmpuint (g->weights->len, ==, 0);
    g = g_ptr_array_index (kf->layers, 1);
    g_assert_cmpstr (g->name, ==, "dense");
    g_assert_cmpuint (g->weights->len, ==, 2);
    g_assert_cmpstr (((H5kWeight *) g_ptr_array_index (g->weights, 0))->name, ==, "dense/kernel:0");
    g = g_ptr_array_index (kf->layers, 3);
    g_assert_cmpstr (g->name, ==, "bn");
    g_assert_cmpuint (g->weights->len, ==, 4);
  }
  g_unlink (path);
  g_unlink (path2);
}

static void
test_metadata_only (void)
{
  g_autofree char *path = tmp_path ("meta.h5");
  g_autoptr(StrataModel) model = chain_model (2, chain_names, chain_units, FALSE);
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();

  save (model, path, FALSE, FALSE);
  loaded = load (path, STRATA_LOAD_METADATA_ONLY, FALSE, &error);
  g_assert_no_error (error);
  weights = strata_layer_get_weights (strata_model_get_layer (loaded, "dense"));
  g_assert_cmpuint (weights->len, ==, 2);
  g_assert_false (strata_tensor_has_data (g_ptr_array_index (weights, 0)));
  g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), 0), ==, 4);

  /* Nothing to write: saving says so instead of writing zeros. */
  strata_save_options_set_format (options, "h5");
  strata_save_options_set_overwrite (options, TRUE);
  g_assert_false (strata_model_save (loaded, file, options, NULL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_unlink (path);
}

/* Every weight of @layer holds data; returns how many it has. */
static guint
assert_all_data (StrataLayer *layer)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);

  for (guint i = 0; i < weights->len; i++)
    g_assert_true (strata_tensor_has_data (g_ptr_array_index (weights, i)));
  return weights->len;
}

/* The module builds the model without weight data and fills it from the
 * file; what is built from the loaded model later must be initialised:
 * clones (Keras clone_model creates fresh weights, even of a model loaded
 * metadata-only), layers of a deferred Sequential built after loading,
 * layers added after loading. */
static void
test_later_builds_initialise (void)
{
  g_autofree char *path = tmp_path ("later.h5");
  g_autofree char *deferred_path = tmp_path ("deferred.h5");
  g_autoptr(StrataModel) model = chain_model (2, chain_names, chain_units, TRUE);
  g_autoptr(StrataModel) deferred = NULL;
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(GPtrArray) shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(StrataLayer) extra = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 batch_dims[] = { -1, 4 };
  const StrataLoadFlags flags[] = { STRATA_LOAD_NONE, STRATA_LOAD_METADATA_ONLY };

  fill_weights (model, 2.0f);
  save (model, path, FALSE, FALSE);
  for (guint f = 0; f < G_N_ELEMENTS (flags); f++)
    {
      g_autoptr(StrataModel) source = load (path, flags[f], FALSE, &error);
      g_autoptr(StrataModel) clone = NULL;

      g_assert_no_error (error);
      clone = strata_model_clone (source, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (assert_all_data (STRATA_LAYER (clone)), ==, 8);
    }

  /* A Sequential without an input shape has no weights until it is built. */
  deferred = strata_model_from_json ("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"deferred\", "
                                     "\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", "
                                     "\"units\": 3, \"activation\": \"linear\", \"use_bias\": true}}]}}",
                                     -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  save (deferred, deferred_path, FALSE, FALSE);
  loaded = load (deferred_path, STRATA_LOAD_NONE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_layer_get_n_weights (STRATA_LAYER (loaded)), ==, 0);
  g_ptr_array_add (shapes, strata_shape_new (2, batch_dims));
  g_assert_true (strata_layer_build (STRATA_LAYER (loaded), shapes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_all_data (STRATA_LAYER (loaded)), ==, 2);

  g_assert_true (json_parser_load_from_data (parser, "{\"name\": \"extra\", \"units\": 2}", -1, &error));
  extra = strata_layer_new_from_config (strata_registry_lookup (strata_registry_get_default (), "Dense"),
                                        json_node_get_object (json_parser_get_root (parser)),
                                        STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (strata_sequential_add (STRATA_SEQUENTIAL (loaded), extra, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_all_data (STRATA_LAYER (loaded)), ==, 4);
  g_unlink (path);
  g_unlink (deferred_path);
}

static void
test_weights_topological (void)
{
  g_autofree char *path = tmp_path ("weights.h5");
  g_autoptr(StrataModel) model = chain_model (2, chain_names, chain_units, TRUE);
  const char * const other_names[] = { "a", "b" };
  g_autoptr(StrataModel) renamed = chain_model (2, other_names, chain_units, TRUE);
  const char * const three_names[] = { "a", "b", "c" };
  const guint three_units[] = { 3, 2, 2 };
  g_autoptr(StrataModel) three = chain_model (3, three_names, three_units, TRUE);
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *path_model = tmp_path ("weights-full.h5");

  fill_weights (model, 3.0f);
  before = weights_digest (model);
  save (model, path, TRUE, FALSE);

  /* Topological loading ignores names. */
  report = load_weights (renamed, path, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) strata_weights_report_get_matched (report)), ==, 3);
  after = weights_digest (renamed);
  {
    /* Same values, other layer names. */
    g_autofree char *a = weights_digest (model);
    g_auto(GStrv) la = g_strsplit (a, "\n", -1);
    g_auto(GStrv) lb = g_strsplit (after, "\n", -1);
    g_assert_cmpuint (g_strv_length (la), ==, g_strv_length (lb));
    for (guint i = 0; la[i] != NULL && *la[i] != '\0'; i++)
      g_assert_cmpstr (strchr (la[i], '='), ==, strchr (lb[i], '='));
  }

  /* Layer count mismatch, as Keras words it. */
  g_clear_object (&report);
  report = load_weights (three, path, FALSE, FALSE, &error);
  g_assert_null (report);
  if (g_test_verbose ())
    g_printerr ("%s\n", error->message);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT);
  g_assert_nonnull (strstr (error->message,
                            "You are trying to load a weight file containing 3 layers into a model with 4 layers"));
  g_clear_error (&error);

  /* load_weights accepts full-model files too (model_weights group). */
  save (model, path_model, FALSE, FALSE);
  report = load_weights (renamed, path_model, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_unlink (path);
  g_unlink (path_model);
}

static void
test_weights_by_name (void)
{
  g_autofree char *path = tmp_path ("byname.h5");
  g_autoptr(StrataModel) model = chain_model (2, chain_names, chain_units, FALSE);
  /* "dense" has another shape, "other" is not in the file, "dense_1" fits. */
  const char * const names[] = { "dense", "other", "dense_1" };
  const guint units[] = { 5, 3, 2 };
  g_autoptr(StrataModel) target = chain_model (3, names, units, FALSE);
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *skipped, * const *reasons;

  fill_weights (model, 7.0f);
  save (model, path, TRUE, FALSE);

  report = load_weights (target, path, TRUE, FALSE, &error);
  g_assert_null (report);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "named dense"));
  g_assert_nonnull (strstr (error->message, "(4, 5)"));
  g_assert_nonnull (strstr (error->message, "(4, 3)"));
  g_clear_error (&error);

  report = load_weights (target, path, TRUE, TRUE, &error);
  g_assert_no_error (error);
  skipped = strata_weights_report_get_skipped (report);
  reasons = strata_weights_report_get_skip_reasons (report);
  g_assert_true (g_strv_contains (skipped, "dense"));
  g_assert_nonnull (strstr (reasons[0], "Shape mismatch"));
  g_assert_true (g_strv_contains (strata_weights_report_get_missing (report), "other"));
  g_assert_true (g_strv_contains (strata_weights_report_get_matched (report), "dense_1"));
  {
    /* dense_1 got the file's values: kernel (3, 2) in both. */
    g_autoptr(GPtrArray) a = strata_layer_get_weights (strata_model_get_layer (model, "dense_1"));
    g_autoptr(GPtrArray) b = strata_layer_get_weights (strata_model_get_layer (target, "dense_1"));
    g_assert_true (strata_tensor_equal (g_ptr_array_index (a, 0), g_ptr_array_index (b, 0)));
  }
  g_unlink (path);
}

static void
test_non_ascii_and_split (void)
{
  g_autofree char *path = tmp_path ("names.h5");
  const char * const names[] = { "d\xc3\xa9nse_\xc3\xbc", "\xe5\xaf\x86\xe9\x9b\x86" };
  g_autoptr(StrataModel) model = chain_model (2, names, chain_units, FALSE);
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) long_names = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint *units = NULL;
  g_autoptr(StrataModel) deep = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  guint n = 400;

  fill_weights (model, 5.0f);
  before = weights_digest (model);
  save (model, path, FALSE, FALSE);
  loaded = load (path, STRATA_LOAD_NONE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strata_model_get_layer (loaded, names[0]));
  g_assert_nonnull (strata_model_get_layer (loaded, names[1]));
  after = weights_digest (loaded);
  g_assert_cmpstr (before, ==, after);

  /* 400 layers with 170-byte names: layer_names is split in chunks. */
  units = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (long_names, g_strdup_printf ("dense_%03u_%0160u", i, 0));
      units[i] = 1;
    }
  deep = chain_model (n, (const char * const *) long_names->pdata, units, FALSE);
  fill_weights (deep, 9.0f);
  save (deep, path, TRUE, FALSE);
  {
    H5K_LOCKED;
    hid_t fid = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
    g_assert_cmpint (H5Aexists (fid, "layer_names"), ==, 0);
    g_assert_cmpint (H5Aexists (fid, "layer_names0"), >, 0);
    g_assert_cmpint (H5Aexists (fid, "layer_names1"), >, 0);
    H5Fclose (fid);
  }
  g_clear_pointer (&before, g_free);
  before = weights_digest (deep);
  fill_weights (deep, 11.0f);
  report = load_weights (deep, path, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = weights_digest (deep);
  g_assert_cmpstr (before, ==, after);
  g_unlink (path);
}

/* ---- real files ---- */

/* Loads with the optimizer, writes back, reads again: the optimizer state
 * and training config survive; include_optimizer=FALSE drops both. */
static void
test_optimizer_roundtrip (void)
{
  g_autofree char *real = strata_test_real_fixture_path (
      "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5");
  g_autofree char *path = tmp_path ("opt.h5");
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) again = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *state = NULL;
  GPtrArray *state2 = NULL;

  if (real == NULL)
    return;
  model = load (real, STRATA_LOAD_NONE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (strata_model_is_compiled (model));
  state = strata_optimizer_get_weights (strata_model_get_optimizer (model));
  g_assert_cmpuint (state->len, ==, 5);

  save (model, path, FALSE, TRUE);
  again = load (path, STRATA_LOAD_NONE, TRUE, &error);
  g_assert_no_error (error);
  state2 = strata_optimizer_get_weights (strata_model_get_optimizer (again));
  g_assert_cmpuint (state2->len, ==, state->len);
  for (guint i = 0; i < state->len; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (state, i), g_ptr_array_index (state2, i)));

  save (model, path, FALSE, FALSE);
  {
    g_autoptr(H5kFile) file = h5k_file_open (path, &error);
    g_autoptr(H5kKerasFile) kf = h5k_file_read_keras (file, TRUE, &error);
    g_assert_no_error (error);
    g_assert_null (kf->training_config);
    g_assert_null (kf->optimizer);
  }

  /* A model compiled in Strata gets the training_config json.dumps
   * writes (NaN, Infinity and float spellings kept), and a model loaded
   * from that file writes the same text again. */
  {
    g_autoptr(StrataModel) fresh = chain_model (2, chain_names, chain_units, FALSE);
    g_autoptr(StrataModel) reloaded = NULL;
    g_autoptr(JsonNode) root = NULL;
    const char *tc = "{\"loss\": \"mse\", \"metrics\": null, \"loss_weights\": null, \"optimizer_config\": "
                     "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.001, \"epsilon\": 1e-08, "
                     "\"beta_1\": 0.9, \"decay\": 0.0, \"clipnorm\": NaN, \"clipvalue\": Infinity, "
                     "\"name\": \"Adam \\u00e9\"}}}";

    root = strata_json_parse (tc, -1, &error);
    g_assert_no_error (error);
    g_assert_true (strata_model_compile (fresh, json_node_get_object (root), &error));
    g_assert_no_error (error);
    for (guint round = 0; round < 2; round++)
      {
        g_autoptr(H5kFile) file = NULL;
        g_autoptr(H5kKerasFile) kf = NULL;

        save (round == 0 ? fresh : reloaded, path, FALSE, TRUE);
        file = h5k_file_open (path, &error);
        g_assert_no_error (error);
        kf = h5k_file_read_keras (file, TRUE, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (kf->training_config, ==, tc);
        g_clear_object (&reloaded);
        reloaded = load (path, STRATA_LOAD_NONE, TRUE, &error);
        g_assert_no_error (error);
        g_assert_true (strata_model_is_compiled (reloaded));
      }
  }
  g_unlink (path);
}

/* A weights-only file loads as opaque layers holding the file's weights. */
static void
test_weights_only_as_model (void)
{
  g_autofree char *real = strata_test_real_fixture_path ("dl4j-test-resources/keras/weights/conv2d_tensorflow_2.h5");
  g_autofree char *path = tmp_path ("wonly.h5");
  g_autoptr(StrataModel) model = chain_model (2, chain_names, chain_units, FALSE);
  g_autoptr(StrataModel) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  fill_weights (model, 2.0f);
  before = weights_digest (model);
  save (model, path, TRUE, FALSE);
  loaded = load (path, STRATA_LOAD_NONE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_model_get_n_layers (loaded), ==, 3);
  g_assert_true (STRATA_IS_OPAQUE_LAYER (strata_model_get_layer_at (loaded, 1)));
  after = weights_digest (loaded);
  g_assert_cmpstr (before, ==, after);
  g_unlink (path);
  (void) real;
}

/* Weights converted on load (Keras 1 per-gate LSTM, Theano kernels) are
 * written in Keras 2 / TensorFlow layout, so reading the copy converts
 * nothing again. */
static void
test_resave_converted (void)
{
  static const char *files[] = {
    "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_th_keras_1_model.h5",
    "dl4j-test-resources/keras/weights/conv2d_theano_2.h5",
    "dl4j-test-resources/keras/weights/conv2d_theano_1.h5",
  };
  g_autofree char *path = tmp_path ("resaved.h5");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *real = strata_test_real_fixture_path (files[i]);
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(StrataModel) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      if (real == NULL)
        return;
      model = load (real, STRATA_LOAD_NONE, FALSE, &error);
      g_assert_no_error (error);
      before = weights_digest (model);
      save (model, path, FALSE, FALSE);
      again = load (path, STRATA_LOAD_NONE, FALSE, &error);
      g_assert_no_error (error);
      after = weights_digest (again);
      g_assert_cmpstr (before, ==, after);
      g_assert_cmpstr (strata_model_get_backend (again), ==, "tensorflow");
      g_assert_false (g_str_has_prefix (strata_model_get_keras_version (again), "1"));
    }
  g_unlink (path);
}

/* Progress goes from 0 to 1; a cancelled load stops with G_IO_ERROR_CANCELLED. */
static void
progress_cb (double fraction, const char *stage, gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  *last = fraction;
}

static void
test_progress_and_cancel (void)
{
  g_autofree char *real = strata_test_real_fixture_path (
      "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5");
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  double last = 0;

  if (real == NULL)
    return;
  file = g_file_new_for_path (real);
  strata_load_options_set_format (options, "h5");
  strata_load_options_set_progress_func (options, progress_cb, &last, NULL);
  model = strata_load_model (file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  g_clear_object (&model);

  g_cancellable_cancel (cancellable);
  model = strata_load_model (file, options, cancellable, &error);
  g_assert_null (model);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A save cancelled once the write has started fails with
 * G_IO_ERROR_CANCELLED, never reports 1.0 and leaves the old file alone. */
typedef struct {
  GCancellable *cancellable;
  double        last;
} CancelAtWrite;

static void
cancel_at_write_cb (double fraction, const char *stage, gpointer user_data)
{
  CancelAtWrite *state = user_data;

  state->last = fraction;
  if (fraction > 0.0)
    g_cancellable_cancel (state->cancellable);
}

static void
test_cancelled_save (void)
{
  static const char * const names[] = { "d1", "d2", "d3" };
  static const guint units[] = { 5, 6, 3 };
  g_autoptr(StrataModel) model = chain_model (3, names, units, FALSE);
  g_autoptr(StrataModel) other = chain_model (2, chain_names, chain_units, FALSE);
  g_autofree char *path = tmp_path ("strata-h5-cancelled-save.h5");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  CancelAtWrite state = { cancellable, -1.0 };

  save (other, path, FALSE, FALSE);
  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));

  strata_save_options_set_format (options, "h5");
  strata_save_options_set_overwrite (options, TRUE);
  strata_save_options_set_progress_func (options, cancel_at_write_cb, &state, NULL);
  g_assert_false (strata_model_save (model, file, options, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (state.last, >, 0.0);
  g_assert_cmpfloat (state.last, <, 1.0);
  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_unlink (path);
}

/* A real file cut at many offsets never crashes the plugin and fails with
 * an error that names the file. */
static void
test_truncated (void)
{
  g_autofree char *real = strata_test_real_fixture_path (
      "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5");
  g_autofree char *cut = tmp_path ("cut.h5");
  g_autofree char *contents = NULL;
  gsize length;

  if (real == NULL)
    return;
  g_assert_true (g_file_get_contents (real, &contents, &length, NULL));
  for (gsize offset = 8; offset < length; offset += length / 47 + 1)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = NULL;

      g_assert_true (g_file_set_contents (cut, contents, offset, NULL));
      model = load (cut, STRATA_LOAD_ALLOW_UNKNOWN, TRUE, &error);
      g_assert_null (model);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "cut.h5"));
    }
  g_unlink (cut);
}

/* A damaged file fails to load with one sentence; libhdf5's raw error
 * stack (function, source line, major and minor numbers) is debug output,
 * printed only under G_MESSAGES_DEBUG, and libhdf5 itself never prints
 * (HDF5-DIAG). A child loads a file cut in half, with debug output on
 * (as G_MESSAGES_DEBUG=all does) and off; the parent's own environment and
 * output stay as they are, since its stdout is TAP. (The stack must also
 * outlive the closing of what the failed call had open: every libhdf5 call
 * clears it.) */
static void
load_damaged_copy (const char *real)
{
  g_autofree char *cut = tmp_path ("damaged.h5");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (real, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (cut, contents, length / 2, NULL));
  model = load (cut, STRATA_LOAD_ALLOW_UNKNOWN, TRUE, &error);
  g_assert_null (model);
  g_assert_nonnull (error);
  g_printerr ("load failed: %s\n", error->message);
  g_unlink (cut);
}

static void
test_error_stack_debug_only (void)
{
  g_autofree char *real = strata_test_real_fixture_path (
      "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5");

  if (real == NULL)
    return;
  if (g_test_subprocess ())
    {
      /* Debug output on in the child only: G_MESSAGES_DEBUG=all. */
      g_log_set_debug_enabled (TRUE);
      load_damaged_copy (real);
      return;
    }
  g_test_trap_subprocess ("/h5/roundtrip/error-stack-debug-only/subprocess/quiet", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*load failed: *damaged.h5*");
  g_test_trap_assert_stderr_unmatched ("*error stack*");
  g_test_trap_assert_stderr_unmatched ("*#0 H5*");
  g_test_trap_assert_stderr_unmatched ("*HDF5-DIAG*");
  g_test_trap_assert_stdout_unmatched ("*error stack*");
  g_test_trap_assert_stdout_unmatched ("*HDF5-DIAG*");

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*load failed: *damaged.h5*");
  /* GLib prints debug messages on stdout. */
  g_test_trap_assert_stdout ("*libhdf5's error stack:*#0 H5*");
}

static void
test_error_stack_quiet (void)
{
  g_autofree char *real = strata_test_real_fixture_path (
      "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5");

  /* Only ever run as the child of test_error_stack_debug_only(). */
  if (real != NULL && g_test_subprocess ())
    {
      g_unsetenv ("G_MESSAGES_DEBUG");   /* the child's output is not TAP */
      g_log_set_debug_enabled (FALSE);
      load_damaged_copy (real);
    }
}

static const char *thread_files[] = {
  "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5",
  "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_1_model.h5",
  "dl4j-test-resources/keras/weights/conv2d_theano_2.h5",
  "dl4j-test-resources/keras/examples/reshape_to_rnn/reshape_model.h5",
};

typedef struct {
  char  *paths[G_N_ELEMENTS (thread_files)];
  char  *digests[G_N_ELEMENTS (thread_files)];
  guint  failures;
} ThreadData;

static gpointer
thread_func (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint round = 0; round < 5; round++)
    for (guint i = 0; i < G_N_ELEMENTS (thread_files); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(StrataModel) model = load (data->paths[i], STRATA_LOAD_ALLOW_UNKNOWN, TRUE, &error);
        g_autofree char *digest = model != NULL ? weights_digest (model) : NULL;

        if (digest == NULL || g_strcmp0 (digest, data->digests[i]) != 0)
          g_atomic_int_inc (&data->failures);
      }
  return NULL;
}

/* Reads with this program's copy of the plain reader while the plugin's
 * copy loads: both must take the same process-wide HDF5 lock. */
static gpointer
reader_thread_func (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint round = 0; round < 10; round++)
    for (guint i = 0; i < G_N_ELEMENTS (thread_files); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(H5kFile) file = h5k_file_open (data->paths[i], &error);
        g_autoptr(H5kKerasFile) kf = file != NULL ? h5k_file_read_keras (file, TRUE, &error) : NULL;

        if (kf == NULL)
          g_atomic_int_inc (&data->failures);
        for (guint g = 0; kf != NULL && g < kf->layers->len; g++)
          {
            H5kGroup *group = g_ptr_array_index (kf->layers, g);
            for (guint w = 0; w < group->weights->len; w++)
              {
                g_autoptr(GBytes) bytes = h5k_file_read_weight (file, g_ptr_array_index (group->weights, w), NULL);
                if (bytes == NULL)
                  g_atomic_int_inc (&data->failures);
              }
          }
      }
  return NULL;
}

static void
test_threads (void)
{
  ThreadData data = { 0 };
  GThread *threads[6];

  for (guint i = 0; i < G_N_ELEMENTS (thread_files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = NULL;

      data.paths[i] = strata_test_real_fixture_path (thread_files[i]);
      if (data.paths[i] == NULL)
        return;
      model = load (data.paths[i], STRATA_LOAD_ALLOW_UNKNOWN, TRUE, &error);
      g_assert_no_error (error);
      data.digests[i] = weights_digest (model);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("h5-load", t == 0 ? reader_thread_func : thread_func, &data);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);
  g_assert_cmpuint (data.failures, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (thread_files); i++)
    {
      g_free (data.paths[i]);
      g_free (data.digests[i]);
    }
}

/* The weights of @model are Keras's @expected ones, weight by weight in
 * get_weights() order: the same digest under the same name. */
static void
assert_weights_are (const char  *path,
                    StrataModel *model,
                    JsonArray   *expected)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));
  g_auto(GStrv) names = strata_layer_get_weight_names (STRATA_LAYER (model));

  if (weights->len != json_array_get_length (expected))
    g_error ("%s: %u weights, Keras %u", path, weights->len, json_array_get_length (expected));
  for (guint i = 0; i < weights->len; i++)
    {
      JsonObject *w = json_array_get_object_element (expected, i);
      const char *name = json_object_get_string_member (w, "name");
      const char *sha = json_object_get_string_member (w, "sha256");
      g_autofree char *found = strata_tensor_get_sha256 (g_ptr_array_index (weights, i));

      if (!strata_test_weight_name_matches (names[i], name) || g_strcmp0 (found, sha) != 0)
        g_error ("%s: weight %u is %s (sha256 %s), Keras's is %s (%s)", path, i, names[i], found,
                 name, sha);
    }
}

/* Files written by tf-keras 2.21 and Keras 3.15 (tests/fixtures/generated):
 * the loaded model holds every weight Keras reported, bit for bit, at its
 * place and under its name. A weights-only file is loaded into the model
 * built from the fixture's config. */
static void
test_generated_fixtures (void)
{
  static const char *toolkits[] = { "tf_keras", "keras" };
  guint n_files = 0;

  for (guint t = 0; t < G_N_ELEMENTS (toolkits); t++)
    {
      g_autofree char *dir = strata_test_src_path ("fixtures/generated");
      g_autofree char *sub = g_build_filename (dir, toolkits[t], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      const char *name;

      g_assert_nonnull (d);   /* committed */
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *stem = NULL;
          g_autofree char *expected_path = NULL;
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;
          g_autoptr(StrataModel) model = NULL;
          JsonObject *expected;
          gboolean weights_only;

          if (!g_str_has_suffix (name, ".h5") || g_str_has_suffix (name, ".weights.h5"))
            continue;
          path = g_build_filename (sub, name, NULL);
          stem = g_strndup (name, strlen (name) - 3);
          weights_only = g_str_has_suffix (stem, "-weights");
          if (weights_only)
            stem[strlen (stem) - 8] = '\0';
          expected_path = g_strdup_printf ("%s/%s.expected.json", sub, stem);
          json_parser_load_from_file (parser, expected_path, &error);
          g_assert_no_error (error);
          expected = json_node_get_object (json_parser_get_root (parser));
          if (weights_only)
            {
              g_autofree char *config_path = g_build_filename (
                sub, json_object_get_string_member (expected, "config_file"), NULL);
              g_autofree char *config = NULL;
              g_autoptr(GFile) file = g_file_new_for_path (path);
              g_autoptr(StrataWeightsReport) report = NULL;

              g_file_get_contents (config_path, &config, NULL, &error);
              g_assert_no_error (error);
              model = strata_model_from_json (config, -1, NULL, STRATA_LOAD_NONE, &error);
              g_assert_no_error (error);
              report = strata_model_load_weights (model, file, NULL, NULL, &error);
              g_assert_no_error (error);
            }
          else
            {
              model = load (path, STRATA_LOAD_ALLOW_UNKNOWN, FALSE, &error);
              g_assert_no_error (error);
            }
          assert_weights_are (path, model, json_object_get_array_member (expected, "weights"));
          n_files++;
        }
    }
  /* 16 tf-keras models (.h5 and -weights.h5) and 17 Keras 3 models (.h5):
   * MODELS of tests/fixtures/generate.py, non_ascii_names by Keras 3 only. */
  g_assert_cmpuint (n_files, ==, 2 * 16 + 17);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/h5/roundtrip/model", test_save_load_model);
  g_test_add_func ("/h5/roundtrip/metadata-only", test_metadata_only);
  g_test_add_func ("/h5/roundtrip/later-builds-initialise", test_later_builds_initialise);
  g_test_add_func ("/h5/roundtrip/weights-topological", test_weights_topological);
  g_test_add_func ("/h5/roundtrip/weights-by-name", test_weights_by_name);
  g_test_add_func ("/h5/roundtrip/non-ascii-and-split", test_non_ascii_and_split);
  g_test_add_func ("/h5/roundtrip/optimizer", test_optimizer_roundtrip);
  g_test_add_func ("/h5/roundtrip/weights-only-as-model", test_weights_only_as_model);
  g_test_add_func ("/h5/roundtrip/resave-converted", test_resave_converted);
  g_test_add_func ("/h5/roundtrip/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/h5/roundtrip/cancelled-save", test_cancelled_save);
  g_test_add_func ("/h5/roundtrip/truncated", test_truncated);
  g_test_add_func ("/h5/roundtrip/error-stack-debug-only", test_error_stack_debug_only);
  g_test_add_func ("/h5/roundtrip/error-stack-debug-only/subprocess/quiet", test_error_stack_quiet);
  g_test_add_func ("/h5/roundtrip/threads", test_threads);
  g_test_add_func ("/h5/roundtrip/generated-fixtures", test_generated_fixtures);
  return g_test_run ();
}
