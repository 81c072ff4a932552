/* inspector-layer-pane.h: a layer's config and weights
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <strata/strata.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LAYER_PANE (inspector_layer_pane_get_type ())
G_DECLARE_FINAL_TYPE (InspectorLayerPane, inspector_layer_pane, INSPECTOR, LAYER_PANE, GtkBox)

GtkWidget   *inspector_layer_pane_new                 (void);
void         inspector_layer_pane_set_layer           (InspectorLayerPane *self,
                                                       StrataLayer        *layer,
                                                       StrataLayer        *loaded_layer);
StrataLayer *inspector_layer_pane_get_layer           (InspectorLayerPane *self);
guint        inspector_layer_pane_get_n_config_rows   (InspectorLayerPane *self);
guint        inspector_layer_pane_get_n_pending_stats (InspectorLayerPane *self);
const char  *inspector_layer_pane_get_json            (InspectorLayerPane *self);

G_END_DECLS
