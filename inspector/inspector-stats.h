/* inspector-stats.h: statistics of a weight, computed in a worker thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <strata/strata.h>

G_BEGIN_DECLS

#define INSPECTOR_STATS_N_BINS 48

typedef struct
{
  guint64 n_values;
  guint64 n_zeros;
  guint64 n_nan;
  guint64 n_inf;
  double  min;      /* of the finite values; NaN when there are none */
  double  max;
  double  mean;
  double  std;
  guint64 bins[INSPECTOR_STATS_N_BINS];   /* finite values from min to max */
} InspectorStats;

InspectorStats *inspector_stats_compute        (StrataTensor        *tensor,
                                                GError             **error);
void            inspector_stats_compute_async  (StrataTensor        *tensor,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
InspectorStats *inspector_stats_compute_finish (GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
