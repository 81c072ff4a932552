/* inspector-compare.c: compares two models with StrataModelDiff in a worker
 * thread, and shows the result: a row per layer that differs, with the
 * config keys and the weights that changed (what `strata diff` prints)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-compare.h"

#include <math.h>

#include "inspector-i18n.h"

typedef struct
{
  GFile       *file_a;
  StrataModel *model_a;   /* NULL: loaded in the thread */
  GFile       *file_b;
} CompareData;

static void
compare_data_free (CompareData *data)
{
  g_object_unref (data->file_a);
  g_clear_object (&data->model_a);
  g_object_unref (data->file_b);
  g_free (data);
}

static void
compare_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CompareData *data = task_data;
  g_autoptr(StrataModel) a = data->model_a != NULL ? g_object_ref (data->model_a) : NULL;
  g_autoptr(StrataModel) b = NULL;
  StrataModelDiff *diff;
  GError *error = NULL;

  if (a == NULL)
    a = strata_load_model (data->file_a, NULL, cancellable, &error);
  if (a != NULL)
    b = strata_load_model (data->file_b, NULL, cancellable, &error);
  diff = b != NULL ? strata_model_diff_new (a, b, cancellable, &error) : NULL;
  if (diff == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, diff, g_object_unref);
}

void
inspector_compare_async (GFile               *file_a,
                         StrataModel         *model_a,
                         GFile               *file_b,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CompareData *data = g_new0 (CompareData, 1);

  data->file_a = g_object_ref (file_a);
  data->model_a = model_a != NULL ? g_object_ref (model_a) : NULL;
  data->file_b = g_object_ref (file_b);
  g_task_set_source_tag (task, inspector_compare_async);
  g_task_set_task_data (task, data, (GDestroyNotify) compare_data_free);
  g_task_run_in_thread (task, compare_in_thread);
}

StrataModelDiff *
inspector_compare_finish (GAsyncResult *result,
                          GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
status_label (StrataDiffStatus status)
{
  switch (status)
    {
    case STRATA_DIFF_ADDED: return _("Only in the second model");
    case STRATA_DIFF_REMOVED: return _("Only in the first model");
    case STRATA_DIFF_CHANGED: return _("Changed");
    default: return _("Identical");
    }
}

static const char *
status_css_class (StrataDiffStatus status)
{
  switch (status)
    {
    case STRATA_DIFF_ADDED: return "success";
    case STRATA_DIFF_REMOVED: return "error";
    case STRATA_DIFF_CHANGED: return "warning";
    default: return "dim-label";
    }
}

static GtkWidget *
detail_row (const char *title,
            const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static GtkWidget *
weight_row (StrataWeightDiff *weight)
{
  StrataDiffStatus status = strata_weight_diff_get_status (weight);
  g_autofree char *shapes = strata_weight_diff_describe_shapes (weight);
  g_autofree char *subtitle = NULL;

  if (status == STRATA_DIFF_CHANGED && strata_weight_diff_get_same_shape (weight))
    /* Translators: a number, then the weight's dtype and shape */
    subtitle = g_strdup_printf (_("Differs by at most %g (%s)"), strata_weight_diff_get_max_abs_diff (weight),
                                shapes);
  else if (status == STRATA_DIFF_CHANGED)
    /* Translators: the weight's dtypes and shapes in the two models */
    subtitle = g_strdup_printf (_("Other dtype or shape: %s"), shapes);
  else
    subtitle = g_strdup_printf ("%s (%s)", status_label (status), shapes);
  return detail_row (strata_weight_diff_get_name (weight), subtitle);
}

static GtkWidget *
layer_row (StrataLayerDiff *layer)
{
  StrataDiffStatus status = strata_layer_diff_get_status (layer);
  const char * const *keys = strata_layer_diff_get_changed_keys (layer);
  GPtrArray *weights = strata_layer_diff_get_weights (layer);
  GtkWidget *badge = gtk_label_new (status_label (status));
  GtkWidget *row;

  gtk_widget_add_css_class (badge, status_css_class (status));
  if (status != STRATA_DIFF_CHANGED)
    {
      row = detail_row (strata_layer_diff_get_name (layer), strata_layer_diff_get_class_name (layer));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
      return row;
    }
  row = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), strata_layer_diff_get_name (layer));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), strata_layer_diff_get_class_name (layer));
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), badge);
  if (keys[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) keys);

      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), detail_row (_("Config differs in"), list));
    }
  for (guint i = 0; i < weights->len; i++)
    if (strata_weight_diff_get_status (weights->pdata[i]) != STRATA_DIFF_IDENTICAL)
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), weight_row (weights->pdata[i]));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  return row;
}

GtkWidget *
inspector_compare_view_new (StrataModelDiff *diff,
                            GFile           *file_a,
                            GFile           *file_b)
{
  GPtrArray *layers = strata_model_diff_get_layers (diff);
  g_autofree char *name_a = g_file_get_basename (file_a);
  g_autofree char *name_b = g_file_get_basename (file_b);
  /* Translators: two file names */
  g_autofree char *title = g_strdup_printf (_("“%s” compared with “%s”"), name_a, name_b);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  guint n_changed = 0;

  for (guint i = 0; i < layers->len; i++)
    if (strata_layer_diff_get_status (layers->pdata[i]) != STRATA_DIFF_IDENTICAL)
      n_changed++;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (n_changed == 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), _("The models are identical."));
  else
    {
      g_autofree char *description = NULL;

      /* Translators: the number of layers that differ, then the number of layers */
      description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u layer of %u differs.",
                                                  "%u layers of %u differ.", n_changed),
                                     n_changed, layers->len);

      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
    }
  for (guint i = 0; i < layers->len; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), layer_row (layers->pdata[i]));
  gtk_box_append (GTK_BOX (box), group);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  return scrolled;
}
