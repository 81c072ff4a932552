/* inspector-loader.h: loads a model in a worker thread, telling its format
 * and its progress
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <strata/strata.h>

G_BEGIN_DECLS

/* The progress of a load, written by the loading thread and read by the
 * window's timer: a fraction in thousandths. */
typedef struct
{
  gatomicrefcount ref_count;
  int             permille;
} InspectorProgress;

InspectorProgress *inspector_progress_new   (void);
InspectorProgress *inspector_progress_ref   (InspectorProgress *progress);
void               inspector_progress_unref (InspectorProgress *progress);
double             inspector_progress_get   (InspectorProgress *progress);
/* A StrataProgressFunc whose user data is an InspectorProgress. */
void               inspector_progress_report (double             fraction,
                                              const char        *stage,
                                              gpointer           progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorProgress, inspector_progress_unref)

void         inspector_load_async  (GFile               *file,
                                    gboolean             metadata_only,
                                    InspectorProgress   *progress,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
StrataModel *inspector_load_finish (GAsyncResult        *result,
                                    char               **format_name,
                                    GError             **error);

G_END_DECLS
