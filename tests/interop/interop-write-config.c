/* interop-write-config.c: reads a Keras model config (model.to_json()) with
 * Strata and writes it in a given Keras dialect, for the interop suite.
 *
 * Usage: interop-write-config IN.json OUT.json 2|3
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
  g_autoptr(StrataModel) model = NULL;
  g_autofree char *json = NULL;
  g_autofree char *written = NULL;
  gsize length = 0;
  StrataKerasDialect dialect;

  setlocale (LC_ALL, "");
  if (argc != 4 || (g_strcmp0 (argv[3], "2") != 0 && g_strcmp0 (argv[3], "3") != 0))
    {
      g_printerr ("usage: %s IN.json OUT.json 2|3\n", argv[0]);
      return 2;
    }
  dialect = argv[3][0] == '3' ? STRATA_KERAS_DIALECT_KERAS3 : STRATA_KERAS_DIALECT_KERAS2;

  if (!g_file_get_contents (argv[1], &json, &length, &error))
    {
      g_printerr ("interop-write-config: %s\n", error->message);
      return 1;
    }
  model = strata_model_from_json (json, (gssize) length, NULL, STRATA_LOAD_NONE, &error);
  if (model == NULL)
    {
      g_printerr ("interop-write-config: cannot read %s: %s\n", argv[1], error->message);
      return 1;
    }
  written = strata_model_to_json (model, dialect, TRUE);
  if (!g_file_set_contents (argv[2], written, -1, &error))
    {
      g_printerr ("interop-write-config: %s\n", error->message);
      return 1;
    }
  return 0;
}
