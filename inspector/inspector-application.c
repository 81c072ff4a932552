/* inspector-application.c: the Strata Inspector application
 *
 * One window per model: files on the command line or from the file
 * manager each open in a window of their own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-application.h"

#include "inspector-i18n.h"
#include "inspector-window.h"

struct _InspectorApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (InspectorApplication, inspector_application, ADW_TYPE_APPLICATION)

static void
show_about (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Strata authors"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Strata Inspector"),
                        "application-icon", INSPECTOR_APP_ID,
                        "version", INSPECTOR_VERSION,
                        "comments", _("Open, explore and compare Keras models"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_LGPL_2_1,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit (GSimpleAction *action,
      GVariant      *parameter,
      gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
inspector_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (inspector_window_new (INSPECTOR_APPLICATION (app)));
  gtk_window_present (window);
}

static void
inspector_application_open (GApplication  *app,
                            GFile        **files,
                            int            n_files,
                            const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      InspectorWindow *window = inspector_window_new (INSPECTOR_APPLICATION (app));

      inspector_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
inspector_application_startup (GApplication *app)
{
  const GActionEntry entries[] = {
    { .name = "about", .activate = show_about },
    { .name = "quit", .activate = quit },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *open_accels[] = { "<Control>o", NULL };
  const char *close_accels[] = { "<Control>w", NULL };
  const char *help_accels[] = { "<Control>question", NULL };
  const char *search_accels[] = { "<Control>f", NULL };
  const char *save_accels[] = { "<Control><Shift>s", NULL };

  G_APPLICATION_CLASS (inspector_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.save-as", save_accels);
  gtk_window_set_default_icon_name (INSPECTOR_APP_ID);
}

static void
inspector_application_class_init (InspectorApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = inspector_application_activate;
  app_class->open = inspector_application_open;
  app_class->startup = inspector_application_startup;
}

static void
inspector_application_init (InspectorApplication *self)
{
}

InspectorApplication *
inspector_application_new (void)
{
  return g_object_new (INSPECTOR_TYPE_APPLICATION,
                       "application-id", INSPECTOR_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
