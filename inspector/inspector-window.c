/* inspector-window.c: a window showing one model
 *
 * Opening loads the model's metadata first (the layers show at once), then
 * the whole model for the weights' values, both in worker threads with a
 * progress bar and a Cancel button. Errors show as a status page and a
 * toast.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-window.h"

#include "inspector-compare.h"
#include "inspector-graph.h"
#include "inspector-i18n.h"
#include "inspector-layer-row.h"
#include "inspector-loader.h"
#include "inspector-save.h"
#include "inspector-shortcuts.h"
#include "inspector-summary.h"

#define RECENT_MAX 6

struct _InspectorWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay     *toasts;
  AdwViewSwitcherTitle *title;
  GtkStack            *stack;           /* empty, loading, error, model */
  AdwStatusPage       *error_page;
  GtkLabel            *loading_label;
  GtkProgressBar      *loading_bar;
  GtkRevealer         *weights_revealer;   /* the bar of background work */
  GtkLabel            *weights_label;
  GtkProgressBar      *weights_bar;
  AdwViewStackPage    *compare_page;
  GtkWidget           *compare_bin;
  GMenu               *recent_menu;

  GListStore          *layers;          /* of StrataLayer */
  GtkCustomFilter     *filter;
  GtkSingleSelection  *selection;
  GtkSearchEntry      *search;
  AdwViewStack        *views;           /* summary, layer */
  GtkWidget           *summary_bin;
  InspectorLayerPane  *pane;
  InspectorGraph      *graph;
  gboolean             from_graph;        /* a selection made in the graph */
  gboolean             graph_stale;       /* not laid out for this model yet */

  GFile               *file;
  char                *format_name;
  char                *error;
  StrataModel         *model;           /* metadata */
  StrataModel         *loaded;          /* with weights, once loaded */
  GCancellable        *cancellable;       /* of the load */
  GCancellable        *job_cancellable;   /* of a save or a comparison */
  gboolean             busy;              /* saving or comparing */
  StrataModelDiff     *diff;
  char                *last_message;      /* of the last toast */
  InspectorProgress   *progress;
  guint                progress_timer;
  InspectorWindowState state;
  InspectorWindowState state_before;    /* restored on cancel */
};

G_DEFINE_FINAL_TYPE (InspectorWindow, inspector_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *const state_pages[] = { "empty", "loading", "error", "model" };

static void
set_state (InspectorWindow     *self,
           InspectorWindowState state)
{
  self->state = state;
  gtk_stack_set_visible_child_name (self->stack, state_pages[state]);
  adw_view_switcher_title_set_view_switcher_enabled (self->title, state == INSPECTOR_WINDOW_MODEL);
}

static void
toast (InspectorWindow *self,
       const char      *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

/* ---- progress ------------------------------------------------------------------ */

static gboolean
update_progress (gpointer user_data)
{
  InspectorWindow *self = user_data;
  double fraction = inspector_progress_get (self->progress);

  if (fraction > 0.)
    {
      gtk_progress_bar_set_fraction (self->loading_bar, fraction);
      gtk_progress_bar_set_fraction (self->weights_bar, fraction);
    }
  else
    {
      gtk_progress_bar_pulse (self->loading_bar);
      gtk_progress_bar_pulse (self->weights_bar);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_progress (InspectorWindow *self)
{
  g_clear_pointer (&self->progress, inspector_progress_unref);
  self->progress = inspector_progress_new ();
  gtk_progress_bar_set_fraction (self->loading_bar, 0.);
  gtk_progress_bar_set_fraction (self->weights_bar, 0.);
  if (self->progress_timer == 0)
    self->progress_timer = g_timeout_add (100, update_progress, self);
}

static void
stop_progress (InspectorWindow *self)
{
  g_clear_handle_id (&self->progress_timer, g_source_remove);
  gtk_revealer_set_reveal_child (self->weights_revealer, FALSE);
}

/* ---- recent files ---------------------------------------------------------------- */

static void
update_recent_menu (InspectorWindow *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = gtk_recent_manager_get_items (manager);
  guint n = 0;

  g_menu_remove_all (self->recent_menu);
  for (GList *l = items; l != NULL && n < RECENT_MAX; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autofree char *action = NULL;

      if (!gtk_recent_info_has_application (info, g_get_application_name ()))
        continue;
      action = g_strdup_printf ("win.open-recent('%s')", gtk_recent_info_get_uri (info));
      g_menu_append (self->recent_menu, gtk_recent_info_get_display_name (info), action);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
add_recent (InspectorWindow *self)
{
  g_autofree char *uri = g_file_get_uri (self->file);
  g_autofree char *app_exec = g_strdup_printf ("%s %%u", g_get_prgname ());
  GtkRecentData data = {
    .display_name = NULL,
    .mime_type = (char *) "application/octet-stream",
    .app_name = (char *) g_get_application_name (),
    .app_exec = app_exec,
  };

  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

/* Saving and comparing need the weights, and one job at a time. */
static void
update_actions (InspectorWindow *self)
{
  gboolean ready = self->loaded != NULL && !self->busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare", ready);
}

static void
show_bar (InspectorWindow *self,
          const char      *label)
{
  gtk_label_set_text (self->weights_label, label);
  start_progress (self);
  gtk_revealer_set_reveal_child (self->weights_revealer, TRUE);
}

/* ---- loading ------------------------------------------------------------------- */

static void
show_error (InspectorWindow *self,
            const GError    *error)
{
  g_free (self->error);
  self->error = g_strdup (error->message);
  adw_status_page_set_description (self->error_page, error->message);
  set_state (self, INSPECTOR_WINDOW_ERROR);
  toast (self, error->message);
}

static void
weights_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(InspectorWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = inspector_load_finish (result, NULL, &error);
  StrataLayer *shown;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  stop_progress (self);
  if (model == NULL)
    {
      toast (self, error->message);
      return;
    }
  g_set_object (&self->loaded, model);
  update_actions (self);
  /* The pane shows the statistics now that the values are there. */
  shown = inspector_layer_pane_get_layer (self->pane);
  if (shown != NULL)
    inspector_layer_pane_set_layer (self->pane, shown,
                                    strata_model_get_layer (self->loaded, strata_layer_get_name (shown)));
}

static void
show_model (InspectorWindow *self,
            StrataModel     *model,
            char            *format_name)
{
  g_autofree char *basename = g_file_get_basename (self->file);
  guint n = strata_model_get_n_layers (model);
  g_autoptr(GPtrArray) layers = NULL;

  g_set_object (&self->model, model);
  g_clear_object (&self->loaded);
  g_clear_object (&self->diff);
  adw_view_stack_page_set_visible (self->compare_page, FALSE);
  update_actions (self);
  g_free (self->format_name);
  self->format_name = format_name;
  adw_view_switcher_title_set_title (self->title, basename);
  adw_view_switcher_title_set_subtitle (self->title, format_name);

  /* One splice: a signal per layer would make the list react 245 times. */
  layers = g_ptr_array_new_full (n, NULL);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (layers, strata_model_get_layer_at (model, i));
  g_list_store_splice (self->layers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->layers)),
                       layers->pdata, layers->len);
  adw_bin_set_child (ADW_BIN (self->summary_bin), inspector_summary_new (model, format_name));
  /* The graph is laid out when first shown: the layers come first. */
  self->graph_stale = TRUE;
  adw_view_stack_set_visible_child_name (self->views, "summary");
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  set_state (self, INSPECTOR_WINDOW_MODEL);
  add_recent (self);
}

static void
metadata_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(InspectorWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *format_name = NULL;
  g_autoptr(StrataModel) model = inspector_load_finish (result, &format_name, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (model == NULL)
    {
      stop_progress (self);
      show_error (self, error);
      return;
    }
  show_model (self, model, format_name);
  show_bar (self, _("Loading the weights…"));
  inspector_load_async (self->file, FALSE, self->progress, self->cancellable, weights_loaded,
                        g_object_ref (self));
}

void
inspector_window_open (InspectorWindow *self,
                       GFile           *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *label = NULL;

  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  inspector_window_cancel (self);
  g_set_object (&self->file, file);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* Translators: a file name */
  label = g_strdup_printf (_("Opening “%s”…"), basename);
  gtk_label_set_text (self->loading_label, label);
  self->state_before = self->state;
  set_state (self, INSPECTOR_WINDOW_LOADING);
  start_progress (self);
  inspector_load_async (file, TRUE, self->progress, self->cancellable, metadata_loaded, g_object_ref (self));
}

void
inspector_window_cancel (InspectorWindow *self)
{
  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  if (self->cancellable == NULL ||
      (g_cancellable_is_cancelled (self->cancellable) && !self->busy))
    return;
  g_cancellable_cancel (self->cancellable);
  if (self->job_cancellable != NULL)
    g_cancellable_cancel (self->job_cancellable);
  stop_progress (self);
  if (self->state == INSPECTOR_WINDOW_LOADING)
    set_state (self, self->state_before == INSPECTOR_WINDOW_LOADING ? INSPECTOR_WINDOW_EMPTY
                                                                    : self->state_before);
}

/* ---- saving and comparing ------------------------------------------------------------- */

static void
finish_job (InspectorWindow *self)
{
  self->busy = FALSE;
  stop_progress (self);
  update_actions (self);
}

static GCancellable *
start_job (InspectorWindow *self,
           const char      *label)
{
  self->busy = TRUE;
  g_clear_object (&self->job_cancellable);
  self->job_cancellable = g_cancellable_new ();
  update_actions (self);
  show_bar (self, label);
  return self->job_cancellable;
}

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(InspectorWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  finish_job (self);
  if (!strata_model_save_finish (STRATA_MODEL (source), result, &error))
    {
      toast (self, error->message);
      return;
    }
  /* Translators: a file name */
  message = g_strdup_printf (_("Saved “%s”"), (const char *) g_object_get_data (G_OBJECT (self), "saving-basename"));
  toast (self, message);
}

void
inspector_window_save_as (InspectorWindow   *self,
                          GFile             *file,
                          StrataSaveOptions *options)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *label = NULL;
  GCancellable *cancellable;

  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  g_return_if_fail (self->loaded != NULL && !self->busy);

  /* Translators: a file name */
  label = g_strdup_printf (_("Saving “%s”…"), basename);
  cancellable = start_job (self, label);
  strata_save_options_set_progress_func (options, inspector_progress_report,
                                         inspector_progress_ref (self->progress),
                                         (GDestroyNotify) inspector_progress_unref);
  g_object_set_data_full (G_OBJECT (self), "saving-basename", g_steal_pointer (&basename), g_free);
  strata_model_save_async (self->loaded, file, options, G_PRIORITY_DEFAULT, cancellable, save_done,
                           g_object_ref (self));
}

static void
compare_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(InspectorWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) diff = inspector_compare_finish (result, &error);
  GFile *other = g_object_get_data (G_OBJECT (self), "compared-file");

  finish_job (self);
  if (diff == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  g_set_object (&self->diff, diff);
  adw_bin_set_child (ADW_BIN (self->compare_bin), inspector_compare_view_new (diff, self->loaded, self->file, other));
  adw_view_stack_page_set_visible (self->compare_page, TRUE);
  adw_view_stack_set_visible_child_name (self->views, "compare");
}

void
inspector_window_compare (InspectorWindow *self,
                          GFile           *other)
{
  g_autofree char *basename = g_file_get_basename (other);
  g_autofree char *label = NULL;
  GCancellable *cancellable;

  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  g_return_if_fail (self->loaded != NULL && !self->busy);

  /* Translators: a file name */
  label = g_strdup_printf (_("Comparing with “%s”…"), basename);
  cancellable = start_job (self, label);
  g_object_set_data_full (G_OBJECT (self), "compared-file", g_object_ref (other), g_object_unref);
  inspector_compare_async (self->file, self->loaded, other, cancellable, compare_done, g_object_ref (self));
}

/* ---- actions ------------------------------------------------------------------- */

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  InspectorWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      inspector_window_open (self, file);
    }
  g_object_unref (dialog);
}

/* GtkFileDialog is GTK 4.10; Debian 12 has 4.8. A model may be a file or a
 * folder (SavedModel), so the chooser offers both through two actions. */
static void
open_chooser (InspectorWindow      *self,
              GtkFileChooserAction  action)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (action == GTK_FILE_CHOOSER_ACTION_OPEN ? _("Open a Model")
                                                                                : _("Open a Model Folder"),
                                         GTK_WINDOW (self), action, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  open_chooser (INSPECTOR_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  open_chooser (INSPECTOR_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
compare_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  InspectorWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      inspector_window_compare (self, file);
    }
  g_object_unref (dialog);
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Compare With a Model"), GTK_WINDOW (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("C_ompare"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (compare_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               gpointer         user_data)
{
  InspectorWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(StrataSaveOptions) options = inspector_save_chooser_options (GTK_FILE_CHOOSER (dialog));

      inspector_window_save_as (self, file, options);
    }
  g_object_unref (dialog);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  g_autofree char *basename = g_file_get_basename (self->file);
  GtkFileChooserNative *chooser = inspector_save_chooser_new (GTK_WINDOW (self), basename);

  g_signal_connect (chooser, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  inspector_window_open (INSPECTOR_WINDOW (widget), file);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  inspector_window_cancel (INSPECTOR_WINDOW (widget));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);

  if (self->state == INSPECTOR_WINDOW_MODEL)
    gtk_widget_grab_focus (GTK_WIDGET (self->search));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  InspectorWindow *self = user_data;
  GSList *files = g_value_get_boxed (value);

  if (files == NULL)
    return FALSE;
  inspector_window_open (self, files->data);
  /* More files: a window each, as the command line does. */
  if (files->next != NULL)
    {
      g_autoptr(GPtrArray) rest = g_ptr_array_new ();

      for (GSList *l = files->next; l != NULL; l = l->next)
        g_ptr_array_add (rest, l->data);
      g_application_open (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                          (GFile **) rest->pdata, rest->len, "");
    }
  return TRUE;
}

/* ---- the layer list ---------------------------------------------------------------- */

static gboolean
layer_matches (gpointer item,
               gpointer user_data)
{
  InspectorWindow *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;
  g_autofree char *class_name = NULL;

  if (text[0] == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);
  name = g_utf8_casefold (strata_layer_get_name (item), -1);
  class_name = g_utf8_casefold (strata_layer_get_class_name (item), -1);
  return strstr (name, needle) != NULL || strstr (class_name, needle) != NULL;
}

static void
search_changed (GtkSearchEntry *entry,
                gpointer        user_data)
{
  InspectorWindow *self = user_data;

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *row = inspector_layer_row_new ();

  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);
  gtk_list_item_set_child (item, row);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  StrataLayer *layer = gtk_list_item_get_item (item);

  inspector_layer_row_set (INSPECTOR_LAYER_ROW (gtk_list_item_get_child (item)), strata_layer_get_name (layer),
                           strata_layer_get_class_name (layer), strata_layer_count_params (layer));
}

static void
selection_changed (GtkSingleSelection *selection,
                   GParamSpec         *pspec,
                   gpointer            user_data)
{
  InspectorWindow *self = user_data;
  StrataLayer *layer = gtk_single_selection_get_selected_item (selection);

  if (layer == NULL)
    return;
  inspector_graph_set_selected (self->graph, strata_layer_get_name (layer));
  inspector_layer_pane_set_layer (self->pane, layer,
                                  self->loaded != NULL ? strata_model_get_layer (self->loaded,
                                                                                 strata_layer_get_name (layer))
                                                       : NULL);
  if (!self->from_graph)
    adw_view_stack_set_visible_child_name (self->views, "layer");
}

static void
page_changed (AdwViewStack *views,
              GParamSpec   *pspec,
              gpointer      user_data)
{
  InspectorWindow *self = user_data;
  StrataLayer *selected;

  if (!self->graph_stale || g_strcmp0 (adw_view_stack_get_visible_child_name (views), "graph") != 0)
    return;
  self->graph_stale = FALSE;
  inspector_graph_set_model (self->graph, self->model);
  selected = gtk_single_selection_get_selected_item (self->selection);
  if (selected != NULL)
    inspector_graph_set_selected (self->graph, strata_layer_get_name (selected));
}

/* A box clicked in the graph selects its layer in the list (the whole
 * list: the search is cleared). */
static void
graph_layer_activated (InspectorGraph *graph,
                       const char     *name,
                       gpointer        user_data)
{
  InspectorWindow *self = user_data;
  guint n;

  inspector_window_set_search (self, "");
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StrataLayer) layer = g_list_model_get_item (G_LIST_MODEL (self->selection), i);

      if (g_strcmp0 (strata_layer_get_name (layer), name) != 0)
        continue;
      self->from_graph = TRUE;
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
      self->from_graph = FALSE;
      return;
    }
}

static void
zoom_clicked (GtkButton *button,
              gpointer   user_data)
{
  InspectorWindow *self = user_data;
  double factor = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "zoom")) / 100.;

  inspector_graph_set_zoom (self->graph, factor == 1. ? 1. : inspector_graph_get_zoom (self->graph) * factor);
}

static GtkWidget *
zoom_button (InspectorWindow *self,
             const char      *icon,
             const char      *tooltip,
             int              percent)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  g_object_set_data (G_OBJECT (button), "zoom", GINT_TO_POINTER (percent));
  g_signal_connect (button, "clicked", G_CALLBACK (zoom_clicked), self);
  return button;
}

static GtkWidget *
build_graph_page (InspectorWindow *self)
{
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *zoom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  self->graph = INSPECTOR_GRAPH (inspector_graph_new ());
  gtk_widget_set_halign (GTK_WIDGET (self->graph), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self->graph), GTK_ALIGN_START);
  g_signal_connect (self->graph, "layer-activated", G_CALLBACK (graph_layer_activated), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->graph));
  gtk_overlay_set_child (GTK_OVERLAY (overlay), scrolled);
  gtk_box_append (GTK_BOX (zoom), zoom_button (self, "zoom-out-symbolic", _("Zoom Out"), 80));
  gtk_box_append (GTK_BOX (zoom), zoom_button (self, "zoom-original-symbolic", _("Original Size"), 100));
  gtk_box_append (GTK_BOX (zoom), zoom_button (self, "zoom-in-symbolic", _("Zoom In"), 125));
  gtk_widget_add_css_class (zoom, "linked");
  gtk_widget_add_css_class (zoom, "osd");
  gtk_widget_set_halign (zoom, GTK_ALIGN_END);
  gtk_widget_set_valign (zoom, GTK_ALIGN_END);
  gtk_widget_set_margin_end (zoom, 18);
  gtk_widget_set_margin_bottom (zoom, 18);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), zoom);
  return overlay;
}

/* ---- construction -------------------------------------------------------------------- */

static GtkWidget *
build_layer_list (InspectorWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkFilterListModel *filtered;
  GtkWidget *list_view;

  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search, "placeholder-text", _("Search layers by name or class"), NULL);
  gtk_widget_set_margin_top (GTK_WIDGET (self->search), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->search), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->search), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->search), 6);
  g_signal_connect (self->search, "search-changed", G_CALLBACK (search_changed), self);

  self->layers = g_list_store_new (STRATA_TYPE_LAYER);
  self->filter = gtk_custom_filter_new (layer_matches, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->layers)),
                                        GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (selection_changed), self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  list_view = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory);
  gtk_widget_add_css_class (list_view, "navigation-sidebar");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list_view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->search));
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_widget_set_size_request (box, 260, -1);
  return box;
}

static GtkWidget *
build_model_view (InspectorWindow *self)
{
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  AdwViewStackPage *page;

  self->views = ADW_VIEW_STACK (adw_view_stack_new ());
  self->summary_bin = adw_bin_new ();
  page = adw_view_stack_add_titled (self->views, self->summary_bin, "summary", _("Summary"));
  adw_view_stack_page_set_icon_name (page, "view-list-symbolic");
  self->pane = INSPECTOR_LAYER_PANE (inspector_layer_pane_new ());
  page = adw_view_stack_add_titled (self->views, GTK_WIDGET (self->pane), "layer", _("Layer"));
  adw_view_stack_page_set_icon_name (page, "view-paged-symbolic");
  page = adw_view_stack_add_titled (self->views, build_graph_page (self), "graph", _("Graph"));
  adw_view_stack_page_set_icon_name (page, "network-workgroup-symbolic");
  self->compare_bin = adw_bin_new ();
  self->compare_page = adw_view_stack_add_titled (self->views, self->compare_bin, "compare", _("Compare"));
  adw_view_stack_page_set_icon_name (self->compare_page, "view-dual-symbolic");
  adw_view_stack_page_set_visible (self->compare_page, FALSE);
  adw_view_switcher_title_set_stack (self->title, self->views);
  g_signal_connect (self->views, "notify::visible-child-name", G_CALLBACK (page_changed), self);

  gtk_paned_set_start_child (GTK_PANED (paned), build_layer_list (self));
  gtk_paned_set_resize_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_end_child (GTK_PANED (paned), GTK_WIDGET (self->views));
  gtk_paned_set_shrink_end_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_position (GTK_PANED (paned), 300);
  return paned;
}

static GtkWidget *
build_loading_page (InspectorWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  self->loading_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->loading_label), "title-3");
  self->loading_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->loading_bar), 320, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "win.cancel");
  gtk_widget_set_halign (cancel, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (cancel, "pill");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->loading_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->loading_bar));
  gtk_box_append (GTK_BOX (box), cancel);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  return box;
}

/* The bar under the header while the weights load behind the layers. */
static GtkWidget *
build_weights_bar (InspectorWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  self->weights_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->weights_bar), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->weights_bar), GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "win.cancel");
  self->weights_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->weights_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->weights_bar));
  gtk_box_append (GTK_BOX (box), cancel);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  self->weights_revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->weights_revealer, box);
  return GTK_WIDGET (self->weights_revealer);
}

static GMenuModel *
build_primary_menu (InspectorWindow *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) files = g_menu_new ();
  g_autoptr(GMenu) help = g_menu_new ();

  self->recent_menu = g_menu_new ();
  g_menu_append (files, _("_Open…"), "win.open");
  g_menu_append (files, _("Open _Folder…"), "win.open-folder");
  g_menu_append_submenu (files, _("Open _Recent"), G_MENU_MODEL (self->recent_menu));
  g_menu_append (files, _("_Save As…"), "win.save-as");
  g_menu_append (files, _("_Compare With…"), "win.compare");
  g_menu_append (help, _("_Keyboard Shortcuts"), "win.show-help-overlay");
  g_menu_append (help, _("_About Strata Inspector"), "app.about");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (files));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (help));
  return G_MENU_MODEL (menu);
}

static void
inspector_window_dispose (GObject *object)
{
  InspectorWindow *self = INSPECTOR_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (gtk_recent_manager_get_default (), self);
  if (self->job_cancellable != NULL)
    g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->diff);
  g_clear_pointer (&self->last_message, g_free);
  g_clear_pointer (&self->progress, inspector_progress_unref);
  g_clear_object (&self->file);
  g_clear_object (&self->model);
  g_clear_object (&self->loaded);
  g_clear_object (&self->layers);
  g_clear_object (&self->filter);
  g_clear_object (&self->selection);
  g_clear_object (&self->recent_menu);
  g_clear_pointer (&self->format_name, g_free);
  g_clear_pointer (&self->error, g_free);
  G_OBJECT_CLASS (inspector_window_parent_class)->dispose (object);
}

static void
inspector_window_class_init (InspectorWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = inspector_window_dispose;
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "win.compare", NULL, compare_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
}

static void
inspector_window_init (InspectorWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open"));
  GtkWidget *menu_button = gtk_menu_button_new ();
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *empty_open = gtk_button_new_with_mnemonic (_("_Open a Model…"));
  g_autoptr(GMenuModel) menu = build_primary_menu (self);
  g_autoptr(GtkShortcutsWindow) shortcuts = inspector_shortcuts_window_new ();
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  gtk_window_set_title (GTK_WINDOW (self), _("Strata Inspector"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);
  self->title = ADW_VIEW_SWITCHER_TITLE (adw_view_switcher_title_new ());
  adw_view_switcher_title_set_title (self->title, _("Strata Inspector"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "win.open");
  gtk_widget_set_tooltip_text (open, _("Open a model file"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), open);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), menu);
  gtk_menu_button_set_primary (GTK_MENU_BUTTON (menu_button), TRUE);
  gtk_widget_set_tooltip_text (menu_button, _("Main Menu"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), menu_button);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), build_weights_bar (self));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), INSPECTOR_APP_ID);
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Open a Keras Model"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Drop an .h5, .keras, .json or SavedModel here, or press Ctrl+O"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (empty_open), "win.open");
  gtk_widget_set_halign (empty_open, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (empty_open, "pill");
  gtk_widget_add_css_class (empty_open, "suggested-action");
  adw_status_page_set_child (ADW_STATUS_PAGE (empty), empty_open);
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_stack_add_named (self->stack, build_loading_page (self), "loading");
  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->error_page, _("The Model Could Not Be Opened"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");
  gtk_stack_add_named (self->stack, build_model_view (self), "model");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, box);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), GTK_WIDGET (self->toasts));

  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self), shortcuts);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  g_signal_connect_swapped (gtk_recent_manager_get_default (), "changed", G_CALLBACK (update_recent_menu), self);
  update_recent_menu (self);
  update_actions (self);
  set_state (self, INSPECTOR_WINDOW_EMPTY);
}

InspectorWindow *
inspector_window_new (InspectorApplication *app)
{
  return g_object_new (INSPECTOR_TYPE_WINDOW, "application", app, NULL);
}

/* ---- for the tests --------------------------------------------------------------------- */

InspectorWindowState
inspector_window_get_state (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), INSPECTOR_WINDOW_EMPTY);
  return self->state;
}

gboolean
inspector_window_get_weights_loaded (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), FALSE);
  return self->loaded != NULL;
}

StrataModel *
inspector_window_get_model (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return self->model;
}

const char *
inspector_window_get_error (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return self->error;
}

/* The layers the list shows, after the search. */
GListModel *
inspector_window_get_layer_list (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->selection);
}

void
inspector_window_set_search (InspectorWindow *self,
                             const char      *text)
{
  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search), text);
  /* Now, not after the entry's delay. */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

void
inspector_window_select_layer (InspectorWindow *self,
                               guint            position)
{
  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

InspectorLayerPane *
inspector_window_get_layer_pane (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return self->pane;
}

void
inspector_window_show_page (InspectorWindow *self,
                            const char      *name)
{
  g_return_if_fail (INSPECTOR_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->views, name);
}

gboolean
inspector_window_is_busy (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), FALSE);
  return self->busy;
}

/* The comparison's view, NULL before one. */
GtkWidget *
inspector_window_get_compare_view (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return adw_bin_get_child (ADW_BIN (self->compare_bin));
}

StrataModelDiff *
inspector_window_get_diff (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return self->diff;
}

const char *
inspector_window_get_last_message (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return self->last_message;
}

InspectorGraph *
inspector_window_get_graph (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);
  return self->graph;
}
