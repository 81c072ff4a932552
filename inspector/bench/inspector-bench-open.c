/* inspector-bench-open.c: how soon Strata Inspector shows a model's layers
 *
 * Usage: inspector-bench-open [--repeat N] FILE   (on a display: xvfb-run)
 *
 * Opens FILE N times in an inspector window and prints, as medians over the
 * runs, the wall time from inspector_window_open() until the layer list
 * holds every layer, until the window has painted its next frame (the
 * layers on screen), and until the weights are loaded, next to the
 * library's own strata_load_model() with STRATA_LOAD_METADATA_ONLY and
 * without it, measured in the same process, with the ratios between them.
 * Not a test: run-bench-inspector.sh runs it on a ~1 GiB model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>

#include "inspector-window.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static void
painted (GdkFrameClock *clock,
         gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Until @window has drawn a frame: the layers are on screen. Not inlined,
 * for valgrind --tool=callgrind --toggle-collect=wait_for_frame. */
static G_GNUC_NO_INLINE void
wait_for_frame (InspectorWindow *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gboolean done = FALSE;
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (painted), &done);

  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static double
library_load (GFile   *file,
              gboolean metadata_only)
{
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (metadata_only)
    strata_load_options_set_flags (options, STRATA_LOAD_METADATA_ONLY);
  model = strata_load_model (file, options, NULL, &error);
  if (model == NULL)
    g_error ("%s", error->message);
  return (g_get_monotonic_time () - start) / 1000.;
}

int
main (int    argc,
      char **argv)
{
  gint64 repeat = 5;
  const GOptionEntry entries[] = {
    { "repeat", 0, 0, G_OPTION_ARG_INT64, &repeat, "Runs (default 5)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE");
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) weights = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lib_meta = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lib_full = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  double s, d, w, m, f;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: inspector-bench-open [--repeat N] FILE\n");
      return 2;
    }
  adw_init ();
  file = g_file_new_for_commandline_arg (argv[1]);
  /* Loads the format modules once, as a running app has. */
  library_load (file, TRUE);
  for (gint64 i = 0; i < repeat; i++)
    {
      InspectorWindow *window = inspector_window_new (NULL);
      gint64 start;
      double t;

      gtk_window_present (GTK_WINDOW (window));
      while (g_main_context_iteration (NULL, FALSE))
        ;
      start = g_get_monotonic_time ();
      inspector_window_open (window, file);
      while (inspector_window_get_state (window) == INSPECTOR_WINDOW_LOADING)
        g_main_context_iteration (NULL, TRUE);
      if (inspector_window_get_state (window) != INSPECTOR_WINDOW_MODEL ||
          g_list_model_get_n_items (inspector_window_get_layer_list (window)) !=
            strata_model_get_n_layers (inspector_window_get_model (window)))
        g_error ("the model did not open: %s", inspector_window_get_error (window));
      t = (g_get_monotonic_time () - start) / 1000.;
      g_array_append_val (shown, t);
      wait_for_frame (window);
      t = (g_get_monotonic_time () - start) / 1000.;
      g_array_append_val (drawn, t);
      while (!inspector_window_get_weights_loaded (window))
        g_main_context_iteration (NULL, TRUE);
      t = (g_get_monotonic_time () - start) / 1000.;
      g_array_append_val (weights, t);
      gtk_window_destroy (GTK_WINDOW (window));
      while (g_main_context_iteration (NULL, FALSE))
        ;
      t = library_load (file, TRUE);
      g_array_append_val (lib_meta, t);
      t = library_load (file, FALSE);
      g_array_append_val (lib_full, t);
    }
  s = median (shown);
  d = median (drawn);
  w = median (weights);
  m = median (lib_meta);
  f = median (lib_full);
  g_print ("| %-44s | %10s | %8s |\n", "what (median of runs, wall time)", "ms", "÷ lib");
  g_print ("|%s|%s|%s|\n", "----------------------------------------------", "------------", "----------");
  g_print ("| %-44s | %10.1f | %8s |\n", "strata_load_model, metadata only", m, "1.00");
  g_print ("| %-44s | %10.1f | %8.2f |\n", "inspector: layers in the list", s, s / m);
  g_print ("| %-44s | %10.1f | %8.2f |\n", "inspector: layers drawn (next frame painted)", d, d / m);
  g_print ("| %-44s | %10.1f | %8s |\n", "strata_load_model, with weights", f, "1.00");
  g_print ("| %-44s | %10.1f | %8.2f |\n", "inspector: weights loaded (after the layers)", w, w / f);
  return 0;
}
