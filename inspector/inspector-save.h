/* inspector-save.h: the Save As dialog, with the format and Keras choices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <strata/strata.h>

G_BEGIN_DECLS

GtkFileChooserNative *inspector_save_chooser_new     (GtkWindow      *parent,
                                                      const char     *basename);
StrataSaveOptions    *inspector_save_options_new     (const char     *format_name,
                                                      const char     *keras);
StrataSaveOptions    *inspector_save_chooser_options (GtkFileChooser *chooser);

G_END_DECLS
