/* kv3-weights.h: the Keras 3 weights layout (model.weights.h5, *.weights.h5)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"

G_BEGIN_DECLS

/* Fills @model's weights (and, when @with_optimizer and the model has one,
 * its optimizer state) from the Keras 3 weights file at @path. */
StrataWeightsReport *kv3_weights_load  (StrataModel        *model,
                                        const char         *path,
                                        StrataLoadOptions  *options,
                                        gboolean            with_optimizer,
                                        GCancellable       *cancellable,
                                        GError            **error);

/* Writes @model's weights (and the optimizer state when @with_optimizer)
 * in the layout the Keras of @dialect reads (KERAS3, or KERAS2: tf-keras's)
 * into the file open at @fd (-1: the file @name, created or truncated),
 * named @name in messages. */
gboolean             kv3_weights_save  (StrataModel        *model,
                                        int                 fd,
                                        const char         *name,
                                        StrataKerasDialect  dialect,
                                        gboolean            with_optimizer,
                                        StrataSaveOptions  *options,
                                        GCancellable       *cancellable,
                                        GError            **error);

/* A model of opaque layers, one per vars group holding datasets, for
 * inspecting a weights file without its model. */
StrataModel         *kv3_weights_inspect (const char       *path,
                                          const char       *model_name,
                                          GError          **error);

/* TRUE when the HDF5 file at @path has the Keras 3 layout (a /layers or
 * /vars group and no layer_names attribute at the root). */
gboolean             kv3_weights_is_keras3 (const char     *path);

/* The "name" attribute of /optimizer/vars ("adam"), or %NULL. */
char                *kv3_weights_optimizer_name (const char *path);

/* Keras's optimizer class for its default name ("adam" -> "Adam"); @name
 * itself when unknown. */
const char          *kv3_optimizer_class_for (const char *name);

/* "BatchNormalization" -> "batch_normalization" (Keras's naming of containers). */
char                *kv3_snake_case    (const char         *class_name);

G_END_DECLS
