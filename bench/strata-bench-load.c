/* strata-bench-load.c: times strata_load_model() on one file.
 *
 * Usage: strata-bench-load [--metadata-only] [--no-touch] [--repeat N]
 *                          [--save-to OUT [--save-format NAME]] FILE
 *
 * Loads FILE (N times, each model freed before the next load, so peak RSS
 * stays that of one), then (unless --no-touch or --metadata-only) reads
 * every byte of every weight of the last model, so a mapped load pays for
 * its page faults like a copied one pays for its reads.  The h5 plugin maps
 * weights by default; set STRATA_H5_NO_MMAP=1 to make it copy them.  Prints
 * one line of key=value pairs for bench/run-bench.sh: load_s is the median
 * of the N strata_load_model() calls, first_s the first one (which also
 * loads the format plugins and libhdf5).  With --save-to, the last model is
 * then saved to OUT (strata_model_save, overwriting) and save_s is the time
 * that call took, save_cpu_s the CPU time (user + system) the process spent
 * in it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/resource.h>

#include "strata.h"

static double
cpu_seconds (const struct rusage *usage)
{
  return usage->ru_utime.tv_sec + usage->ru_utime.tv_usec / 1e6 +
         usage->ru_stime.tv_sec + usage->ru_stime.tv_usec / 1e6;
}

/* Reads all of @data; the result is printed so the compiler keeps the loop. */
static guint64
touch_bytes (GBytes *data)
{
  gsize size = 0;
  const guint8 *p = g_bytes_get_data (data, &size);
  guint64 acc = 0;
  gsize i = 0;

  for (; i + sizeof (guint64) <= size; i += sizeof (guint64))
    {
      guint64 word;
      memcpy (&word, p + i, sizeof word);
      acc ^= word;
    }
  for (; i < size; i++)
    acc ^= p[i];
  return acc;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  gboolean metadata_only = FALSE;
  gboolean no_touch = FALSE;
  gint repeat = 1;
  g_autofree char *save_to = NULL;
  g_autofree char *save_format = NULL;
  double save_s = -1;
  double save_cpu_s = -1;
  GOptionEntry entries[] = {
    { "metadata-only", 0, 0, G_OPTION_ARG_NONE, &metadata_only,
      "Load with STRATA_LOAD_METADATA_ONLY (no weight data)", NULL },
    { "no-touch", 0, 0, G_OPTION_ARG_NONE, &no_touch,
      "Do not read the weight bytes after loading", NULL },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat,
      "Load the file N times and report the median time (default 1)", "N" },
    { "save-to", 0, 0, G_OPTION_ARG_FILENAME, &save_to,
      "Then save the model to OUT and report the time", "OUT" },
    { "save-format", 0, 0, G_OPTION_ARG_STRING, &save_format,
      "Format to save in (default: from OUT)", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataLoadOptions) options = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  double first_s, median_s;
  gint64 t0, t1 = 0, t2;
  guint64 n_bytes = 0, checksum = 0;
  guint n_with_data = 0;
  struct rusage usage;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("FILE");
  g_option_context_set_summary (context, "Time loading a Keras model with Strata.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("strata-bench-load: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || repeat < 1)
    {
      g_printerr ("usage: strata-bench-load [--metadata-only] [--no-touch] [--repeat N] "
                  "[--save-to OUT [--save-format NAME]] FILE\n");
      return 2;
    }

  file = g_file_new_for_commandline_arg (argv[1]);
  options = strata_load_options_new ();
  strata_load_options_set_compile (options, FALSE);
  if (metadata_only)
    strata_load_options_set_flags (options, STRATA_LOAD_METADATA_ONLY);

  for (gint r = 0; r < repeat; r++)
    {
      double seconds;

      g_clear_object (&model);
      t0 = g_get_monotonic_time ();
      model = strata_load_model (file, options, NULL, &error);
      t1 = g_get_monotonic_time ();
      if (model == NULL)
        {
          g_printerr ("strata-bench-load: cannot load %s: %s\n", argv[1], error->message);
          return 1;
        }
      seconds = (t1 - t0) / 1e6;
      g_array_append_val (times, seconds);
    }
  first_s = g_array_index (times, double, 0);
  g_array_sort (times, compare_doubles);
  median_s = g_array_index (times, double, times->len / 2);

  weights = strata_layer_get_weights (STRATA_LAYER (model));
  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *t = g_ptr_array_index (weights, i);

      n_bytes += strata_tensor_get_n_bytes (t);
      if (!strata_tensor_has_data (t))
        continue;
      n_with_data++;
      if (!no_touch && !metadata_only)
        checksum ^= touch_bytes (strata_tensor_get_data (t));
    }
  t2 = g_get_monotonic_time ();

  if (metadata_only && n_with_data > 0)
    {
      g_printerr ("strata-bench-load: %s: a metadata-only load returned data for %u of %u weights\n",
                  argv[1], n_with_data, weights->len);
      return 1;
    }
  if (!metadata_only && n_with_data != weights->len)
    {
      g_printerr ("strata-bench-load: %s: only %u of %u weights have data\n",
                  argv[1], n_with_data, weights->len);
      return 1;
    }

  if (save_to != NULL)
    {
      g_autoptr(GFile) out = g_file_new_for_commandline_arg (save_to);
      g_autoptr(StrataSaveOptions) save_options = strata_save_options_new ();
      gint64 s0;

      strata_save_options_set_overwrite (save_options, TRUE);
      if (save_format != NULL)
        strata_save_options_set_format (save_options, save_format);
      getrusage (RUSAGE_SELF, &usage);
      save_cpu_s = -cpu_seconds (&usage);
      s0 = g_get_monotonic_time ();
      if (!strata_model_save (model, out, save_options, NULL, &error))
        {
          g_printerr ("strata-bench-load: cannot save %s to %s: %s\n", argv[1], save_to,
                      error->message);
          return 1;
        }
      save_s = (g_get_monotonic_time () - s0) / 1e6;
      getrusage (RUSAGE_SELF, &usage);
      save_cpu_s += cpu_seconds (&usage);
    }

  getrusage (RUSAGE_SELF, &usage);
  if (save_s >= 0)
    g_print ("save_s=%.4f save_cpu_s=%.4f ", save_s, save_cpu_s);
  g_print ("load_s=%.4f first_s=%.4f repeat=%d touch_s=%.3f layers=%u tensors=%u weight_bytes=%" G_GUINT64_FORMAT
           " maxrss_kib=%ld no_mmap=%s checksum=%016" G_GINT64_MODIFIER "x\n",
           median_s, first_s, repeat, (t2 - t1) / 1e6, strata_model_get_n_layers (model),
           weights->len, n_bytes, usage.ru_maxrss,
           g_getenv ("STRATA_H5_NO_MMAP") ? g_getenv ("STRATA_H5_NO_MMAP") : "",
           checksum);
  return 0;
}
