/* inspector-graph.h: a model's functional graph, as boxes and arrows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <strata/strata.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_GRAPH (inspector_graph_get_type ())
G_DECLARE_FINAL_TYPE (InspectorGraph, inspector_graph, INSPECTOR, GRAPH, GtkWidget)

GtkWidget  *inspector_graph_new            (void);
void        inspector_graph_set_model      (InspectorGraph *self,
                                            StrataModel    *model);
void        inspector_graph_set_selected   (InspectorGraph *self,
                                            const char     *layer_name);
const char *inspector_graph_get_selected   (InspectorGraph *self);
double      inspector_graph_get_zoom       (InspectorGraph *self);
void        inspector_graph_set_zoom       (InspectorGraph *self,
                                            double          zoom);
guint       inspector_graph_get_n_nodes    (InspectorGraph *self);
guint       inspector_graph_get_n_edges    (InspectorGraph *self);
gboolean    inspector_graph_get_node       (InspectorGraph *self,
                                            const char     *layer_name,
                                            guint          *row,
                                            double         *center_x,
                                            double         *center_y,
                                            guint          *n_calls);
const char *inspector_graph_node_at        (InspectorGraph *self,
                                            double          x,
                                            double          y);
void        inspector_graph_activate_at    (InspectorGraph *self,
                                            double          x,
                                            double          y);

G_END_DECLS
