/* interop-save-weights.c: loads a model with Strata and writes its weights
 * with strata_model_save_weights(), for the interop suite.
 *
 * Usage: interop-save-weights IN OUT [FORMAT]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>

#include "strata.h"

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) in = NULL;
  g_autoptr(GFile) out = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataSaveOptions) options = NULL;

  setlocale (LC_ALL, "");
  if (argc < 3 || argc > 4)
    {
      g_printerr ("usage: %s IN OUT [FORMAT]\n", argv[0]);
      return 2;
    }

  in = g_file_new_for_commandline_arg (argv[1]);
  out = g_file_new_for_commandline_arg (argv[2]);

  model = strata_load_model (in, NULL, NULL, &error);
  if (model == NULL)
    {
      g_printerr ("interop-save-weights: cannot load %s: %s\n", argv[1], error->message);
      return 1;
    }

  options = strata_save_options_new ();
  strata_save_options_set_overwrite (options, TRUE);
  if (argc == 4)
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
