/* test-json-corpus.c: every real Keras JSON model config loads and re-saves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Loads every .json file under ../shared/fixtures/real (Keras 1.x to 3.x
 * to_json output) and checks that each loaded model re-written in its own
 * dialect is a fixed point of to_json -> model_from_json -> to_json, means
 * what the file meant (same JSON values), and converts to the other Keras
 * dialects and back. The counts are exact: every file loads and passes,
 * or is in expected_outcomes with its reason.
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"

/* The files whose outcome is not "loads and passes", each with its
 * reason; any other outcome of any file fails the test. */
typedef enum {
  OUTCOME_NOT_A_CONFIG,    /* not a model config (no top-level class_name) */
  OUTCOME_UNKNOWN_CLASS,   /* refused by default: a class that is not registered */
} Outcome;

static const StrataTestOutcome expected_outcomes[] = {
  { "community/abhaypandy-churn/expected_model_852f27c.json", OUTCOME_NOT_A_CONFIG,
    "the corpus's expected predictions for a model" },
  { "community/jenish-churn/expected.json", OUTCOME_NOT_A_CONFIG,
    "the corpus's expected predictions for a weights file" },
  { "frugally-deep/test/stateful_test/temp_stateful.json", OUTCOME_NOT_A_CONFIG,
    "frugally-deep's own model format (a Keras config under \"architecture\")" },
  { "frugally-deep/test/stateful_test/temp_stateless.json", OUTCOME_NOT_A_CONFIG,
    "frugally-deep's own model format (a Keras config under \"architecture\")" },
  { "dl4j-test-resources/keras/configs/keras2/yolo9000_tf_keras_2.json", OUTCOME_UNKNOWN_CLASS,
    "a Lambda layer (Python code), refused unless unknown classes are allowed" },
};

#define is_expected(file, outcome) \
  strata_test_outcome_is (expected_outcomes, G_N_ELEMENTS (expected_outcomes), file, outcome)

/* Fails for every entry of expected_outcomes that is not in @files. */
static void
check_listed_files_exist (const char *root,
                          GPtrArray  *files)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected_outcomes); i++)
    {
      g_autofree char *path = g_build_filename (root, expected_outcomes[i].file, NULL);

      if (!g_ptr_array_find_with_equal_func (files, path, g_str_equal, NULL))
        {
          g_test_message ("expected_outcomes lists %s, which is not in the corpus",
                          expected_outcomes[i].file);
          g_test_fail ();
        }
    }
}

/* Only model configs: a JSON object with a top-level "class_name". */
static gboolean
is_model_config (const char *contents,
                 gsize       length)
{
  g_autoptr(JsonNode) root = strata_json_parse (contents, length, NULL);

  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
         json_object_has_member (json_node_get_object (root), "class_name");
}

/* The written config means the same as the file (key order and spacing
 * aside); to_json adds keras_version and backend when the file had none. */
static gboolean
same_as_file (const char *contents,
              gsize       length,
              const char *written)
{
  g_autoptr(JsonNode) original = strata_json_parse (contents, length, NULL);
  g_autoptr(JsonNode) output = strata_json_parse (written, -1, NULL);
  JsonObject *a = json_node_get_object (original);
  JsonObject *b = json_node_get_object (output);

  if (!json_object_has_member (a, "keras_version"))
    json_object_remove_member (b, "keras_version");
  if (!json_object_has_member (a, "backend"))
    json_object_remove_member (b, "backend");
  return strata_json_equal (original, output);
}

/* Every dialect can be written and read back to the same model. */
static void
check_dialects (StrataModel *model,
                const char  *relative)
{
  for (StrataKerasDialect d = STRATA_KERAS_DIALECT_KERAS1; d <= STRATA_KERAS_DIALECT_KERAS3; d++)
    {
      g_autofree char *text = strata_model_to_json (model, d, FALSE);
      g_autofree char *again_text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) again = strata_model_from_json (text, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);

      if (again == NULL)
        {
          g_test_message ("%s as dialect %d: %s", relative, d, error->message);
          g_test_fail ();
          continue;
        }
      g_assert_cmpint (strata_model_get_dialect (again), ==, d);
      g_assert_cmpuint (strata_model_get_n_layers (again), ==, strata_model_get_n_layers (model));
      g_assert_cmpuint (strata_layer_count_params (STRATA_LAYER (again)), ==,
                        strata_layer_count_params (STRATA_LAYER (model)));
      again_text = strata_model_to_json (again, d, FALSE);
      g_assert_cmpstr (text, ==, again_text);
    }
}

static void
test_corpus (void)
{
  const char *root = strata_test_real_fixtures ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_configs = 0, n_not_configs = 0, n_loaded = 0, n_unknown = 0, n_failed = 0, n_fixed = 0;

  g_autofree char *marker = strata_test_real_fixture_path ("MANIFEST.md");

  if (marker == NULL)
    return;

  strata_test_collect_files (root, (const char *[]) { ".json", NULL }, files);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *relative = path + strlen (root) + 1;
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(StrataModel) again = NULL;
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      if (!is_model_config (contents, length))
        {
          n_not_configs++;
          if (!is_expected (relative, OUTCOME_NOT_A_CONFIG))
            {
              n_failed++;
              g_test_message ("FAILED %s: not a model config, and not listed as such", relative);
            }
          continue;
        }
      n_configs++;
      if (is_expected (relative, OUTCOME_NOT_A_CONFIG))
        {
          n_failed++;
          g_test_message ("FAILED %s: a model config, but listed as none", relative);
        }

      model = strata_model_from_json (contents, length, NULL, STRATA_LOAD_NONE, &error);
      if (model == NULL)
        {
          if (g_error_matches (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS) &&
              is_expected (relative, OUTCOME_UNKNOWN_CLASS))
            {
              n_unknown++;
              g_test_message ("REFUSED (expected) %s: %s", relative, error->message);
            }
          else
            {
              n_failed++;
              g_test_message ("FAILED %s: %s", relative, error->message);
            }
          continue;
        }
      if (is_expected (relative, OUTCOME_UNKNOWN_CLASS))
        {
          n_failed++;
          g_test_message ("FAILED %s: loads, but expected_outcomes says it is refused", relative);
        }
      n_loaded++;

      first = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
      if (!same_as_file (contents, length, first))
        {
          g_test_message ("NOT LOSSLESS %s", relative);
          g_test_fail ();
        }
      again = strata_model_from_json (first, -1, NULL, STRATA_LOAD_NONE, &error);
      if (again == NULL)
        {
          g_test_message ("NOT RELOADED %s: %s", relative, error->message);
          g_test_fail ();
          continue;
        }
      g_assert_cmpint (strata_model_get_dialect (again), ==, strata_model_get_dialect (model));
      g_assert_cmpuint (strata_model_get_n_layers (again), ==, strata_model_get_n_layers (model));
      second = strata_model_to_json (again, STRATA_KERAS_DIALECT_AUTO, FALSE);
      if (g_strcmp0 (first, second) != 0)
        {
          g_test_message ("NOT A FIXED POINT %s", relative);
          g_test_fail ();
          continue;
        }
      n_fixed++;
      check_dialects (model, relative);
    }

  check_listed_files_exist (root, files);
  g_printerr ("\nJSON corpus: %u files, %u not model configs (listed), %u model configs, %u loaded, "
              "%u refused as listed (unknown classes), %u failed, %u fixed points\n",
              files->len, n_not_configs, n_configs, n_loaded, n_unknown, n_failed, n_fixed);
  g_test_message ("JSON corpus: %u files, %u not model configs (listed), %u model configs, "
                  "%u loaded, %u refused as listed (unknown classes), %u failed, %u fixed points",
                  files->len, n_not_configs, n_configs, n_loaded, n_unknown, n_failed, n_fixed);

  g_assert_cmpuint (n_failed, ==, 0);
  g_assert_cmpuint (n_configs, >, 0);
  g_assert_cmpuint (n_loaded + n_unknown, ==, n_configs);
  g_assert_cmpuint (n_fixed, ==, n_loaded);
}

/* With unknown classes allowed, every config loads (Lambda as opaque) and
 * re-saves to a fixed point too: no exceptions. */
static void
test_corpus_allow_unknown (void)
{
  const char *root = strata_test_real_fixtures ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_loaded = 0, n_configs = 0;

  g_autofree char *marker = strata_test_real_fixture_path ("MANIFEST.md");

  if (marker == NULL)
    return;

  strata_test_collect_files (root, (const char *[]) { ".json", NULL }, files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(StrataModel) again = NULL;
      g_autofree char *first = NULL, *second = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      if (!is_model_config (contents, length))
        continue;   /* listed: see load-and-fixed-point */
      n_configs++;
      model = strata_model_from_json (contents, length, NULL,
                                      STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY, &error);
      if (model == NULL)
        {
          g_test_message ("FAILED %s: %s", path + strlen (root) + 1, error->message);
          g_test_fail ();
          continue;
        }
      n_loaded++;
      first = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, TRUE);
      again = strata_model_from_json (first, -1, NULL, STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY,
                                      &error);
      g_assert_no_error (error);
      second = strata_model_to_json (again, STRATA_KERAS_DIALECT_AUTO, TRUE);
      g_assert_cmpstr (first, ==, second);
    }
  g_test_message ("allow-unknown: %u of %u loaded", n_loaded, n_configs);
  g_assert_cmpuint (n_configs, >, 0);
  g_assert_cmpuint (n_loaded, ==, n_configs);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/json-corpus/load-and-fixed-point", test_corpus);
  g_test_add_func ("/model/json-corpus/allow-unknown", test_corpus_allow_unknown);
  return g_test_run ();
}
