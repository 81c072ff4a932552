/* inspector-stats.c: statistics of a weight, computed in a worker thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-stats.h"

#include <math.h>

/* Two passes over the values: moments and range, then the histogram. */
InspectorStats *
inspector_stats_compute (StrataTensor *tensor,
                         GError      **error)
{
  g_autofree InspectorStats *stats = g_new0 (InspectorStats, 1);
  g_autofree float *values = NULL;
  double sum = 0., sum_sq = 0., width;
  guint64 n_finite = 0;
  gsize n = 0;

  values = strata_tensor_to_floats (tensor, &n, error);
  if (values == NULL && n > 0)
    return NULL;
  stats->n_values = n;
  stats->min = INFINITY;
  stats->max = -INFINITY;
  for (gsize i = 0; i < n; i++)
    {
      double v = values[i];

      if (isnan (v))
        stats->n_nan++;
      else if (isinf (v))
        stats->n_inf++;
      else
        {
          n_finite++;
          sum += v;
          sum_sq += v * v;
          stats->min = MIN (stats->min, v);
          stats->max = MAX (stats->max, v);
          if (v == 0.)
            stats->n_zeros++;
        }
    }
  if (n_finite == 0)
    {
      stats->min = stats->max = stats->mean = stats->std = NAN;
      return g_steal_pointer (&stats);
    }
  stats->mean = sum / n_finite;
  stats->std = sqrt (MAX (0., sum_sq / n_finite - stats->mean * stats->mean));
  width = (stats->max - stats->min) / INSPECTOR_STATS_N_BINS;
  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        guint bin = width > 0. ? (guint) ((values[i] - stats->min) / width) : 0;

        stats->bins[MIN (bin, INSPECTOR_STATS_N_BINS - 1)]++;
      }
  return g_steal_pointer (&stats);
}

static void
compute_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  InspectorStats *stats = inspector_stats_compute (task_data, &error);

  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, g_free);
}

void
inspector_stats_compute_async (StrataTensor        *tensor,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, inspector_stats_compute_async);
  g_task_set_task_data (task, g_object_ref (tensor), g_object_unref);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, compute_in_thread);
}

InspectorStats *
inspector_stats_compute_finish (GAsyncResult *result,
                                GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
