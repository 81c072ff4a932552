/* interop-save-weights.c: loads a model with Strata and writes its weights
 * with strata_model_save_weights(), for the interop suite.
 *
 * Usage: interop-save-weights [--weights-from=FILE] IN OUT [FORMAT [CONFIG]]
 *
 * --weights-from loads FILE's weights into the model first (Keras's
 * load_weights: topological, converted to the model's layers). With CONFIG
 * (a to_json file), IN is a weights file (such as a TF checkpoint prefix)
 * that strata_model_load_weights() reads into the model built from CONFIG.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>

#include "strata.h"

/* The model of @config_path with the weights of @weights. */
static StrataModel *
model_with_weights (const char *config_path, GFile *weights, GError **error)
{
  g_autofree char *json = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataWeightsReport) report = NULL;

  if (!g_file_get_contents (config_path, &json, NULL, error))
    return NULL;
  model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, error);
  if (model == NULL)
    return NULL;
  report = strata_model_load_weights (model, weights, NULL, NULL, error);
  if (report == NULL)
    return NULL;
  return g_steal_pointer (&model);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) in = NULL;
  g_autoptr(GFile) out = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataSaveOptions) options = NULL;
  g_autofree char *weights_from = NULL;
  GOptionEntry entries[] = {
    { "weights-from", 0, 0, G_OPTION_ARG_FILENAME, &weights_from, "Load this file's weights first", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("IN OUT [FORMAT [CONFIG]]");

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 3 || argc > 5)
    {
      g_printerr ("usage: %s [--weights-from=FILE] IN OUT [FORMAT [CONFIG]]%s%s\n", argv[0],
                  error != NULL ? ": " : "", error != NULL ? error->message : "");
      return 2;
    }

  in = g_file_new_for_commandline_arg (argv[1]);
  out = g_file_new_for_commandline_arg (argv[2]);

  if (argc == 5)
    model = model_with_weights (argv[4], in, &error);
  else
    model = strata_load_model (in, NULL, NULL, &error);
  if (model == NULL)
    {
      g_printerr ("interop-save-weights: cannot load %s: %s\n", argv[1], error->message);
      return 1;
    }

  if (weights_from != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (weights_from);
      g_autoptr(StrataWeightsReport) report = strata_model_load_weights (model, file, NULL, NULL, &error);

      if (report == NULL)
        {
          g_printerr ("interop-save-weights: cannot load the weights of %s into %s: %s\n",
                      weights_from, argv[1], error->message);
          return 1;
        }
    }

  options = strata_save_options_new ();
  strata_save_options_set_overwrite (options, TRUE);
  if (argc >= 4 && argv[3][0] != '\0')
    strata_save_options_set_format (options, argv[3]);

  if (!strata_model_save_weights (model, out, options, NULL, &error))
    {
      g_printerr ("interop-save-weights: cannot save the weights of %s to %s: %s\n",
                  argv[1], argv[2], error->message);
      return 1;
    }
  g_print ("interop-save-weights: %s -> %s\n", argv[1], argv[2]);
  return 0;
}
