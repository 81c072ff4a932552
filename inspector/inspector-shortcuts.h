/* inspector-shortcuts.h: the keyboard shortcuts window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkShortcutsWindow *inspector_shortcuts_window_new (void);

G_END_DECLS
