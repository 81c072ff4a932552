/* h5-plugin.h: the GObject side of the h5 format (load and save)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"
#include "h5-keras1.h"

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

/* What the conversions need to know about the file. */
typedef struct {
  const char *version;   /* the weights' keras_version, "1" when absent (Keras 1) */
  const char *backend;   /* the weights' backend, nullable */
} H5Convert;

/* Keras's legacy weight order for @layer: trainable weights, then the
 * others (for a nested model, of all its layers). *@positions maps each
 * to its index in strata_layer_get_weights(). */
GPtrArray           *h5_legacy_weights (StrataLayer *layer,
                                        GArray     **positions);
/* Builds a model from @json (strata_model_from_json()) on a second thread.
 * @json must stay alive until h5_config_build_finish(), which must always
 * be called: it waits for the thread and frees the build. */
typedef struct _H5ConfigBuild H5ConfigBuild;
H5ConfigBuild       *h5_config_build_start  (const char      *json,
                                             StrataRegistry  *registry,
                                             StrataLoadFlags  flags);
StrataModel         *h5_config_build_finish (H5ConfigBuild   *build,
                                             GError         **error);

/* Converts @arrays (element-type H5kArray, file order) for @layer (NULL
 * for a layer inside a wrapper, described by @class_name and @config) as
 * Keras's preprocess_weights_for_loading does. A NULL @config is taken from
 * @layer when the conversion needs one. @model_weights are the layer's
 * current weights in legacy order (for kernel shapes), nullable. */
gboolean             h5_preprocess     (H5Convert   *convert,
                                        StrataLayer *layer,
                                        const char  *layer_name,
                                        const char  *class_name,
                                        JsonObject  *config,
                                        GPtrArray   *model_weights,
                                        GPtrArray   *arrays,
                                        GError     **error);

/* Parses JSON as Python writes it (strata_json_parse(): NaN and Infinity
 * kept), refusing anything but an object; errors name @what and @path. */
JsonObject          *h5_parse_json_object (const char  *text,
                                           const char  *what,
                                           const char  *path,
                                           GError     **error);

/* The short name Keras gives a weight from its full name:
 * "dense/kernel:0" -> "kernel". */
char                *h5_weight_short_name (const char *name);

G_END_DECLS
