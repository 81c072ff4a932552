/* inspector-compare.c: compares two models with StrataModelDiff in a worker
 * thread, and shows the result side by side: a row per layer, the layer in
 * the first model, the difference (with the config keys and the weights that
 * changed, what `strata diff` prints) and the layer in the second model
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

#define GRID_KEY "inspector-compare-grid"

static GtkWidget *
text_label (const char *text,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* A layer on one side: its name and class, as the layer list shows them. */
static GtkWidget *
side_cell (const char *name,
           const char *class_name)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name_label = gtk_label_new (name);
  GtkWidget *class_label = text_label (class_name, "caption");

  gtk_label_set_xalign (GTK_LABEL (name_label), 0.f);
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (name_label, "heading");
  gtk_widget_add_css_class (class_label, "dim-label");
  gtk_box_append (GTK_BOX (box), name_label);
  gtk_box_append (GTK_BOX (box), class_label);
  return box;
}

static void
add_detail (GtkWidget  *box,
            const char *title,
            const char *text)
{
  GtkWidget *text_widget = text_label (text, "caption");

  gtk_widget_add_css_class (text_widget, "dim-label");
  gtk_box_append (GTK_BOX (box), text_label (title, "caption-heading"));
  gtk_box_append (GTK_BOX (box), text_widget);
}

static void
add_weight_detail (GtkWidget        *box,
                   StrataWeightDiff *weight)
{
  StrataDiffStatus status = strata_weight_diff_get_status (weight);
  g_autofree char *shapes = strata_weight_diff_describe_shapes (weight);
  g_autofree char *text = NULL;

  if (status == STRATA_DIFF_CHANGED && strata_weight_diff_get_same_shape (weight))
    /* Translators: a number, then the weight's dtype and shape */
    text = g_strdup_printf (_("Differs by at most %g (%s)"), strata_weight_diff_get_max_abs_diff (weight),
                            shapes);
  else if (status == STRATA_DIFF_CHANGED)
    /* Translators: the weight's dtypes and shapes in the two models */
    text = g_strdup_printf (_("Other dtype or shape: %s"), shapes);
  else
    text = g_strdup_printf ("%s (%s)", status_label (status), shapes);
  add_detail (box, strata_weight_diff_get_name (weight), text);
}

/* The middle column: the status, and for a changed layer what changed. */
static GtkWidget *
status_cell (StrataLayerDiff *layer)
{
  StrataDiffStatus status = strata_layer_diff_get_status (layer);
  const char * const *keys = strata_layer_diff_get_changed_keys (layer);
  GPtrArray *weights = strata_layer_diff_get_weights (layer);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *badge = text_label (status_label (status), status_css_class (status));

  gtk_box_append (GTK_BOX (box), badge);
  if (status != STRATA_DIFF_CHANGED)
    return box;
  if (keys[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) keys);

      add_detail (box, _("Config differs in"), list);
    }
  for (guint i = 0; i < weights->len; i++)
    if (strata_weight_diff_get_status (weights->pdata[i]) != STRATA_DIFF_IDENTICAL)
      add_weight_detail (box, weights->pdata[i]);
  return box;
}

static GtkWidget *
header_cell (const char *title,
             const char *subtitle)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *subtitle_label = text_label (subtitle, "caption");

  gtk_label_set_xalign (GTK_LABEL (title_label), 0.f);
  gtk_label_set_ellipsize (GTK_LABEL (title_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_tooltip_text (title_label, title);
  gtk_widget_add_css_class (title_label, "heading");
  gtk_widget_add_css_class (subtitle_label, "dim-label");
  gtk_box_append (GTK_BOX (box), title_label);
  gtk_box_append (GTK_BOX (box), subtitle_label);
  return box;
}

/* Three columns of one width, so that the header's grid and the layers'
 * line up. */
static GtkWidget *
new_grid (void)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  return grid;
}

static GtkWidget *
build_header (const char *name_a,
              const char *name_b)
{
  GtkWidget *grid = new_grid ();

  gtk_grid_attach (GTK_GRID (grid), header_cell (name_a, _("First model")), 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_cell (_("Difference"), ""), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_cell (name_b, _("Second model")), 2, 0, 1, 1);
  return grid;
}

/* A row per layer of either model: the layer in the first model, the
 * difference, the layer in the second; the side a layer is missing from
 * stays empty. */
static GtkWidget *
build_grid (StrataModelDiff *diff,
            StrataModel     *model_a)
{
  GPtrArray *layers = strata_model_diff_get_layers (diff);
  GtkWidget *grid = new_grid ();

  for (guint i = 0; i < layers->len; i++)
    {
      StrataLayerDiff *layer = layers->pdata[i];
      StrataDiffStatus status = strata_layer_diff_get_status (layer);
      const char *name = strata_layer_diff_get_name (layer);
      /* The diff has the second model's class when the layer is in both. */
      StrataLayer *in_a = status != STRATA_DIFF_ADDED ? strata_model_get_layer (model_a, name) : NULL;

      if (status != STRATA_DIFF_ADDED)
        gtk_grid_attach (GTK_GRID (grid),
                         side_cell (name, in_a != NULL ? strata_layer_get_class_name (in_a)
                                                       : strata_layer_diff_get_class_name (layer)),
                         0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), status_cell (layer), 1, i, 1, 1);
      if (status != STRATA_DIFF_REMOVED)
        gtk_grid_attach (GTK_GRID (grid), side_cell (name, strata_layer_diff_get_class_name (layer)),
                         2, i, 1, 1);
    }
  return grid;
}

GtkWidget *
inspector_compare_view_new (StrataModelDiff *diff,
                            StrataModel     *model_a,
                            GFile           *file_a,
                            GFile           *file_b)
{
  GPtrArray *layers = strata_model_diff_get_layers (diff);
  g_autofree char *name_a = g_file_get_basename (file_a);
  g_autofree char *name_b = g_file_get_basename (file_b);
  /* Translators: two file names */
  g_autofree char *title = g_strdup_printf (_("“%s” compared with “%s”"), name_a, name_b);
  g_autofree char *description = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title_label = text_label (title, "title-4");
  GtkWidget *header = build_header (name_a, name_b);
  GtkWidget *grid = build_grid (diff, model_a);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  guint n_changed = 0;

  for (guint i = 0; i < layers->len; i++)
    if (strata_layer_diff_get_status (layers->pdata[i]) != STRATA_DIFF_IDENTICAL)
      n_changed++;
  if (n_changed == 0)
    description = g_strdup (_("The models are identical."));
  else
    /* Translators: the number of layers that differ, then the number of layers */
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u layer of %u differs.",
                                                "%u layers of %u differ.", n_changed),
                                   n_changed, layers->len);
  gtk_box_append (GTK_BOX (box), title_label);
  gtk_box_append (GTK_BOX (box), text_label (description, "dim-label"));
  gtk_widget_set_margin_top (header, 18);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_widget_set_margin_top (grid, 6);
  gtk_box_append (GTK_BOX (box), grid);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1000);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  g_object_set_data (G_OBJECT (scrolled), GRID_KEY, grid);
  return scrolled;
}

/* ---- for the tests --------------------------------------------------------------------- */

static GtkGrid *
view_grid (GtkWidget *view)
{
  GtkGrid *grid = g_object_get_data (G_OBJECT (view), GRID_KEY);

  g_return_val_if_fail (GTK_IS_GRID (grid), NULL);
  return grid;
}

/* The number of layer rows. */
guint
inspector_compare_view_get_n_rows (GtkWidget *view)
{
  GtkGrid *grid = view_grid (view);
  guint n = 0;

  while (gtk_grid_get_child_at (grid, 1, n) != NULL)
    n++;
  return n;
}

static const char *
first_label_text (GtkWidget *cell)
{
  return cell != NULL ? gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (cell))) : NULL;
}

/* The layer name shown in @row on the side of the first (@column 0) or the
 * second (@column 2) model, or the status shown between them (@column 1);
 * %NULL for an empty side. */
const char *
inspector_compare_view_get_cell (GtkWidget *view,
                                 guint      row,
                                 guint      column)
{
  g_return_val_if_fail (column <= 2, NULL);
  return first_label_text (gtk_grid_get_child_at (view_grid (view), column, row));
}
