/* test-h5-configs.c: the model configs stored in real Keras .h5 files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The model_config attribute of the real .h5 files (Keras 1.x to 3.x, many
 * of them Keras 3 configs that no .json fixture has) is read through
 * strata_load_model() without weight data; each loaded model must re-save
 * to a fixed point in its own dialect and convert to the others. Files
 * without a model config (weights-only files) are not model files.
 */
#include "config.h"

#include "test-utils.h"

static void
collect (const char *dir,
         GPtrArray  *files)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect (path, files);
      else if ((g_str_has_suffix (name, ".h5") || g_str_has_suffix (name, ".hdf5")) &&
               strstr (name, "weights") == NULL && strstr (name, "inputs_and_outputs") == NULL)
        g_ptr_array_add (files, g_steal_pointer (&path));   /* weights or test vectors: no config */
    }
}

static void
test_h5_configs (void)
{
  g_autofree char *marker = strata_test_real_fixture_path ("MANIFEST.md");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  guint n_loaded = 0, n_not_models = 0, n_other = 0;

  if (marker == NULL)
    return;
  if (strata_formats_lookup ("h5") == NULL)
    {
      strata_test_skip ("the h5 format module is not built");
      return;
    }

  strata_load_options_set_flags (options, STRATA_LOAD_METADATA_ONLY | STRATA_LOAD_ALLOW_UNKNOWN);
  strata_load_options_set_compile (options, FALSE);
  collect (strata_test_real_fixtures (), files);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *relative = path + strlen (strata_test_real_fixtures ()) + 1;
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = strata_load_model (file, options, NULL, &error);
      g_autofree char *first = NULL, *second = NULL;
      g_autoptr(StrataModel) again = NULL;

      if (model == NULL)
        {
          if (error->domain == STRATA_CONFIG_ERROR)
            {
              g_test_message ("CONFIG ERROR %s: %s", relative, error->message);
              g_test_fail ();
            }
          else if (strstr (error->message, "model config") != NULL ||
                   strstr (error->message, "model_config") != NULL)
            n_not_models++;
          else
            {
              n_other++;
              g_test_message ("not loaded %s: %s", relative, error->message);
            }
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
  g_test_message ("h5 files: %u models loaded, %u without a model config, %u other failures",
                  n_loaded, n_not_models, n_other);
  g_printerr ("\nh5 model configs: %u loaded, %u files without a model config, %u other failures\n",
              n_loaded, n_not_models, n_other);
  g_assert_cmpuint (n_loaded, >=, 200);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/h5-configs", test_h5_configs);
  return g_test_run ();
}
