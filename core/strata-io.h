/* strata-io.h: loading and saving models and weights
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

STRATA_AVAILABLE_IN_ALL
StrataModel         *strata_load_model                (GFile               *file,
                                                       StrataLoadOptions   *options,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
STRATA_AVAILABLE_IN_ALL
void                 strata_load_model_async          (GFile               *file,
                                                       StrataLoadOptions   *options,
                                                       int                  io_priority,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
STRATA_AVAILABLE_IN_ALL
StrataModel         *strata_load_model_finish         (GAsyncResult        *result,
                                                       GError             **error);

STRATA_AVAILABLE_IN_ALL
gboolean             strata_model_save                (StrataModel         *model,
                                                       GFile               *file,
                                                       StrataSaveOptions   *options,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
STRATA_AVAILABLE_IN_ALL
void                 strata_model_save_async          (StrataModel         *model,
                                                       GFile               *file,
                                                       StrataSaveOptions   *options,
                                                       int                  io_priority,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
STRATA_AVAILABLE_IN_ALL
gboolean             strata_model_save_finish         (StrataModel         *model,
                                                       GAsyncResult        *result,
                                                       GError             **error);

STRATA_AVAILABLE_IN_ALL
StrataWeightsReport *strata_model_load_weights        (StrataModel         *model,
                                                       GFile               *file,
                                                       StrataLoadOptions   *options,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
STRATA_AVAILABLE_IN_ALL
void                 strata_model_load_weights_async  (StrataModel         *model,
                                                       GFile               *file,
                                                       StrataLoadOptions   *options,
                                                       int                  io_priority,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
STRATA_AVAILABLE_IN_ALL
StrataWeightsReport *strata_model_load_weights_finish (StrataModel         *model,
                                                       GAsyncResult        *result,
                                                       GError             **error);

STRATA_AVAILABLE_IN_ALL
gboolean             strata_model_save_weights        (StrataModel         *model,
                                                       GFile               *file,
                                                       StrataSaveOptions   *options,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
STRATA_AVAILABLE_IN_ALL
void                 strata_model_save_weights_async  (StrataModel         *model,
                                                       GFile               *file,
                                                       StrataSaveOptions   *options,
                                                       int                  io_priority,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
STRATA_AVAILABLE_IN_ALL
gboolean             strata_model_save_weights_finish (StrataModel         *model,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
