/* inspector-histogram.c: a histogram of a weight's values, drawn as bars
 * with GtkSnapshot in the widget's foreground colour
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-histogram.h"

#include <string.h>

struct _InspectorHistogram
{
  GtkWidget parent_instance;

  guint64   bins[INSPECTOR_STATS_N_BINS];
};

G_DEFINE_FINAL_TYPE (InspectorHistogram, inspector_histogram, GTK_TYPE_WIDGET)

static void
inspector_histogram_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  InspectorHistogram *self = INSPECTOR_HISTOGRAM (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float bar = width / INSPECTOR_STATS_N_BINS;
  guint64 highest = 0;
  GdkRGBA color;

  for (guint i = 0; i < INSPECTOR_STATS_N_BINS; i++)
    highest = MAX (highest, self->bins[i]);
  if (highest == 0)
    return;
  /* gtk_widget_get_color() is GTK 4.10; Debian 12 has 4.8. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  color.alpha *= 0.7f;
  for (guint i = 0; i < INSPECTOR_STATS_N_BINS; i++)
    {
      float h = height * (float) self->bins[i] / (float) highest;

      /* A non-empty bin is at least a pixel high, so rare values show. */
      if (self->bins[i] > 0)
        h = MAX (h, 1.f);
      gtk_snapshot_append_color (snapshot, &color,
                                 &GRAPHENE_RECT_INIT (i * bar, height - h, MAX (bar - 1.f, 1.f), h));
    }
}

static void
inspector_histogram_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? INSPECTOR_STATS_N_BINS : 80;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 4 * INSPECTOR_STATS_N_BINS : 80;
}

static void
inspector_histogram_class_init (InspectorHistogramClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = inspector_histogram_snapshot;
  widget_class->measure = inspector_histogram_measure;
  gtk_widget_class_set_css_name (widget_class, "histogram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
inspector_histogram_init (InspectorHistogram *self)
{
}

GtkWidget *
inspector_histogram_new (const InspectorStats *stats)
{
  InspectorHistogram *self = g_object_new (INSPECTOR_TYPE_HISTOGRAM, NULL);

  memcpy (self->bins, stats->bins, sizeof self->bins);
  return GTK_WIDGET (self);
}
