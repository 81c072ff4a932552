/* h5-plugin.h: the GObject side of the h5 format (load and save)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"

G_BEGIN_DECLS

/* Reads a full-model file, or a weights-only file as a Sequential model of
 * StrataOpaqueLayer objects (class_name null) holding the file's weights. */
StrataModel         *h5_load_model   (GFile              *file,
                                      StrataLoadOptions  *options,
                                      GCancellable       *cancellable,
                                      GError            **error);
/* Keras load_weights: topological or by name, with skip_mismatch. */
StrataWeightsReport *h5_load_weights (StrataModel        *model,
                                      GFile              *file,
                                      StrataLoadOptions  *options,
                                      GCancellable       *cancellable,
                                      GError            **error);
/* Keras model.save(".h5") (@weights_only FALSE) or save_weights(".h5"). */
gboolean             h5_save         (StrataModel        *model,
                                      GFile              *file,
                                      StrataSaveOptions  *options,
                                      gboolean            weights_only,
                                      GCancellable       *cancellable,
                                      GError            **error);

/* Object data key: the training_config text of the file a model came from. */
#define H5_TRAINING_CONFIG_KEY "strata-h5-training-config"

/* Parses JSON as Python writes it (NaN / Infinity become null). */
JsonObject          *h5_parse_json_object (const char  *text,
                                           const char  *what,
                                           const char  *path,
                                           GError     **error);

/* The short name Keras gives a weight from its full name:
 * "dense/kernel:0" -> "kernel". */
char                *h5_weight_short_name (const char *name);

G_END_DECLS
