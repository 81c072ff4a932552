/* test-keras-v3.c: the keras-v3 format module on real Keras 3 archives,
 * the Keras 3.15 fixtures of tests/fixtures/generated, round trips and
 * damaged archives.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <zip.h>
#include <glib/gstdio.h>

#include "test-utils.h"

static const char *const generated_models[] = {
  "sequential_dense", "functional_multi_output", "conv_batchnorm_nested", "recurrent",
  "embedding", "long_layer_names", "non_ascii_names", "compiled_adam", "attention_keywords",
};

static char *
generated_path (const char *model, const char *suffix)
{
  g_autofree char *name = g_strconcat (model, suffix, NULL);

  return g_test_build_filename (G_TEST_DIST, "fixtures", "generated", "keras", name, NULL);
}

static JsonObject *
read_json_object (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  node = strata_json_parse (text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* Every tensor has the dtype, shape and sha256 Keras recorded. */
static void
assert_tensors_match (const char *what, GPtrArray *tensors, JsonArray *expected)
{
  g_assert_cmpuint (tensors->len, ==, json_array_get_length (expected));
  for (guint i = 0; i < tensors->len; i++)
    {
      StrataTensor *t = g_ptr_array_index (tensors, i);
      JsonObject *exp = json_array_get_object_element (expected, i);
      JsonArray *shape = json_object_get_array_member (exp, "shape");
      g_autofree char *sha = strata_tensor_get_sha256 (t);

      g_test_message ("%s[%u] %s", what, i, json_object_get_string_member (exp, "name"));
      g_assert_cmpstr (strata_dtype_to_string (strata_tensor_get_dtype (t)), ==,
                       json_object_get_string_member (exp, "dtype"));
      g_assert_cmpuint (strata_shape_get_rank (strata_tensor_get_shape (t)), ==,
                        json_array_get_length (shape));
      for (guint d = 0; d < json_array_get_length (shape); d++)
        g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (t), d), ==,
                         json_array_get_int_element (shape, d));
      g_assert_cmpstr (sha, ==, json_object_get_string_member (exp, "sha256"));
    }
}

static StrataModel *
load (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return strata_load_model (file, NULL, NULL, error);
}

static void
assert_same_tensors (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

/* ---- real archives ------------------------------------------------------ */

typedef struct {
  const char *path;
  const char *keras_version;   /* metadata.json */
  guint       n_weights;
  gint64      first_kernel[2];
  guint       n_optimizer;     /* datasets under optimizer/vars */
} RealCase;

/* Facts read from the archives with h5py / zipfile. */
static const RealCase real_cases[] = {
  /* TF-Keras 2.15 on Windows: groups named "layers\dense" */
  { "community/abhaypandy-churn/model_head_keras2.15_windows.keras", "2.15.0", 6, { 12, 64 }, 13 },
  { "community/abhaypandy-churn/model_852f27c.keras", "3.11.3", 6, { 12, 64 }, 14 },
  { "community/iris-streamlit/model.keras", "3.9.2", 4, { 2, 32 }, 6 },
  { "community/iris-mlp/model.keras", "3.13.2", 6, { 4, 32 }, 14 },
};

static void
test_real (gconstpointer data)
{
  const RealCase *rc = data;
  g_autofree char *path = strata_test_real_fixture_path (rc->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  StrataTensor *kernel;
  gsize n_values;
  g_autofree float *values = NULL;
  gboolean nonzero = FALSE;

  if (path == NULL)
    return;
  model = load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_model_get_keras_version (model), ==, rc->keras_version);
  weights = strata_layer_get_weights (STRATA_LAYER (model));
  g_assert_cmpuint (weights->len, ==, rc->n_weights);
  kernel = g_ptr_array_index (weights, 0);
  g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (kernel), 0), ==, rc->first_kernel[0]);
  g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (kernel), 1), ==, rc->first_kernel[1]);
  /* The trained kernel was read, not left to an initializer of zeros. */
  values = strata_tensor_to_floats (kernel, &n_values, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n_values; i++)
    nonzero |= values[i] != 0.0f;
  g_assert_true (nonzero);
  g_assert_true (strata_model_is_compiled (model));
  g_assert_cmpuint (strata_optimizer_get_weights (strata_model_get_optimizer (model))->len, ==,
                    rc->n_optimizer);
}

/* ---- generated Keras 3.15 fixtures --------------------------------------- */

static void
test_generated_keras (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = generated_path (name, ".keras");
  g_autofree char *expected_path = generated_path (name, ".expected.json");
  g_autoptr(JsonObject) expected = read_json_object (expected_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = load (path, &error);
  g_autoptr(GPtrArray) weights = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (strata_model_get_keras_version (model), ==, "3.15.1");
  weights = strata_layer_get_weights (STRATA_LAYER (model));
  assert_tensors_match ("weights", weights, json_object_get_array_member (expected, "weights"));
  if (json_object_has_member (expected, "optimizer_weights"))
    {
      StrataOptimizer *optimizer = strata_model_get_optimizer (model);

      g_assert_nonnull (optimizer);
      g_assert_cmpstr (strata_optimizer_get_class_name (optimizer), ==,
                       json_object_get_string_member (expected, "optimizer_class"));
      assert_tensors_match ("optimizer", strata_optimizer_get_weights (optimizer),
                            json_object_get_array_member (expected, "optimizer_weights"));
    }
}

static StrataModel *
model_from_config_file (const char *name)
{
  g_autofree char *config_path = generated_path (name, ".config.json");
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  StrataModel *model;

  g_file_get_contents (config_path, &json, NULL, &error);
  g_assert_no_error (error);
  model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  return model;
}

static void
test_generated_weights (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = generated_path (name, ".weights.h5");
  g_autofree char *expected_path = generated_path (name, ".expected.json");
  g_autoptr(JsonObject) expected = read_json_object (expected_path);
  g_autoptr(StrataModel) model = model_from_config_file (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(StrataModel) inspected = NULL;
  g_autoptr(GPtrArray) inspected_weights = NULL;
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *exp_weights = json_object_get_array_member (expected, "weights");

  report = strata_model_load_weights (model, file, NULL, NULL, &error);
  g_assert_no_error (error);
  weights = strata_layer_get_weights (STRATA_LAYER (model));
  assert_tensors_match ("weights", weights, exp_weights);
  /* Loading into an uncompiled model ignores the optimizer state. */
  g_assert_null (strata_model_get_optimizer (model));

  /* Alone, the file opens as groups of opaque layers holding the same data. */
  inspected = load (path, &error);
  g_assert_no_error (error);
  inspected_weights = strata_layer_get_weights (STRATA_LAYER (inspected));
  g_assert_cmpuint (inspected_weights->len, ==, json_array_get_length (exp_weights));
  for (guint i = 0; i < inspected_weights->len; i++)
    g_hash_table_add (digests, strata_tensor_get_sha256 (g_ptr_array_index (inspected_weights, i)));
  for (guint i = 0; i < json_array_get_length (exp_weights); i++)
    g_assert_true (g_hash_table_contains (digests, json_object_get_string_member (
        json_array_get_object_element (exp_weights, i), "sha256")));
  if (json_object_has_member (expected, "optimizer_weights"))
    {
      StrataOptimizer *optimizer = strata_model_get_optimizer (inspected);

      g_assert_nonnull (optimizer);
      g_assert_cmpstr (strata_optimizer_get_class_name (optimizer), ==,
                       json_object_get_string_member (expected, "optimizer_class"));
      assert_tensors_match ("optimizer", strata_optimizer_get_weights (optimizer),
                            json_object_get_array_member (expected, "optimizer_weights"));
    }
}

/* ---- round trips --------------------------------------------------------- */

/* Members as Python's zipfile writes them for Keras: stored, in order. */
static void
assert_keras_layout (const char *path)
{
  static const char *const members[] = { "metadata.json", "config.json", "model.weights.h5" };
  int zerr = 0;
  zip_t *za = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);

  g_assert_nonnull (za);
  g_assert_cmpint (zip_get_num_entries (za, 0), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      zip_stat_t st;

      g_assert_cmpint (zip_stat_index (za, i, 0, &st), ==, 0);
      g_assert_cmpstr (st.name, ==, members[i]);
      g_assert_cmpint (st.comp_method, ==, ZIP_CM_STORE);
    }
  zip_discard (za);
}

/* An archive member parsed as a JSON object. */
static JsonObject *
zip_json (const char *path, const char *member)
{
  int zerr = 0;
  zip_t *za = zip_open (path, ZIP_RDONLY, &zerr);
  zip_stat_t st;
  zip_file_t *zf;
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (za);
  g_assert_cmpint (zip_stat (za, member, 0, &st), ==, 0);
  text = g_malloc0 (st.size + 1);
  zf = zip_fopen (za, member, 0);
  g_assert_nonnull (zf);
  g_assert_cmpint (zip_fread (zf, text, st.size), ==, (zip_int64_t) st.size);
  zip_fclose (zf);
  zip_discard (za);
  g_assert_true (json_parser_load_from_data (parser, text, st.size, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* metadata.json as Keras wrote it in @keras_path: the same keys, and the
 * Keras 3 version of the source kept. */
static void
assert_keras_metadata (const char *path, const char *keras_path)
{
  g_autoptr(JsonObject) ours = zip_json (path, "metadata.json");
  g_autoptr(JsonObject) theirs = zip_json (keras_path, "metadata.json");
  g_autoptr(GList) keys = json_object_get_members (theirs);

  g_assert_cmpuint (json_object_get_size (ours), ==, json_object_get_size (theirs));
  for (GList *k = keys; k != NULL; k = k->next)
    g_assert_true (json_object_has_member (ours, k->data));
  g_assert_cmpstr (json_object_get_string_member (ours, "keras_version"), ==,
                   json_object_get_string_member (theirs, "keras_version"));
}

static void
test_roundtrip (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = generated_path (name, ".keras");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = load (path, &error);
  g_autofree char *dir = g_dir_make_tmp ("strata-kv3-XXXXXX", &error);
  g_autofree char *out = g_build_filename (dir, "copy.keras", NULL);
  g_autofree char *wout = g_build_filename (dir, "copy.weights.h5", NULL);
  g_autoptr(GFile) out_file = g_file_new_for_path (out);
  g_autoptr(GFile) wout_file = g_file_new_for_path (wout);
  g_autoptr(StrataModel) again = NULL;
  g_autoptr(StrataModel) fresh = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GPtrArray) w1 = NULL, w2 = NULL, w3 = NULL;
  g_autofree char *json1 = NULL, *json2 = NULL;

  g_assert_no_error (error);
  g_assert_true (strata_model_save (model, out_file, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_keras_layout (out);
  assert_keras_metadata (out, path);
  again = load (out, &error);
  g_assert_no_error (error);
  w1 = strata_layer_get_weights (STRATA_LAYER (model));
  w2 = strata_layer_get_weights (STRATA_LAYER (again));
  assert_same_tensors (w1, w2);
  json1 = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  json2 = strata_model_to_json (again, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  g_assert_cmpstr (json1, ==, json2);
  g_assert_cmpint (strata_model_is_compiled (model), ==, strata_model_is_compiled (again));
  if (strata_model_get_optimizer (model) != NULL)
    assert_same_tensors (strata_optimizer_get_weights (strata_model_get_optimizer (model)),
                         strata_optimizer_get_weights (strata_model_get_optimizer (again)));

  /* save_weights picks keras-v3 by the .weights.h5 name. */
  g_assert_true (strata_model_save_weights (model, wout_file, NULL, NULL, &error));
  g_assert_no_error (error);
  fresh = model_from_config_file (name);
  report = strata_model_load_weights (fresh, wout_file, NULL, NULL, &error);
  g_assert_no_error (error);
  w3 = strata_layer_get_weights (STRATA_LAYER (fresh));
  assert_same_tensors (w1, w3);

  g_unlink (out);
  g_unlink (wout);
  g_rmdir (dir);
}

/* The unzipped form (Keras zipped=False, Hugging Face uploads), loaded
 * with the format named; tests/formats checks that sniffing finds it too. */
static void
test_directory (void)
{
  g_autofree char *src = generated_path ("recurrent", ".keras");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-kv3-dir-XXXXXX", &error);
  g_autoptr(StrataModel) zipped = load (src, &error);
  g_autoptr(StrataModel) unzipped = NULL;
  g_autoptr(GPtrArray) w1 = NULL, w2 = NULL;
  int zerr = 0;
  zip_t *za = zip_open (src, ZIP_RDONLY, &zerr);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(GFile) dir_file = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (za);
  for (zip_int64_t i = 0; i < zip_get_num_entries (za, 0); i++)
    {
      zip_stat_t st;
      zip_file_t *zf;
      g_autofree char *buffer = NULL;
      g_autofree char *path = NULL;

      g_assert_cmpint (zip_stat_index (za, i, 0, &st), ==, 0);
      buffer = g_malloc (st.size);
      zf = zip_fopen_index (za, i, 0);
      g_assert_cmpint (zip_fread (zf, buffer, st.size), ==, (zip_int64_t) st.size);
      zip_fclose (zf);
      path = g_build_filename (dir, st.name, NULL);
      g_file_set_contents (path, buffer, st.size, &error);
      g_assert_no_error (error);
    }
  zip_discard (za);
  strata_load_options_set_format (options, "keras-v3");
  dir_file = g_file_new_for_path (dir);
  unzipped = strata_load_model (dir_file, options, NULL, &error);
  g_assert_no_error (error);
  w1 = strata_layer_get_weights (STRATA_LAYER (zipped));
  w2 = strata_layer_get_weights (STRATA_LAYER (unzipped));
  assert_same_tensors (w1, w2);
  for (const char *const *m = (const char *const[]) { "metadata.json", "config.json", "model.weights.h5", NULL };
       *m != NULL; m++)
    {
      g_autofree char *path = g_build_filename (dir, *m, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* save_weights to NAME.weights.h5 goes to keras-v3, NAME.h5 to h5. */
static void
test_save_format_by_name (void)
{
  g_autoptr(GFile) weights = g_file_new_for_path ("/nonexistent/model.weights.h5");
  g_autoptr(GFile) legacy = g_file_new_for_path ("/nonexistent/model.h5");
  g_autoptr(GFile) keras = g_file_new_for_path ("/nonexistent/model.keras");
  g_autoptr(GError) error = NULL;
  StrataFormat *format;

  format = strata_formats_find_for_save (weights, NULL, STRATA_FORMAT_CAN_SAVE_WEIGHTS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "keras-v3");
  format = strata_formats_find_for_save (keras, NULL, STRATA_FORMAT_CAN_SAVE_MODEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "keras-v3");
  if (strata_formats_lookup ("h5") == NULL)
    return;
  format = strata_formats_find_for_save (legacy, NULL, STRATA_FORMAT_CAN_SAVE_WEIGHTS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "h5");
}

/* A legacy HDF5 file named *.weights.h5 (spec §9.10) is left to the h5
 * format instead of failing as Keras 3 does. */
static void
test_legacy_named_weights (void)
{
  g_autofree char *src = generated_path ("sequential_dense", ".h5");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-kv3-legacy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "legacy.weights.h5", NULL);
  g_autoptr(GFile) src_file = g_file_new_for_path (src);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataModel) from_h5 = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) w1 = NULL, w2 = NULL;
  StrataFormat *format;

  g_assert_no_error (error);
  if (strata_formats_lookup ("h5") == NULL)
    {
      g_rmdir (dir);
      strata_test_skip ("the h5 format module is missing");
      return;
    }
  g_file_copy (src_file, file, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  format = strata_formats_find_for_file (file, NULL, STRATA_FORMAT_CAN_LOAD_MODEL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_format_get_name (format), ==, "h5");
  from_h5 = load (src, &error);
  g_assert_no_error (error);
  model = load (path, &error);
  g_assert_no_error (error);
  w1 = strata_layer_get_weights (STRATA_LAYER (from_h5));
  w2 = strata_layer_get_weights (STRATA_LAYER (model));
  assert_same_tensors (w1, w2);
  g_unlink (path);
  g_rmdir (dir);
}

/* tf-keras 2.x state (iteration, then slots) gets the learning-rate
 * variable Keras 3 keeps at index 1, and its "Custom>Adam" config becomes a
 * Keras 3 Adam without the arguments Keras 3 refuses. */
static void
test_tf_keras_optimizer (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "fixtures", "generated", "tf_keras",
                                                "compiled_adam.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-kv3-tfk-XXXXXX", &error);
  g_autofree char *out = g_build_filename (dir, "adam.keras", NULL);
  g_autoptr(GFile) out_file = g_file_new_for_path (out);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) again = NULL;
  g_autoptr(JsonObject) config = NULL;
  GPtrArray *before, *after;
  JsonObject *optimizer;
  g_autofree float *rate = NULL;
  gsize n_rate;
  char *text;
  zip_t *za;
  zip_stat_t st;
  zip_file_t *zf;
  int zerr = 0;

  g_assert_no_error (error);
  if (strata_formats_lookup ("h5") == NULL)
    {
      g_rmdir (dir);
      strata_test_skip ("the h5 format module is missing");
      return;
    }
  model = load (src, &error);
  g_assert_no_error (error);
  g_assert_true (strata_model_save (model, out_file, NULL, NULL, &error));
  g_assert_no_error (error);
  again = load (out, &error);
  g_assert_no_error (error);

  before = strata_optimizer_get_weights (strata_model_get_optimizer (model));
  after = strata_optimizer_get_weights (strata_model_get_optimizer (again));
  g_assert_cmpuint (after->len, ==, before->len + 1);
  g_assert_true (strata_tensor_equal (g_ptr_array_index (before, 0), g_ptr_array_index (after, 0)));
  for (guint i = 1; i < before->len; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (before, i), g_ptr_array_index (after, i + 1)));
  rate = strata_tensor_to_floats (g_ptr_array_index (after, 1), &n_rate, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_rate, ==, 1);
  g_assert_cmpfloat (rate[0], ==, 0.01f);

  za = zip_open (out, ZIP_RDONLY, &zerr);
  g_assert_nonnull (za);
  g_assert_cmpint (zip_stat (za, "config.json", 0, &st), ==, 0);
  text = g_malloc0 (st.size + 1);
  zf = zip_fopen (za, "config.json", 0);
  g_assert_cmpint (zip_fread (zf, text, st.size), ==, (zip_int64_t) st.size);
  zip_fclose (zf);
  zip_discard (za);
  {
    g_autoptr(JsonNode) node = strata_json_parse (text, -1, &error);

    g_free (text);
    g_assert_no_error (error);
    config = json_object_ref (json_node_get_object (node));
  }
  optimizer = json_object_get_object_member (json_object_get_object_member (config, "compile_config"),
                                             "optimizer");
  g_assert_cmpstr (json_object_get_string_member (optimizer, "class_name"), ==, "Adam");
  g_assert_cmpstr (json_object_get_string_member (optimizer, "module"), ==, "keras.optimizers");
  g_assert_false (json_object_has_member (json_object_get_object_member (optimizer, "config"),
                                          "is_legacy_optimizer"));
  g_unlink (out);
  g_rmdir (dir);
}

/* ---- damaged archives ---------------------------------------------------- */

typedef struct {
  char *dir;
} Tmp;

static void
tmp_setup (Tmp *tmp, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  tmp->dir = g_dir_make_tmp ("strata-kv3-bad-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
tmp_teardown (Tmp *tmp, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (tmp->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (tmp->dir);
  g_free (tmp->dir);
}

/* Writes a stored zip of (name, contents) pairs. */
static char *
write_zip (Tmp *tmp, const char *file_name, const char *const *pairs)
{
  char *path = g_build_filename (tmp->dir, file_name, NULL);
  int zerr = 0;
  zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

  g_assert_nonnull (za);
  for (guint i = 0; pairs[i] != NULL; i += 2)
    {
      zip_source_t *src = zip_source_buffer (za, pairs[i + 1], strlen (pairs[i + 1]), 0);
      zip_int64_t index = zip_file_add (za, pairs[i], src, 0);

      g_assert_cmpint (index, >=, 0);
      zip_set_file_compression (za, index, ZIP_CM_STORE, 0);
    }
  g_assert_cmpint (zip_close (za), ==, 0);
  return path;
}

static void
assert_load_fails (const char *path, const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = load (path, &error);

  g_assert_null (model);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, message_part));
}

static const char minimal_config[] = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": []}}";

static void
test_truncated (Tmp *tmp, gconstpointer data)
{
  g_autofree char *src = generated_path ("recurrent", ".keras");
  g_autofree char *path = g_build_filename (tmp->dir, "truncated.keras", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;

  g_file_get_contents (src, &contents, &length, &error);
  g_assert_no_error (error);
  /* Cut inside model.weights.h5, and just before the central directory. */
  for (gsize cut = length / 2; cut < length; cut = length - 10)
    {
      g_file_set_contents (path, contents, cut, &error);
      g_assert_no_error (error);
      model = load (path, &error);
      g_assert_null (model);
      g_assert_nonnull (error);
      g_test_message ("cut at %zu: %s", cut, error->message);
      g_clear_error (&error);
      if (cut == length - 10)
        break;
    }
}

static void
test_missing_config (Tmp *tmp, gconstpointer data)
{
  static const char *const pairs[] = {
    "metadata.json", "{\"keras_version\": \"3.15.1\"}", "model.weights.h5", "x", NULL
  };
  g_autofree char *path = write_zip (tmp, "noconfig.keras", pairs);

  assert_load_fails (path, "no config.json");
}

static void
test_missing_weights (Tmp *tmp, gconstpointer data)
{
  static const char *const pairs[] = { "config.json", minimal_config, NULL };
  g_autofree char *path = write_zip (tmp, "noweights.keras", pairs);

  assert_load_fails (path, "no model.weights.h5");
}

static void
test_traversal (Tmp *tmp, gconstpointer data)
{
  static const char *const pairs[] = {
    "config.json", minimal_config, "../../evil.txt", "x", "model.weights.h5", "x", NULL
  };
  g_autofree char *path = write_zip (tmp, "traversal.keras", pairs);

  assert_load_fails (path, "outside the archive");
}

static void
test_bad_json (Tmp *tmp, gconstpointer data)
{
  static const char *const pairs[] = { "config.json", "{\"class_name\": ", "model.weights.h5", "x", NULL };
  g_autofree char *path = write_zip (tmp, "badjson.keras", pairs);

  assert_load_fails (path, "config.json");
}

/* Patches the declared uncompressed size of every header of the member
 * named @member (local header offset 22, central directory offset 24). */
static void
declare_size (char *data, gsize length, const char *member, guint32 size)
{
  gsize name_len = strlen (member);
  guint patched = 0;

  for (gsize i = 0; i + 46 + name_len <= length; i++)
    {
      if (memcmp (data + i, "PK\x03\x04", 4) == 0 && memcmp (data + i + 30, member, name_len) == 0)
        {
          memcpy (data + i + 22, &size, 4);   /* little-endian host */
          patched++;
        }
      else if (memcmp (data + i, "PK\x01\x02", 4) == 0 && memcmp (data + i + 46, member, name_len) == 0)
        {
          memcpy (data + i + 24, &size, 4);
          patched++;
        }
    }
  g_assert_cmpuint (patched, ==, 2);
}

static void
test_zip_bomb (Tmp *tmp, gconstpointer data)
{
  static const char *const pairs[] = { "config.json", minimal_config, "model.weights.h5", "tiny", NULL };
  g_autofree char *path = write_zip (tmp, "bomb.keras", pairs);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;

  g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  /* A few hundred bytes that claim 4 GiB of weights. */
  declare_size (contents, length, "model.weights.h5", 0xFFFFFF00u);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  model = load (path, &error);
  g_assert_null (model);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT);
}

/* A flipped byte inside the stored weights fails the member's CRC. */
static void
test_bad_crc (Tmp *tmp, gconstpointer data)
{
  g_autofree char *src = generated_path ("sequential_dense", ".keras");
  g_autofree char *path = g_build_filename (tmp->dir, "crc.keras", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  char *hdf5;

  g_file_get_contents (src, &contents, &length, &error);
  g_assert_no_error (error);
  hdf5 = memmem (contents, length, "\x89HDF\r\n\x1a\n", 8);
  g_assert_nonnull (hdf5);
  hdf5[2048] ^= 0x55;
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  assert_load_fails (path, "CRC");
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  if (strata_formats_lookup ("keras-v3") == NULL)
    {
      g_printerr ("the keras-v3 format module is not on STRATA_FORMAT_PATH\n");
      return 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (real_cases); i++)
    {
      g_autofree char *test = g_strdup_printf ("/keras-v3/real/%s", real_cases[i].path);

      g_test_add_data_func (test, &real_cases[i], test_real);
    }
  for (guint i = 0; i < G_N_ELEMENTS (generated_models); i++)
    {
      g_autofree char *keras = g_strdup_printf ("/keras-v3/generated/%s.keras", generated_models[i]);
      g_autofree char *weights = g_strdup_printf ("/keras-v3/generated/%s.weights.h5", generated_models[i]);
      g_autofree char *roundtrip = g_strdup_printf ("/keras-v3/roundtrip/%s", generated_models[i]);

      g_test_add_data_func (keras, generated_models[i], test_generated_keras);
      g_test_add_data_func (weights, generated_models[i], test_generated_weights);
      g_test_add_data_func (roundtrip, generated_models[i], test_roundtrip);
    }
  g_test_add_func ("/keras-v3/directory", test_directory);
  g_test_add_func ("/keras-v3/save-format-by-name", test_save_format_by_name);
  g_test_add_func ("/keras-v3/legacy-named-weights", test_legacy_named_weights);
  g_test_add_func ("/keras-v3/tf-keras-optimizer", test_tf_keras_optimizer);
  g_test_add ("/keras-v3/corrupt/bad-crc", Tmp, NULL, tmp_setup, test_bad_crc, tmp_teardown);
  g_test_add ("/keras-v3/corrupt/truncated", Tmp, NULL, tmp_setup, test_truncated, tmp_teardown);
  g_test_add ("/keras-v3/corrupt/missing-config", Tmp, NULL, tmp_setup, test_missing_config, tmp_teardown);
  g_test_add ("/keras-v3/corrupt/missing-weights", Tmp, NULL, tmp_setup, test_missing_weights, tmp_teardown);
  g_test_add ("/keras-v3/corrupt/path-traversal", Tmp, NULL, tmp_setup, test_traversal, tmp_teardown);
  g_test_add ("/keras-v3/corrupt/bad-json", Tmp, NULL, tmp_setup, test_bad_json, tmp_teardown);
  g_test_add ("/keras-v3/corrupt/zip-bomb", Tmp, NULL, tmp_setup, test_zip_bomb, tmp_teardown);
  return g_test_run ();
}
