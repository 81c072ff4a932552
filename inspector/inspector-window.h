/* inspector-window.h: a window showing one model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <strata/strata.h>

#include "inspector-application.h"
#include "inspector-graph.h"
#include "inspector-layer-pane.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_WINDOW (inspector_window_get_type ())
G_DECLARE_FINAL_TYPE (InspectorWindow, inspector_window, INSPECTOR, WINDOW, AdwApplicationWindow)

/* What the window shows, for the tests. */
typedef enum {
  INSPECTOR_WINDOW_EMPTY,
  INSPECTOR_WINDOW_LOADING,
  INSPECTOR_WINDOW_ERROR,
  INSPECTOR_WINDOW_MODEL,
} InspectorWindowState;

InspectorWindow     *inspector_window_new              (InspectorApplication *app);
void                 inspector_window_open             (InspectorWindow      *self,
                                                        GFile                *file);
void                 inspector_window_cancel           (InspectorWindow      *self);
void                 inspector_window_compare          (InspectorWindow      *self,
                                                        GFile                *other);
void                 inspector_window_save_as          (InspectorWindow      *self,
                                                        GFile                *file,
                                                        StrataSaveOptions    *options);
gboolean             inspector_window_is_busy          (InspectorWindow      *self);
StrataModelDiff     *inspector_window_get_diff         (InspectorWindow      *self);
GtkWidget           *inspector_window_get_compare_view (InspectorWindow      *self);
const char          *inspector_window_get_last_message (InspectorWindow      *self);
InspectorWindowState inspector_window_get_state        (InspectorWindow      *self);
gboolean             inspector_window_get_weights_loaded (InspectorWindow    *self);
StrataModel         *inspector_window_get_model        (InspectorWindow      *self);
const char          *inspector_window_get_error        (InspectorWindow      *self);
GListModel          *inspector_window_get_layer_list   (InspectorWindow      *self);
void                 inspector_window_set_search       (InspectorWindow      *self,
                                                        const char           *text);
void                 inspector_window_select_layer     (InspectorWindow      *self,
                                                        guint                 position);
InspectorLayerPane  *inspector_window_get_layer_pane   (InspectorWindow      *self);
InspectorGraph      *inspector_window_get_graph        (InspectorWindow      *self);
void                 inspector_window_show_page        (InspectorWindow      *self,
                                                        const char           *name);

G_END_DECLS
