/* test-inspector.c: Strata Inspector's windows, driven on a headless display
 *
 * Opens real fixtures, checks the layer list, the search, the layer pane
 * and the error page against the library's own answers, and saves
 * screenshots of the main views to $INSPECTOR_SCREENSHOT_DIR.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "inspector-compare.h"
#include "inspector-layer-row.h"
#include "inspector-save.h"
#include "inspector-stats.h"
#include "inspector-window.h"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "generated", "tf_keras", name, NULL);
}

static gboolean
wake_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds (frames get drawn). */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wake_up, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef gboolean (*Condition) (InspectorWindow *window);

static void
wait_for (InspectorWindow *window,
          Condition        condition)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (window))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (20);
    }
}

static gboolean
not_loading (InspectorWindow *window)
{
  return inspector_window_get_state (window) != INSPECTOR_WINDOW_LOADING;
}

static gboolean
weights_loaded (InspectorWindow *window)
{
  return inspector_window_get_weights_loaded (window);
}

static gboolean
stats_done (InspectorWindow *window)
{
  return inspector_layer_pane_get_n_pending_stats (inspector_window_get_layer_pane (window)) == 0;
}

/* Renders @widget as it is on screen into $INSPECTOR_SCREENSHOT_DIR/@name. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("INSPECTOR_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : ".", name, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = 0, height = 0;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  /* Until the window has had its first frame and draws something (a slow
   * run, under ASan, may need a few frames). */
  for (guint attempt = 0; node == NULL; attempt++)
    {
      GtkSnapshot *snapshot;

      g_assert_cmpuint (attempt, <, 50);
      spin (attempt == 0 ? 500 : 200);
      if (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0)
        continue;
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path, width, height);
}

static InspectorWindow *
open_window (const char *path)
{
  InspectorWindow *window = inspector_window_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  inspector_window_open (window, file);
  g_assert_cmpint (inspector_window_get_state (window), ==, INSPECTOR_WINDOW_LOADING);
  wait_for (window, not_loading);
  return window;
}

static StrataModel *
load_with_library (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_load_model (file, NULL, NULL, &error);

  g_assert_no_error (error);
  return model;
}

/* The rows of the layer list that hold a layer, in their order on screen. */
static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (INSPECTOR_IS_LAYER_ROW (widget))
    {
      g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

static void
test_open_and_select (void)
{
  g_autofree char *path = fixture ("functional_multi_output.h5");
  g_autoptr(StrataModel) expected = load_with_library (path);
  InspectorWindow *window = open_window (path);
  GListModel *list = inspector_window_get_layer_list (window);
  InspectorLayerPane *pane = inspector_window_get_layer_pane (window);
  guint n = strata_model_get_n_layers (expected);
  guint chosen = G_MAXUINT;
  StrataLayer *layer;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (inspector_window_get_state (window), ==, INSPECTOR_WINDOW_MODEL);
  /* The list holds the model's layers, in order. */
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StrataLayer) item = g_list_model_get_item (list, i);

      g_assert_cmpstr (strata_layer_get_name (item), ==,
                       strata_layer_get_name (strata_model_get_layer_at (expected, i)));
      if (chosen == G_MAXUINT && strata_layer_get_n_weights (item) > 0)
        chosen = i;
    }
  g_assert_cmpuint (chosen, <, n);
  wait_for (window, weights_loaded);
  save_screenshot (GTK_WIDGET (window), "inspector-summary.png");
  /* Each row shows its layer's name and parameter count. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();

    collect_rows (GTK_WIDGET (window), rows);
    g_assert_cmpuint (rows->len, ==, n);
    for (guint i = 0; i < n; i++)
      {
        StrataLayer *row_layer = strata_model_get_layer_at (expected, i);
        guint64 count = strata_layer_count_params (row_layer);
        g_autofree char *params = count > 0 ? g_strdup_printf ("%'" G_GUINT64_FORMAT, count) : g_strdup ("");

        g_assert_cmpstr (inspector_layer_row_get_name (rows->pdata[i]), ==, strata_layer_get_name (row_layer));
        g_assert_cmpstr (inspector_layer_row_get_params (rows->pdata[i]), ==, params);
      }
  }

  inspector_window_select_layer (window, chosen);
  layer = inspector_layer_pane_get_layer (pane);
  g_assert_nonnull (layer);
  g_assert_cmpstr (strata_layer_get_name (layer), ==,
                   strata_layer_get_name (strata_model_get_layer_at (expected, chosen)));
  /* The pane's JSON is the layer's config. */
  json = json_from_string (inspector_layer_pane_get_json (pane), &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) config = strata_layer_get_config (strata_model_get_layer_at (expected, chosen));
    g_autoptr(JsonNode) config_node = json_node_init_object (json_node_alloc (), config);

    g_assert_true (json_node_equal (json, config_node));
    g_assert_cmpuint (inspector_layer_pane_get_n_config_rows (pane), >=, json_object_get_size (config));
  }
  wait_for (window, stats_done);
  save_screenshot (GTK_WIDGET (window), "inspector-layer.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_search (void)
{
  g_autofree char *path = fixture ("functional_multi_output.h5");
  g_autoptr(StrataModel) expected = load_with_library (path);
  InspectorWindow *window = open_window (path);
  GListModel *list = inspector_window_get_layer_list (window);
  const char *needle = "dense";
  guint n_matching = 0;

  for (guint i = 0; i < strata_model_get_n_layers (expected); i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (expected, i);
      g_autofree char *name = g_ascii_strdown (strata_layer_get_name (layer), -1);
      g_autofree char *class_name = g_ascii_strdown (strata_layer_get_class_name (layer), -1);

      if (strstr (name, needle) != NULL || strstr (class_name, needle) != NULL)
        n_matching++;
    }
  g_assert_cmpuint (n_matching, >, 0);
  g_assert_cmpuint (n_matching, <, strata_model_get_n_layers (expected));
  inspector_window_set_search (window, "DENSE");
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, n_matching);
  for (guint i = 0; i < n_matching; i++)
    {
      g_autoptr(StrataLayer) item = g_list_model_get_item (list, i);

      g_assert_cmpstr (strata_layer_get_class_name (item), ==, "Dense");
    }
  inspector_window_set_search (window, "");
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, strata_model_get_n_layers (expected));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A file no format reads: the window shows the library's own message. */
static void
test_error (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "README.md", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = strata_load_model (file, NULL, NULL, &error);
  InspectorWindow *window;

  g_assert_null (model);
  g_assert_nonnull (error);
  window = open_window (path);
  g_assert_cmpint (inspector_window_get_state (window), ==, INSPECTOR_WINDOW_ERROR);
  g_assert_cmpstr (inspector_window_get_error (window), ==, error->message);
  save_screenshot (GTK_WIDGET (window), "inspector-error.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_cancel (void)
{
  g_autofree char *path = fixture ("functional_multi_output.h5");
  InspectorWindow *window = inspector_window_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_present (GTK_WINDOW (window));
  inspector_window_open (window, file);
  g_assert_cmpint (inspector_window_get_state (window), ==, INSPECTOR_WINDOW_LOADING);
  inspector_window_cancel (window);
  g_assert_cmpint (inspector_window_get_state (window), ==, INSPECTOR_WINDOW_EMPTY);
  /* The cancelled load finishes without showing anything. */
  spin (500);
  g_assert_cmpint (inspector_window_get_state (window), ==, INSPECTOR_WINDOW_EMPTY);
  save_screenshot (GTK_WIDGET (window), "inspector-empty.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
not_busy (InspectorWindow *window)
{
  return !inspector_window_is_busy (window);
}

/* Writes @model with the first value of the first weight of @layer_index
 * moved by @delta, to @path. */
static void
save_nudged (StrataModel *model,
             guint        layer_index,
             float        delta,
             const char  *path)
{
  StrataLayer *layer = strata_model_get_layer_at (model, layer_index);
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);
  g_autoptr(GPtrArray) updated = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree float *values = NULL;
  gsize n = 0;

  values = strata_tensor_to_floats (weights->pdata[0], &n, &error);
  g_assert_no_error (error);
  values[0] += delta;
  g_ptr_array_add (updated, strata_tensor_new_from_floats (strata_tensor_get_shape (weights->pdata[0]),
                                                           values, n, &error));
  g_assert_no_error (error);
  for (guint i = 1; i < weights->len; i++)
    g_ptr_array_add (updated, g_object_ref (weights->pdata[i]));
  g_assert_true (strata_layer_set_weights (layer, updated, &error));
  g_assert_true (strata_model_save (model, file, NULL, NULL, &error));
  g_assert_no_error (error);
}

static guint
first_layer_with_weights (StrataModel *model)
{
  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    if (strata_layer_get_n_weights (strata_model_get_layer_at (model, i)) > 0)
      return i;
  g_assert_not_reached ();
}

static void
test_compare (void)
{
  g_autofree char *path = fixture ("functional_multi_output.h5");
  g_autofree char *dir = g_dir_make_tmp ("inspector-compare-XXXXXX", NULL);
  g_autofree char *other = g_build_filename (dir, "nudged.h5", NULL);
  g_autoptr(StrataModel) model = load_with_library (path);
  guint changed = first_layer_with_weights (model);
  g_autoptr(GFile) other_file = g_file_new_for_path (other);
  InspectorWindow *window;
  StrataModelDiff *diff;
  GPtrArray *layers;
  GtkWidget *view;

  save_nudged (model, changed, 0.125f, other);
  window = open_window (path);
  wait_for (window, weights_loaded);
  inspector_window_compare (window, other_file);
  g_assert_true (inspector_window_is_busy (window));
  wait_for (window, not_busy);
  diff = inspector_window_get_diff (window);
  g_assert_nonnull (diff);
  layers = strata_model_diff_get_layers (diff);
  g_assert_cmpuint (layers->len, ==, strata_model_get_n_layers (model));
  for (guint i = 0; i < layers->len; i++)
    g_assert_cmpint (strata_layer_diff_get_status (layers->pdata[i]), ==,
                     i == changed ? STRATA_DIFF_CHANGED : STRATA_DIFF_IDENTICAL);
  g_assert_cmpfloat_with_epsilon (strata_weight_diff_get_max_abs_diff (
                                    strata_layer_diff_get_weights (layers->pdata[changed])->pdata[0]),
                                  0.125, 1e-6);
  /* A row per layer, the same layer on both sides. */
  view = inspector_window_get_compare_view (window);
  g_assert_cmpuint (inspector_compare_view_get_n_rows (view), ==, layers->len);
  for (guint i = 0; i < layers->len; i++)
    {
      g_assert_cmpstr (inspector_compare_view_get_cell (view, i, 0), ==, strata_layer_diff_get_name (layers->pdata[i]));
      g_assert_cmpstr (inspector_compare_view_get_cell (view, i, 2), ==, strata_layer_diff_get_name (layers->pdata[i]));
    }
  g_assert_cmpstr (inspector_compare_view_get_cell (view, changed, 1), ==, "Changed");
  save_screenshot (GTK_WIDGET (window), "inspector-compare.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpint (g_remove (other), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Two models with other layers: the view's columns hold each model's
 * layers, as the library's diff has them, and a layer only in one model
 * leaves the other side empty. */
static void
test_compare_columns (void)
{
  g_autofree char *path_a = fixture ("functional_multi_output.h5");
  g_autofree char *path_b = fixture ("compiled_sgd_momentum.h5");
  g_autoptr(StrataModel) model_a = load_with_library (path_a);
  g_autoptr(StrataModel) model_b = load_with_library (path_b);
  g_autoptr(GFile) file_b = g_file_new_for_path (path_b);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModelDiff) expected = strata_model_diff_new (model_a, model_b, NULL, &error);
  GPtrArray *layers;
  InspectorWindow *window;
  GtkWidget *view;
  guint n_added = 0, n_removed = 0;

  g_assert_no_error (error);
  layers = strata_model_diff_get_layers (expected);
  window = open_window (path_a);
  wait_for (window, weights_loaded);
  inspector_window_compare (window, file_b);
  wait_for (window, not_busy);
  view = inspector_window_get_compare_view (window);
  g_assert_nonnull (view);
  g_assert_cmpuint (inspector_compare_view_get_n_rows (view), ==, layers->len);
  for (guint i = 0; i < layers->len; i++)
    {
      StrataDiffStatus status = strata_layer_diff_get_status (layers->pdata[i]);
      const char *name = strata_layer_diff_get_name (layers->pdata[i]);

      g_assert_nonnull (inspector_compare_view_get_cell (view, i, 1));
      if (status == STRATA_DIFF_ADDED)
        {
          n_added++;
          g_assert_null (inspector_compare_view_get_cell (view, i, 0));
          g_assert_cmpstr (inspector_compare_view_get_cell (view, i, 2), ==, name);
        }
      else if (status == STRATA_DIFF_REMOVED)
        {
          n_removed++;
          g_assert_cmpstr (inspector_compare_view_get_cell (view, i, 0), ==, name);
          g_assert_null (inspector_compare_view_get_cell (view, i, 2));
        }
      else
        {
          g_assert_cmpstr (inspector_compare_view_get_cell (view, i, 0), ==, name);
          g_assert_cmpstr (inspector_compare_view_get_cell (view, i, 2), ==, name);
        }
    }
  g_assert_cmpuint (n_added, >, 0);
  g_assert_cmpuint (n_removed, >, 0);
  save_screenshot (GTK_WIDGET (window), "inspector-compare-columns.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Save As .keras, then load the result with the library: the same model. */
static void
test_save_as (void)
{
  g_autofree char *path = fixture ("functional_multi_output.h5");
  g_autofree char *dir = g_dir_make_tmp ("inspector-save-XXXXXX", NULL);
  g_autofree char *saved = g_build_filename (dir, "saved.keras", NULL);
  g_autoptr(GFile) saved_file = g_file_new_for_path (saved);
  g_autoptr(StrataModel) original = load_with_library (path);
  g_autoptr(StrataModel) reloaded = NULL;
  g_autoptr(StrataSaveOptions) options = inspector_save_options_new ("auto", "auto");
  g_autoptr(StrataModelDiff) diff = NULL;
  g_autoptr(GError) error = NULL;
  InspectorWindow *window = open_window (path);

  wait_for (window, weights_loaded);
  inspector_window_save_as (window, saved_file, options);
  wait_for (window, not_busy);
  g_assert_cmpstr (inspector_window_get_last_message (window), ==, "Saved “saved.keras”");
  reloaded = load_with_library (saved);
  diff = strata_model_diff_new (original, reloaded, NULL, &error);
  g_assert_no_error (error);
  /* Keras 3 names its weights otherwise; the values are what count. */
  for (guint i = 0; i < strata_model_diff_get_layers (diff)->len; i++)
    {
      GPtrArray *weights = strata_layer_diff_get_weights (strata_model_diff_get_layers (diff)->pdata[i]);

      for (guint j = 0; j < weights->len; j++)
        g_assert_cmpfloat (strata_weight_diff_get_max_abs_diff (weights->pdata[j]), ==, 0.);
    }
  g_assert_cmpuint (strata_model_diff_get_layers (diff)->len, ==, strata_model_get_n_layers (original));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpint (g_remove (saved), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* merges_shared_nested as tests/fixtures/generate.py builds it: inputs left
 * and right into one shared Dense (called twice), seven merges of its two
 * outputs, their concatenation, a nested model, and two outputs. */
static void
check_graph (const char *path)
{
  const char *merges[] = { "add", "subtract", "multiply", "average", "maximum", "minimum", "dot" };
  g_autoptr(StrataModel) expected = load_with_library (path);
  InspectorWindow *window = open_window (path);
  InspectorGraph *graph = inspector_window_get_graph (window);
  guint row = 0, n_calls = 0;
  double x = 0, y = 0;

  /* Laid out when first shown. */
  g_assert_cmpuint (inspector_graph_get_n_nodes (graph), ==, 0);
  inspector_window_show_page (window, "graph");
  g_assert_cmpuint (inspector_graph_get_n_nodes (graph), ==, strata_model_get_n_layers (expected));
  g_assert_cmpuint (inspector_graph_get_n_edges (graph), ==, 2 + 7 + 7 + 1 + 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (inspector_graph_get_node (graph, i == 0 ? "left" : "right", &row, NULL, NULL, NULL));
      g_assert_cmpuint (row, ==, 0);
    }
  g_assert_true (inspector_graph_get_node (graph, "shared", &row, NULL, NULL, &n_calls));
  g_assert_cmpuint (row, ==, 1);
  g_assert_cmpuint (n_calls, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (merges); i++)
    {
      g_assert_true (inspector_graph_get_node (graph, merges[i], &row, NULL, NULL, &n_calls));
      g_assert_cmpuint (row, ==, 2);
      g_assert_cmpuint (n_calls, ==, 1);
    }
  g_assert_true (inspector_graph_get_node (graph, "merged", &row, NULL, NULL, NULL));
  g_assert_cmpuint (row, ==, 3);
  g_assert_true (inspector_graph_get_node (graph, "inner_model", &row, NULL, NULL, NULL));
  g_assert_cmpuint (row, ==, 4);
  g_assert_true (inspector_graph_get_node (graph, "out_b", &row, NULL, NULL, NULL));
  g_assert_cmpuint (row, ==, 5);

  /* A click on a box selects its layer in the list and the pane. */
  inspector_graph_set_zoom (graph, 0.48);
  g_assert_true (inspector_graph_get_node (graph, "dot", NULL, &x, &y, NULL));
  inspector_graph_activate_at (graph, x, y);
  g_assert_cmpstr (inspector_graph_get_selected (graph), ==, "dot");
  g_assert_cmpstr (strata_layer_get_name (inspector_layer_pane_get_layer (inspector_window_get_layer_pane (window))),
                   ==, "dot");
  {
    GListModel *list = inspector_window_get_layer_list (window);
    g_autoptr(StrataLayer) selected = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (list))
                                      ? g_object_ref (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (list)))
                                      : NULL;

    g_assert_nonnull (selected);
    g_assert_cmpstr (strata_layer_get_name (selected), ==, "dot");
  }
  /* Nothing is under the top left corner. */
  g_assert_null (inspector_graph_node_at (graph, 1, 1));
  save_screenshot (GTK_WIDGET (window), g_str_has_suffix (path, ".h5") ? "inspector-graph.png"
                                                                       : "inspector-graph-keras3.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_graph (void)
{
  g_autofree char *h5 = fixture ("merges_shared_nested.h5");
  g_autofree char *keras3 = g_test_build_filename (G_TEST_DIST, "fixtures", "generated", "keras",
                                                   "merges_shared_nested.keras", NULL);

  check_graph (h5);
  check_graph (keras3);
}

/* The app leaves the colour scheme to the system; forced dark, the views
 * draw in the dark style (screenshot). */
static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *path = fixture ("functional_multi_output.h5");
  InspectorWindow *window;

  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  window = open_window (path);
  wait_for (window, weights_loaded);
  inspector_window_select_layer (window, 2);
  wait_for (window, stats_done);
  save_screenshot (GTK_WIDGET (window), "inspector-layer-dark.png");
  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_stats (void)
{
  const float values[] = { 0.f, 1.f, 2.f, NAN, INFINITY, 0.f, -1.f };
  g_autoptr(StrataShape) shape = strata_shape_new (1, (gint64[]) { G_N_ELEMENTS (values) });
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataTensor) tensor = strata_tensor_new_from_floats (shape, values, G_N_ELEMENTS (values), &error);
  g_autofree InspectorStats *stats = NULL;
  guint64 in_bins = 0;

  g_assert_no_error (error);
  stats = inspector_stats_compute (tensor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->n_values, ==, 7);
  g_assert_cmpuint (stats->n_nan, ==, 1);
  g_assert_cmpuint (stats->n_inf, ==, 1);
  g_assert_cmpuint (stats->n_zeros, ==, 2);
  g_assert_cmpfloat (stats->min, ==, -1.);
  g_assert_cmpfloat (stats->max, ==, 2.);
  /* The finite values 0, 1, 2, 0, -1: mean 0.4, variance 1.04. */
  g_assert_cmpfloat_with_epsilon (stats->mean, 0.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (stats->std, sqrt (1.04), 1e-9);
  for (guint i = 0; i < INSPECTOR_STATS_N_BINS; i++)
    in_bins += stats->bins[i];
  g_assert_cmpuint (in_bins, ==, 5);
  g_assert_cmpuint (stats->bins[0], ==, 1);
  g_assert_cmpuint (stats->bins[INSPECTOR_STATS_N_BINS - 1], ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = g_dir_make_tmp ("strata-inspector-XXXXXX", NULL);
  int status;

  /* Recent files go to a folder of our own. G_TEST_OPTION_ISOLATE_DIRS would
   * hide the GSettings schemas GTK needs, so only the user's folders move. */
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);
  /* A headless display has no session bus, which GTK warns about: only
   * criticals fail a test here. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  gtk_disable_setlocale ();
  adw_init ();
  g_test_add_func ("/inspector/stats", test_stats);
  g_test_add_func ("/inspector/open-and-select", test_open_and_select);
  g_test_add_func ("/inspector/search", test_search);
  g_test_add_func ("/inspector/error", test_error);
  g_test_add_func ("/inspector/cancel", test_cancel);
  g_test_add_func ("/inspector/compare", test_compare);
  g_test_add_func ("/inspector/compare-columns", test_compare_columns);
  g_test_add_func ("/inspector/save-as", test_save_as);
  g_test_add_func ("/inspector/graph", test_graph);
  g_test_add_func ("/inspector/dark", test_dark);
  status = g_test_run ();
  g_test_message ("removing %s", home);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", home);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  return status;
}
