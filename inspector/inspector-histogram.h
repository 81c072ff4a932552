/* inspector-histogram.h: a histogram of a weight's values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-stats.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_HISTOGRAM (inspector_histogram_get_type ())
G_DECLARE_FINAL_TYPE (InspectorHistogram, inspector_histogram, INSPECTOR, HISTOGRAM, GtkWidget)

GtkWidget *inspector_histogram_new (const InspectorStats *stats);

G_END_DECLS
