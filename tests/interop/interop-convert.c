/* interop-convert.c: many conversions by Strata in one process, for the
 * interop suite's conversion matrix (conversion_matrix.py).
 *
 * Usage: interop-convert JOBS
 *
 * JOBS has one job per line, tab-separated:
 *   ID  MODEL  WEIGHTS  OUTPUT  WHAT  FORMAT  KERAS
 * MODEL is the file the model is loaded from (strata_load_model); WEIGHTS
 * "-" or a weights file loaded into it (strata_model_load_weights, for a
 * model read from a to_json config); OUTPUT the file written, WHAT "model"
 * (strata_model_save) or "weights" (strata_model_save_weights), FORMAT the
 * format name, KERAS "2" or "3" (StrataSaveOptions:dialect) or "auto".
 * Prints one line per job: "ID\tok", or "ID\terror\tDOMAIN:CODE\tMESSAGE".
 * Exit status: 0 when every job ran (whatever its result), 2 bad usage.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "strata.h"

static void
report (const char   *id,
        const GError *error)
{
  g_autofree char *message = NULL;

  if (error == NULL)
    {
      g_print ("%s\tok\n", id);
      return;
    }
  message = g_strdup (error->message);
  g_strdelimit (message, "\t\n", ' ');
  g_print ("%s\terror\t%s:%d\t%s\n", id, g_quark_to_string (error->domain), error->code, message);
}

static gboolean
run (char   **fields,
     GError **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (fields[1]);
  g_autoptr(GFile) output = g_file_new_for_path (fields[3]);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();

  model = strata_load_model (source, NULL, NULL, error);
  if (model == NULL)
    return FALSE;
  if (!g_str_equal (fields[2], "-"))
    {
      g_autoptr(GFile) weights = g_file_new_for_path (fields[2]);
      g_autoptr(StrataWeightsReport) loaded = strata_model_load_weights (model, weights, NULL, NULL, error);

      if (loaded == NULL)
        return FALSE;
    }
  strata_save_options_set_format (options, fields[5]);
  if (g_str_equal (fields[6], "2"))
    strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS2);
  else if (g_str_equal (fields[6], "3"))
    strata_save_options_set_dialect (options, STRATA_KERAS_DIALECT_KERAS3);
  if (g_str_equal (fields[4], "weights"))
    return strata_model_save_weights (model, output, options, NULL, error);
  return strata_model_save (model, output, options, NULL, error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  setlocale (LC_ALL, "");
  if (argc != 2)
    {
      g_printerr ("usage: %s JOBS\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &contents, NULL, &error))
    {
      g_printerr ("interop-convert: %s\n", error->message);
      return 2;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) local = NULL;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (fields) != 7)
        {
          g_printerr ("interop-convert: line %u: expected 7 tab-separated fields\n", i + 1);
          return 2;
        }
      run (fields, &local);
      report (fields[0], local);
    }
  return 0;
}
