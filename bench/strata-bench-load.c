/* strata-bench-load.c: times strata_load_model() on one file.
 *
 * Usage: strata-bench-load [--metadata-only] [--no-touch] FILE
 *
 * Loads FILE, then (unless --no-touch or --metadata-only) reads every byte
 * of every weight, so a mapped load pays for its page faults like a copied
 * one pays for its reads.  The h5 plugin maps weights by default; set
 * STRATA_H5_NO_MMAP=1 to make it copy them.  Prints one line of key=value
 * pairs for bench/run-bench.sh.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/resource.h>

#include "strata.h"

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

int
main (int argc, char **argv)
{
  gboolean metadata_only = FALSE;
  gboolean no_touch = FALSE;
  GOptionEntry entries[] = {
    { "metadata-only", 0, 0, G_OPTION_ARG_NONE, &metadata_only,
      "Load with STRATA_LOAD_METADATA_ONLY (no weight data)", NULL },
    { "no-touch", 0, 0, G_OPTION_ARG_NONE, &no_touch,
      "Do not read the weight bytes after loading", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataLoadOptions) options = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) weights = NULL;
  gint64 t0, t1, t2;
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
  if (argc != 2)
    {
      g_printerr ("usage: strata-bench-load [--metadata-only] [--no-touch] FILE\n");
      return 2;
    }

  file = g_file_new_for_commandline_arg (argv[1]);
  options = strata_load_options_new ();
  strata_load_options_set_compile (options, FALSE);
  if (metadata_only)
    strata_load_options_set_flags (options, STRATA_LOAD_METADATA_ONLY);

  t0 = g_get_monotonic_time ();
  model = strata_load_model (file, options, NULL, &error);
  t1 = g_get_monotonic_time ();
  if (model == NULL)
    {
      g_printerr ("strata-bench-load: cannot load %s: %s\n", argv[1], error->message);
      return 1;
    }

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

  getrusage (RUSAGE_SELF, &usage);
  g_print ("load_s=%.3f touch_s=%.3f layers=%u tensors=%u weight_bytes=%" G_GUINT64_FORMAT
           " maxrss_kib=%ld no_mmap=%s checksum=%016" G_GINT64_MODIFIER "x\n",
           (t1 - t0) / 1e6, (t2 - t1) / 1e6, strata_model_get_n_layers (model),
           weights->len, n_bytes, usage.ru_maxrss,
           g_getenv ("STRATA_H5_NO_MMAP") ? g_getenv ("STRATA_H5_NO_MMAP") : "",
           checksum);
  return 0;
}
