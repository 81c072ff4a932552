/* inspector-shortcuts.c: the keyboard shortcuts window
 *
 * GtkShortcutsWindow takes its sections only through GtkBuilder; the
 * definition is written here, with the titles translated as it is built.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-shortcuts.h"

#include "inspector-i18n.h"

static void
append_shortcut (GString    *xml,
                 const char *accelerator,
                 const char *title)
{
  g_autofree char *item = g_markup_printf_escaped (
    "<child><object class='GtkShortcutsShortcut'>"
    "<property name='accelerator'>%s</property><property name='title'>%s</property>"
    "</object></child>", accelerator, title);

  g_string_append (xml, item);
}

GtkShortcutsWindow *
inspector_shortcuts_window_new (void)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(GtkBuilder) builder = NULL;
  g_autofree char *group = g_markup_printf_escaped ("<property name='title'>%s</property>", _("General"));
  g_autofree char *model_group = g_markup_printf_escaped ("<property name='title'>%s</property>", _("Model"));

  g_string_append (xml, "<interface><object class='GtkShortcutsWindow' id='window'>"
                        "<property name='modal'>1</property>"
                        "<child><object class='GtkShortcutsSection'>"
                        "<property name='section-name'>shortcuts</property>"
                        "<child><object class='GtkShortcutsGroup'>");
  g_string_append (xml, group);
  append_shortcut (xml, "<Control>o", _("Open a model"));
  append_shortcut (xml, "<Control>w", _("Close the window"));
  append_shortcut (xml, "<Control>q", _("Quit"));
  append_shortcut (xml, "<Control>question", _("Keyboard shortcuts"));
  g_string_append (xml, "</object></child><child><object class='GtkShortcutsGroup'>");
  g_string_append (xml, model_group);
  append_shortcut (xml, "<Control>f", _("Search the layers"));
  append_shortcut (xml, "<Control><Shift>s", _("Save the model as"));
  g_string_append (xml, "</object></child></object></child></object></interface>");

  builder = gtk_builder_new_from_string (xml->str, xml->len);
  return g_object_ref (GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "window")));
}
