/* test-h5-configs.c: the model configs stored in real Keras .h5 files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The model_config attribute of the real .h5 files (Keras 1.x to 3.x, many
 * of them Keras 3 configs that no .json fixture has) is read through
 * strata_load_model() without weight data; each loaded model must re-save
 * to a fixed point in its own dialect and convert to the others. The
 * counts are exact: every file loads through the h5 format with its
 * config, or is a weights-only file (named *weights*, as Keras names
 * them), which loads as layers without a class, or is in expected_outcomes;
 * anything else fails. Test vectors (*_inputs_and_outputs.h5) are counted
 * apart.
 */
#include "config.h"

#include "test-utils.h"

/* The files with another outcome, each with its reason. */
enum { OUTCOME_UNSUPPORTED };   /* refused by the h5 format as unsupported */

static const StrataTestOutcome expected_outcomes[] = {
  { "community/diabetes-mlp/model.weights.h5", OUTCOME_UNSUPPORTED,
    "a Keras 3 .weights.h5 (the keras-v3 format reads it)" },
  { "community/jenish-churn/model.weights.h5", OUTCOME_UNSUPPORTED,
    "a Keras 3 .weights.h5 (the keras-v3 format reads it)" },
};

#define is_expected(file) \
  strata_test_outcome_is (expected_outcomes, G_N_ELEMENTS (expected_outcomes), file, OUTCOME_UNSUPPORTED)

/* A weights-only file loads as a Sequential of opaque layers whose
 * class_name is null (see strata-format-h5.c). */
static gboolean
has_no_classes (StrataModel *model)
{
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      JsonNode *class_name;

      if (!STRATA_IS_OPAQUE_LAYER (layer))
        return FALSE;
      class_name = json_object_get_member (strata_opaque_layer_get_object (STRATA_OPAQUE_LAYER (layer)),
                                           "class_name");
      if (class_name == NULL || !JSON_NODE_HOLDS_NULL (class_name))
        return FALSE;
    }
  return strata_model_get_n_layers (model) > 0;
}

static void
test_h5_configs (void)
{
  g_autofree char *marker = strata_test_real_fixture_path ("MANIFEST.md");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  guint n_loaded = 0, n_not_models = 0, n_listed = 0, n_other = 0, n_vectors = 0;

  if (marker == NULL)
    return;
  if (strata_formats_lookup ("h5") == NULL)
    {
      strata_test_skip ("the h5 format module is not built");
      return;
    }

  strata_load_options_set_format (options, "h5");
  strata_load_options_set_flags (options, STRATA_LOAD_METADATA_ONLY | STRATA_LOAD_ALLOW_UNKNOWN);
  strata_load_options_set_compile (options, FALSE);
  strata_test_collect_files (strata_test_real_fixtures (), (const char *[]) { ".h5", ".hdf5", NULL },
                             files);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *relative = path + strlen (strata_test_real_fixtures ()) + 1;
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = NULL;
      g_autofree char *first = NULL, *second = NULL;
      g_autoptr(StrataModel) again = NULL;
      g_autofree char *base = g_path_get_basename (path);

      if (g_str_has_suffix (base, "_inputs_and_outputs.h5"))
        {
          n_vectors++;   /* inputs and predictions, no model */
          continue;
        }
      model = strata_load_model (file, options, NULL, &error);
      if (model == NULL)
        {
          if (g_error_matches (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED) &&
              is_expected (relative))
            n_listed++;
          else
            {
              n_other++;
              g_test_message ("FAILED %s: %s", relative, error->message);
              g_test_fail ();
            }
          continue;
        }
      if (is_expected (relative))
        {
          n_other++;
          g_test_message ("FAILED %s: loads, but expected_outcomes says it does not", relative);
          g_test_fail ();
          continue;
        }
      if (has_no_classes (model) != (strstr (base, "weights") != NULL))
        {
          n_other++;
          g_test_message ("FAILED %s: %s", relative, has_no_classes (model)
                          ? "loads without a config, but is not named as a weights file"
                          : "a weights file that loads with a config");
          g_test_fail ();
          continue;
        }
      if (has_no_classes (model))
        {
          n_not_models++;
          continue;
        }
      n_loaded++;

      first = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
      again = strata_model_from_json (first, -1, NULL, STRATA_LOAD_METADATA_ONLY | STRATA_LOAD_ALLOW_UNKNOWN, &error);
      if (again == NULL)
        g_error ("%s: its config does not load back: %s", relative, error->message);
      second = strata_model_to_json (again, STRATA_KERAS_DIALECT_AUTO, FALSE);
      if (g_strcmp0 (first, second) != 0)
        {
          g_test_message ("NOT A FIXED POINT %s", relative);
          g_test_fail ();
        }
      for (StrataKerasDialect d = STRATA_KERAS_DIALECT_KERAS1; d <= STRATA_KERAS_DIALECT_KERAS3; d++)
        {
          g_autofree char *text = strata_model_to_json (model, d, FALSE);
          g_autoptr(StrataModel) converted = strata_model_from_json (text, -1, NULL,
                                                                     STRATA_LOAD_METADATA_ONLY | STRATA_LOAD_ALLOW_UNKNOWN,
                                                                     &error);
          g_assert_no_error (error);
          g_assert_cmpuint (strata_model_get_n_layers (converted), ==, strata_model_get_n_layers (model));
          if (strata_layer_count_params (STRATA_LAYER (converted)) != strata_layer_count_params (STRATA_LAYER (again)))
            {
              g_test_message ("%s as dialect %d: %" G_GUINT64_FORMAT " parameters, %" G_GUINT64_FORMAT " before",
                              relative, d, strata_layer_count_params (STRATA_LAYER (converted)),
                              strata_layer_count_params (STRATA_LAYER (again)));
              g_test_fail ();
            }
        }
    }
  g_printerr ("\nh5 model configs: %u files, %u loaded, %u weights files (no model config), "
              "%u refused as listed, %u other failures; %u test vectors\n", files->len - n_vectors, n_loaded,
              n_not_models, n_listed, n_other, n_vectors);
  g_assert_cmpuint (n_other, ==, 0);
  g_assert_cmpuint (n_loaded, >, 0);
  g_assert_cmpuint (n_listed, ==, G_N_ELEMENTS (expected_outcomes));
  g_assert_cmpuint (n_loaded + n_not_models + n_listed + n_vectors, ==, files->len);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/h5-configs", test_h5_configs);
  return g_test_run ();
}
