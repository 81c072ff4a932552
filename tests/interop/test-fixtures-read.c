/* test-fixtures-read.c: Strata reads every file of tests/fixtures/generated
 * (written by real tf-keras 2.21 and Keras 3.15, and, under legacy/, by
 * TensorFlow 2.0 to 2.15) and finds the weights and optimizer state that
 * Keras recorded: same count, order, dtype, shape and sha256 of the raw
 * bytes; and every layer name of the config.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "test-utils.h"

typedef struct
{
  char *path;          /* manifest path, e.g. "keras/recurrent.keras" */
  char *kind;          /* h5-model, h5-weights, keras-v3, keras-v3-weights,
                          tf-savedmodel (a folder), tf-checkpoint (a prefix) */
  char *expected;      /* manifest path of the .expected.json */
} FixtureCase;

static void
fixture_case_free (gpointer data)
{
  FixtureCase *fc = data;

  g_free (fc->path);
  g_free (fc->kind);
  g_free (fc->expected);
  g_free (fc);
}

static char *
generated_path (const char *relative)
{
  /* G_TEST_SRCDIR is tests/ (test_env) */
  return g_test_build_filename (G_TEST_DIST, "fixtures", "generated", relative, NULL);
}

static JsonNode *
parse_json_file (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

G_GNUC_PRINTF (1, 2) static gboolean
fail (const char *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_fail_printf ("%s", message);
  return FALSE;
}

/* Failures are reported with g_test_fail_printf() so one bad fixture does
 * not hide the others; each check returns FALSE on the first mismatch. */
static gboolean
tensors_match (const char *what,
               GPtrArray  *tensors,
               JsonArray  *expected)
{
  guint n = json_array_get_length (expected);

  if (tensors->len != n)
    {
      g_test_fail_printf ("%s: Strata has %u tensors, Keras wrote %u", what, tensors->len, n);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      StrataTensor *t = g_ptr_array_index (tensors, i);
      JsonObject *exp = json_array_get_object_element (expected, i);
      const char *exp_name = json_object_get_string_member (exp, "name");
      JsonArray *exp_shape = json_object_get_array_member (exp, "shape");
      StrataShape *shape = strata_tensor_get_shape (t);
      g_autofree char *shape_str = strata_shape_to_string (shape);
      g_autofree char *sha = NULL;
      const char *dtype = strata_dtype_to_string (strata_tensor_get_dtype (t));

      if (g_strcmp0 (dtype, json_object_get_string_member (exp, "dtype")) != 0)
        return fail ("%s[%u] (%s): dtype %s, Keras wrote %s", what, i, exp_name,
                 dtype, json_object_get_string_member (exp, "dtype"));

      if (strata_shape_get_rank (shape) != json_array_get_length (exp_shape))
        return fail ("%s[%u] (%s): shape %s has rank %u, Keras wrote rank %u", what, i,
                 exp_name, shape_str, strata_shape_get_rank (shape),
                 json_array_get_length (exp_shape));
      for (guint d = 0; d < json_array_get_length (exp_shape); d++)
        if (strata_shape_get_dim (shape, d) != json_array_get_int_element (exp_shape, d))
          return fail ("%s[%u] (%s): shape %s, dimension %u should be %" G_GINT64_FORMAT,
                   what, i, exp_name, shape_str, d,
                   json_array_get_int_element (exp_shape, d));

      if (!strata_tensor_has_data (t))
        return fail ("%s[%u] (%s): Strata loaded no data", what, i, exp_name);
      sha = strata_tensor_get_sha256 (t);
      if (g_strcmp0 (sha, json_object_get_string_member (exp, "sha256")) != 0)
        return fail ("%s[%u] (%s): sha256 of the data %s, Keras wrote %s", what, i,
                 exp_name, sha, json_object_get_string_member (exp, "sha256"));
    }
  return TRUE;
}

/* Every named layer of the Keras config (long and non-ASCII names
 * included) must be found by name. */
static gboolean
layer_names_match (StrataModel *model,
                   const char  *config_path)
{
  g_autoptr(JsonNode) root = parse_json_file (config_path);
  JsonObject *config = json_object_get_object_member (json_node_get_object (root), "config");
  JsonArray *layers = json_object_get_array_member (config, "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *layer = json_array_get_object_element (layers, i);
      const char *class_name = json_object_get_string_member (layer, "class_name");
      JsonObject *lconfig = json_object_get_object_member (layer, "config");
      const char *name = json_object_get_string_member (lconfig, "name");

      if (g_strcmp0 (class_name, "InputLayer") == 0)
        continue;  /* Sequential models do not list their input as a layer */
      if (strata_model_get_layer (model, name) == NULL)
        return fail ("%s: layer %u (%s \"%.60s%s\") is not in the loaded model",
                 config_path, i, class_name, name, strlen (name) > 60 ? "..." : "");
    }
  return TRUE;
}

/* The keras-v3 and tf-savedmodel formats are optional modules (meson
 * options): without them, their files are skipped, loudly. */
static gboolean
skip_without_format (const char *kind)
{
  const char *needed = g_str_has_prefix (kind, "keras-v3") ? "keras-v3"
                       : g_str_has_prefix (kind, "tf-") ? "tf-savedmodel" : "h5";

  if (strata_formats_lookup (needed) != NULL)
    return FALSE;
  strata_test_skip ("the '%s' format module is not built or not found on STRATA_FORMAT_PATH",
                    needed);
  return TRUE;
}

static void read_fixture (const FixtureCase *fc, const char *file_path, JsonObject *expected,
                          const char *config_path, GFile *file, gboolean weights_only);

static void
test_read_fixture (gconstpointer data)
{
  const FixtureCase *fc = data;
  g_autofree char *file_path = generated_path (fc->path);
  g_autofree char *expected_path = generated_path (fc->expected);
  g_autoptr(JsonNode) expected_root = parse_json_file (expected_path);
  JsonObject *expected = json_node_get_object (expected_root);
  g_autofree char *toolkit_dir = g_path_get_dirname (expected_path);
  g_autofree char *config_path = g_build_filename (toolkit_dir,
      json_object_get_string_member (expected, "config_file"), NULL);
  g_autoptr(GFile) file = g_file_new_for_path (file_path);
  /* A TF checkpoint (save_weights to a prefix) holds weights only. */
  gboolean weights_only = g_str_has_suffix (fc->kind, "-weights")
                          || g_strcmp0 (fc->kind, "tf-checkpoint") == 0;

  g_test_message ("reading %s (%s, Keras %s)", file_path, fc->kind,
                  json_object_get_string_member (expected, "keras_version"));
  if (skip_without_format (fc->kind))
    return;
  read_fixture (fc, file_path, expected, config_path, file, weights_only);
}

static void
read_fixture (const FixtureCase *fc,
              const char        *file_path,
              JsonObject        *expected,
              const char        *config_path,
              GFile             *file,
              gboolean           weights_only)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(GError) error = NULL;

  if (weights_only)
    {
      g_autofree char *json = NULL;
      g_autoptr(StrataWeightsReport) report = NULL;
      const char * const *missing;

      g_file_get_contents (config_path, &json, NULL, &error);
      g_assert_no_error (error);
      model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
      if (model == NULL)
        {
          fail ("%s: strata_model_from_json: %s", config_path, error->message);
          return;
        }
      report = strata_model_load_weights (model, file, NULL, NULL, &error);
      if (report == NULL)
        {
          fail ("%s: strata_model_load_weights: %s", file_path, error->message);
          return;
        }
      missing = strata_weights_report_get_missing (report);
      if (missing != NULL && missing[0] != NULL)
        {
          fail ("%s: Strata found no weights for layer %s", file_path, missing[0]);
          return;
        }
    }
  else
    {
      model = strata_load_model (file, NULL, NULL, &error);
      if (model == NULL)
        {
          fail ("%s: strata_load_model: %s", file_path, error->message);
          return;
        }
    }

  weights = strata_layer_get_weights (STRATA_LAYER (model));
  g_assert_nonnull (weights);
  if (!tensors_match ("weights", weights, json_object_get_array_member (expected, "weights")))
    return;
  if (!layer_names_match (model, config_path))
    return;

  /* Full model files keep the optimizer state (both toolkits write it to
   * .h5, Keras 3 to .keras too). */
  if (!weights_only && json_object_has_member (expected, "optimizer_weights"))
    {
      StrataOptimizer *optimizer = strata_model_get_optimizer (model);

      if (optimizer == NULL)
        {
          fail ("%s: Keras saved a %s optimizer with its state; Strata has none",
                file_path, json_object_get_string_member (expected, "optimizer_class"));
          return;
        }
      tensors_match ("optimizer", strata_optimizer_get_weights (optimizer),
                     json_object_get_array_member (expected, "optimizer_weights"));
    }
}

/* Adds a test per file of the manifest @folder/manifest.json (paths in it
 * are relative to @folder, "" for tests/fixtures/generated itself). */
static void
add_manifest_cases (GPtrArray  *cases,
                    const char *folder,
                    JsonObject *manifest)
{
  JsonArray *files = json_object_get_array_member (manifest, "files");

  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *entry = json_array_get_object_element (files, i);
      const char *kind = json_object_get_string_member (entry, "kind");
      FixtureCase *fc;
      g_autofree char *test_path = NULL;

      if (g_strcmp0 (kind, "config-json") == 0)
        continue;

      fc = g_new0 (FixtureCase, 1);
      fc->path = g_build_path ("/", folder, json_object_get_string_member (entry, "path"), NULL);
      fc->kind = g_strdup (kind);
      fc->expected = g_build_path ("/", folder, json_object_get_string_member (entry, "expected"), NULL);
      test_path = g_strdup_printf ("/fixtures-read/%s", fc->path);
      g_test_add_data_func (test_path, fc, test_read_fixture);
      g_ptr_array_add (cases, fc);
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *manifest_path = NULL;
  g_autofree char *legacy_path = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) legacy_root = NULL;
  /* Owned here: GLib frees test data only of the tests that ran. */
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (fixture_case_free);
  int status;

  strata_test_init (&argc, &argv);

  manifest_path = generated_path ("manifest.json");
  if (!g_file_test (manifest_path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("FAIL: %s is missing; tests/fixtures/generate.py writes it\n", manifest_path);
      return 1;
    }
  root = parse_json_file (manifest_path);
  add_manifest_cases (cases, "", json_node_get_object (root));

  /* SavedModels and checkpoints of older TensorFlow
   * (tests/fixtures/savedmodel-legacy/generate-legacy.py). */
  legacy_path = generated_path ("legacy/manifest.json");
  if (!g_file_test (legacy_path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("FAIL: %s is missing; tests/fixtures/savedmodel-legacy/generate-legacy.py "
                  "writes it\n", legacy_path);
      return 1;
    }
  legacy_root = parse_json_file (legacy_path);
  add_manifest_cases (cases, "legacy", json_node_get_object (legacy_root));
  g_assert_cmpuint (cases->len, >, 0);

  status = g_test_run ();
  return status;
}
