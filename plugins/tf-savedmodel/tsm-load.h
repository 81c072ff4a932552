/* tsm-load.h: SavedModels and TF checkpoints into Strata models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"
#include "tsm-savedmodel.h"

G_BEGIN_DECLS

/* tf_keras.models.load_model(dir): the model of a Keras SavedModel, with
 * its weights, training config and optimizer state. */
StrataModel         *tsm_load_model   (const char         *dir,
                                       StrataLoadOptions  *options,
                                       GCancellable       *cancellable,
                                       GError            **error);

/* model.load_weights(path) for a TF checkpoint or a SavedModel folder. */
StrataWeightsReport *tsm_load_weights (StrataModel        *model,
                                       const char         *path,
                                       StrataLoadOptions  *options,
                                       GCancellable       *cancellable,
                                       GError            **error);

/* What a SavedModel holds when it holds no Keras model, for messages:
 * "a TensorFlow 1.14.0 export with the tags “serve” and the signatures
 * “serving_default”, “classify”". */
char                *tsm_describe_contents (TsmSavedModel *model);

G_END_DECLS
