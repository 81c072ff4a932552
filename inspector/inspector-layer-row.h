/* inspector-layer-row.h: a row of the layer list, one light widget
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LAYER_ROW (inspector_layer_row_get_type ())
G_DECLARE_FINAL_TYPE (InspectorLayerRow, inspector_layer_row, INSPECTOR, LAYER_ROW, GtkWidget)

GtkWidget  *inspector_layer_row_new            (void);
void        inspector_layer_row_set            (InspectorLayerRow *self,
                                                const char        *name,
                                                const char        *class_name,
                                                guint64            n_params);
const char *inspector_layer_row_get_name       (InspectorLayerRow *self);
const char *inspector_layer_row_get_params     (InspectorLayerRow *self);

G_END_DECLS
