/* inspector-compare.h: compares two models with StrataModelDiff in a worker
 * thread, and shows the result
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <strata/strata.h>

G_BEGIN_DECLS

void             inspector_compare_async     (GFile               *file_a,
                                              StrataModel         *model_a,
                                              GFile               *file_b,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
StrataModelDiff *inspector_compare_finish    (GAsyncResult        *result,
                                              GError             **error);

GtkWidget       *inspector_compare_view_new  (StrataModelDiff     *diff,
                                              StrataModel         *model_a,
                                              GFile               *file_a,
                                              GFile               *file_b);

guint            inspector_compare_view_get_n_rows (GtkWidget     *view);
const char      *inspector_compare_view_get_cell   (GtkWidget     *view,
                                                    guint          row,
                                                    guint          column);

G_END_DECLS
