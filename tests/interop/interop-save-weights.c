/* interop-save-weights.c: loads a model with Strata and writes its weights
 * with strata_model_save_weights(), for the interop suite.
 *
 * Usage: interop-save-weights IN OUT [FORMAT [CONFIG]]
 *
 * IN is a model file; with CONFIG (a to_json file), IN is a weights file
 * (such as a TF checkpoint prefix) that strata_model_load_weights() reads
 * into the model built from CONFIG.
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

  setlocale (LC_ALL, "");
  if (argc < 3 || argc > 5)
    {
      g_printerr ("usage: %s IN OUT [FORMAT [CONFIG]]\n", argv[0]);
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
