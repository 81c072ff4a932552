/* strata-bench-predict.c: times strata_model_predict() on one model.
 *
 * Usage: strata-bench-predict [--int-max K] MODEL BATCH CALLS
 *
 * Loads MODEL, makes one input batch of BATCH rows per model input (random
 * values in [0, 1), or integers in [0, K) for models that embed token ids),
 * runs predict once to plan, then CALLS more times, and prints one line of
 * key=value pairs for bench/run-bench-predict.sh: median_s (one call),
 * rows_per_s (BATCH / median_s) and maxrss_kib (the process's peak).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>

#include "strata.h"

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  gint64 int_max = 0;
  int first = 1;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  GPtrArray *specs;
  gint64 batch;
  int calls;
  struct rusage usage;

  if (argc > 2 && g_str_equal (argv[1], "--int-max"))
    {
      int_max = g_ascii_strtoll (argv[2], NULL, 10);
      first = 3;
    }
  if (argc - first != 3)
    {
      g_printerr ("usage: strata-bench-predict [--int-max K] MODEL BATCH CALLS\n");
      return 2;
    }
  batch = g_ascii_strtoll (argv[first + 1], NULL, 10);
  calls = atoi (argv[first + 2]);
  {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[first]);

    model = strata_load_model (file, NULL, NULL, &error);
  }
  if (model == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  specs = strata_model_get_inputs (model);
  for (guint i = 0; i < specs->len; i++)
    {
      guint rank = 0;
      const gint64 *dims = strata_shape_get_dims (strata_keras_tensor_get_shape (g_ptr_array_index (specs, i)), &rank);
      gint64 shape[8];
      gsize n = 1;
      g_autofree float *values = NULL;
      g_autoptr(StrataShape) s = NULL;

      for (guint d = 0; d < rank && d < G_N_ELEMENTS (shape); d++)
        n *= (gsize) (shape[d] = d == 0 ? batch : MAX (dims[d], 1));
      values = g_new (float, n);
      for (gsize k = 0; k < n; k++)
        values[k] = int_max > 0 ? (float) g_rand_int_range (rand, 0, (gint32) int_max)
                                : (float) g_rand_double (rand);
      s = strata_shape_new (rank, shape);
      g_ptr_array_add (inputs, strata_tensor_new_from_floats (s, values, n, &error));
    }
  for (int c = -1; c < calls; c++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GPtrArray) outputs = strata_model_predict (model, inputs, NULL, &error);
      double t = (g_get_monotonic_time () - t0) / 1e6;

      if (outputs == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      if (c >= 0)   /* the first call plans */
        g_array_append_val (times, t);
    }
  g_array_sort (times, compare_doubles);
  getrusage (RUSAGE_SELF, &usage);
  {
    double median = g_array_index (times, double, times->len / 2);

    g_print ("median_s=%.6f rows_per_s=%.1f maxrss_kib=%ld\n", median, batch / median, usage.ru_maxrss);
  }
  return 0;
}
