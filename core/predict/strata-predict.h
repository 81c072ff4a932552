/* strata-predict.h: running models (Keras model.predict)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-model.h"

G_BEGIN_DECLS

/**
 * STRATA_PREDICT_ERROR:
 *
 * Error domain of [method@Strata.Model.predict]. Errors use [error@Strata.PredictError].
 */
#define STRATA_PREDICT_ERROR (strata_predict_error_quark ())

/**
 * StrataPredictError:
 * @STRATA_PREDICT_ERROR_UNSUPPORTED: the model has layers that cannot run
 *   (unknown, opaque or Lambda layers, or options not implemented); the
 *   message names every one of them
 * @STRATA_PREDICT_ERROR_INPUT: the inputs do not fit the model (count,
 *   shape or data type)
 * @STRATA_PREDICT_ERROR_INVALID: the model is inconsistent (weights or
 *   shapes that do not fit the config)
 *
 * Errors of [method@Strata.Model.predict].
 */
typedef enum {
  STRATA_PREDICT_ERROR_UNSUPPORTED,
  STRATA_PREDICT_ERROR_INPUT,
  STRATA_PREDICT_ERROR_INVALID,
} StrataPredictError;

STRATA_AVAILABLE_IN_ALL
GQuark     strata_predict_error_quark       (void);

STRATA_AVAILABLE_IN_ALL
GPtrArray *strata_model_predict             (StrataModel          *model,
                                             GPtrArray            *inputs,
                                             GCancellable         *cancellable,
                                             GError              **error);
STRATA_AVAILABLE_IN_ALL
void       strata_model_predict_async       (StrataModel          *model,
                                             GPtrArray            *inputs,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
STRATA_AVAILABLE_IN_ALL
GPtrArray *strata_model_predict_finish      (StrataModel          *model,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
