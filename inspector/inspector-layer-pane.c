/* inspector-layer-pane.c: a layer's config and weights
 *
 * The config is shown twice: as rows (nested objects such as initializers
 * expanded under their key) and as the raw JSON. Each weight shows its
 * dtype, shape and size; its statistics and histogram are computed in a
 * worker thread once the weights are loaded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-layer-pane.h"

#include <inttypes.h>
#include <math.h>

#include "inspector-histogram.h"
#include "inspector-i18n.h"
#include "inspector-json-rows.h"
#include "inspector-stats.h"

struct _InspectorLayerPane
{
  GtkBox          parent_instance;

  StrataLayer    *layer;
  GCancellable   *cancellable;    /* of the statistics being computed */
  guint           n_pending_stats;
  guint           n_config_rows;
  char           *json;

  GtkLabel       *title;
  GtkLabel       *subtitle;
  GtkWidget      *config_group;
  GtkWidget      *weights_group;
  GtkTextBuffer  *json_buffer;
  GtkWidget      *properties_box;
};

G_DEFINE_FINAL_TYPE (InspectorLayerPane, inspector_layer_pane, GTK_TYPE_BOX)

/* ---- weights --------------------------------------------------------------- */

typedef struct
{
  InspectorLayerPane *pane;    /* NULL once cancelled */
  GtkWidget          *expander;
} StatsRequest;

static GtkWidget *
stat_row (const char *title,
          const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  return row;
}

static void
add_stats_rows (GtkWidget            *expander,
                const InspectorStats *stats)
{
  AdwExpanderRow *row = ADW_EXPANDER_ROW (expander);
  g_autofree char *min = g_strdup_printf ("%g", stats->min);
  g_autofree char *max = g_strdup_printf ("%g", stats->max);
  g_autofree char *mean = g_strdup_printf ("%g", stats->mean);
  g_autofree char *std = g_strdup_printf ("%g", stats->std);
  g_autofree char *zeros = g_strdup_printf ("%.1f %%", stats->n_values ? 100. * stats->n_zeros / stats->n_values : 0.);
  /* Translators: counts of NaN and infinite values */
  g_autofree char *special = g_strdup_printf (_("%" PRIu64 " NaN, %" PRIu64 " infinite"),
                                              stats->n_nan, stats->n_inf);
  GtkWidget *histogram_row = gtk_list_box_row_new ();
  GtkWidget *histogram = inspector_histogram_new (stats);

  adw_expander_row_add_row (row, stat_row (_("Minimum"), min));
  adw_expander_row_add_row (row, stat_row (_("Maximum"), max));
  adw_expander_row_add_row (row, stat_row (_("Mean"), mean));
  adw_expander_row_add_row (row, stat_row (_("Standard deviation"), std));
  adw_expander_row_add_row (row, stat_row (_("Zeros"), zeros));
  adw_expander_row_add_row (row, stat_row (_("Not finite"), special));
  gtk_widget_set_margin_top (histogram, 12);
  gtk_widget_set_margin_bottom (histogram, 12);
  gtk_widget_set_margin_start (histogram, 12);
  gtk_widget_set_margin_end (histogram, 12);
  gtk_widget_set_tooltip_text (histogram, _("Histogram of the finite values, from the minimum to the maximum"));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (histogram_row), histogram);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (histogram_row), FALSE);
  adw_expander_row_add_row (row, histogram_row);
}

static void
stats_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  StatsRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree InspectorStats *stats = inspector_stats_compute_finish (result, &error);

  if (request->pane != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      request->pane->n_pending_stats--;
      if (stats != NULL)
        add_stats_rows (request->expander, stats);
      else
        adw_expander_row_add_row (ADW_EXPANDER_ROW (request->expander),
                                  stat_row (_("Statistics"), error->message));
    }
  g_clear_weak_pointer (&request->pane);
  g_object_unref (request->expander);
  g_free (request);
}

static char *
describe_weight (StrataTensor *weight)
{
  g_autofree char *shape = strata_shape_to_string (strata_tensor_get_shape (weight));
  g_autofree char *size = g_format_size (strata_tensor_get_n_bytes (weight));
  guint64 n = strata_tensor_get_n_elements (weight);

  /* Translators: a dtype, a shape, a number of values, then a size such as “1.2 MB” */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %" PRIu64 " value · %s",
                                       "%s · %s · %" PRIu64 " values · %s", n),
                          strata_dtype_to_string (strata_tensor_get_dtype (weight)), shape, n, size);
}

static void
add_weight_rows (InspectorLayerPane *self,
                 StrataLayer        *layer,
                 StrataLayer        *loaded_layer)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);
  g_autoptr(GPtrArray) loaded = loaded_layer != NULL ? strata_layer_get_weights (loaded_layer) : NULL;

  gtk_widget_set_visible (self->weights_group, weights->len > 0);
  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *weight = weights->pdata[i];
      StrataTensor *values = loaded != NULL && i < loaded->len ? loaded->pdata[i] : weight;
      g_autofree char *description = describe_weight (weight);
      GtkWidget *row = adw_expander_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), strata_tensor_get_name (weight));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), description);
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), i == 0);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->weights_group), row);
      if (strata_tensor_has_data (values))
        {
          StatsRequest *request = g_new0 (StatsRequest, 1);

          g_set_weak_pointer (&request->pane, self);
          request->expander = g_object_ref (row);
          self->n_pending_stats++;
          inspector_stats_compute_async (values, self->cancellable, stats_done, request);
        }
      else
        adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                  stat_row (_("Statistics"), _("Shown once the weights are loaded")));
    }
}

/* ---- the pane --------------------------------------------------------------- */

static GtkWidget *
new_group (const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  return group;
}

/* Groups cannot be emptied one row at a time, so they are replaced. */
static void
reset_groups (InspectorLayerPane *self)
{
  if (self->config_group != NULL)
    {
      gtk_box_remove (GTK_BOX (self->properties_box), self->config_group);
      gtk_box_remove (GTK_BOX (self->properties_box), self->weights_group);
    }
  self->config_group = new_group (_("Configuration"));
  self->weights_group = new_group (_("Weights"));
  gtk_box_append (GTK_BOX (self->properties_box), self->weights_group);
  gtk_box_append (GTK_BOX (self->properties_box), self->config_group);
}

void
inspector_layer_pane_set_layer (InspectorLayerPane *self,
                                StrataLayer        *layer,
                                StrataLayer        *loaded_layer)
{
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_return_if_fail (INSPECTOR_IS_LAYER_PANE (self));
  g_return_if_fail (STRATA_IS_LAYER (layer));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->n_pending_stats = 0;
  self->n_config_rows = 0;
  g_set_object (&self->layer, layer);
  reset_groups (self);

  gtk_label_set_text (self->title, strata_layer_get_name (layer));
  gtk_label_set_text (self->subtitle, strata_layer_get_class_name (layer));
  config = strata_layer_get_config (layer);
  inspector_json_rows_add_to_group (ADW_PREFERENCES_GROUP (self->config_group), config, &self->n_config_rows);
  root = json_node_init_object (json_node_alloc (), config);
  g_free (self->json);
  self->json = strata_json_to_string (root, TRUE);
  gtk_text_buffer_set_text (self->json_buffer, self->json, -1);
  add_weight_rows (self, layer, loaded_layer);
}

StrataLayer *
inspector_layer_pane_get_layer (InspectorLayerPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LAYER_PANE (self), NULL);
  return self->layer;
}

/* Rows of the config, nested ones included. */
guint
inspector_layer_pane_get_n_config_rows (InspectorLayerPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LAYER_PANE (self), 0);
  return self->n_config_rows;
}

guint
inspector_layer_pane_get_n_pending_stats (InspectorLayerPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LAYER_PANE (self), 0);
  return self->n_pending_stats;
}

const char *
inspector_layer_pane_get_json (InspectorLayerPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LAYER_PANE (self), NULL);
  return self->json;
}

static void
inspector_layer_pane_dispose (GObject *object)
{
  InspectorLayerPane *self = INSPECTOR_LAYER_PANE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->layer);
  g_clear_pointer (&self->json, g_free);
  G_OBJECT_CLASS (inspector_layer_pane_parent_class)->dispose (object);
}

static void
inspector_layer_pane_class_init (InspectorLayerPaneClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = inspector_layer_pane_dispose;
}

static GtkWidget *
scrolled (GtkWidget *child)
{
  GtkWidget *window = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (window), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (window), child);
  gtk_widget_set_vexpand (window, TRUE);
  return window;
}

static void
inspector_layer_pane_init (InspectorLayerPane *self)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *switcher = gtk_stack_switcher_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *text_view = gtk_text_view_new ();
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->title = GTK_LABEL (gtk_label_new (NULL));
  self->subtitle = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0.f);
  gtk_label_set_xalign (self->subtitle, 0.f);
  gtk_label_set_selectable (self->title, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "title-2");
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle), "dim-label");
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->subtitle));
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), GTK_STACK (stack));
  gtk_box_append (GTK_BOX (top), titles);
  gtk_box_append (GTK_BOX (top), switcher);
  gtk_widget_set_margin_start (top, 18);
  gtk_widget_set_margin_end (top, 18);
  gtk_widget_set_margin_top (top, 12);
  gtk_widget_set_margin_bottom (top, 6);
  gtk_box_append (GTK_BOX (self), top);

  self->properties_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (self->properties_box, 12);
  gtk_widget_set_margin_bottom (self->properties_box, 24);
  gtk_widget_set_margin_start (self->properties_box, 12);
  gtk_widget_set_margin_end (self->properties_box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), self->properties_box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  reset_groups (self);
  gtk_stack_add_titled (GTK_STACK (stack), scrolled (clamp), "properties", _("Properties"));

  self->json_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (text_view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 18);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_stack_add_titled (GTK_STACK (stack), scrolled (text_view), "json", _("JSON"));
  gtk_box_append (GTK_BOX (self), stack);
}

GtkWidget *
inspector_layer_pane_new (void)
{
  return g_object_new (INSPECTOR_TYPE_LAYER_PANE, NULL);
}
