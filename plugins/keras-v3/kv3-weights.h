/* kv3-weights.h: the Keras 3 weights layout (model.weights.h5, *.weights.h5)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata.h"

G_BEGIN_DECLS

/* h5-fd.h (libh5k) */
typedef struct _H5kFdTarget H5kFdTarget;

/* The HDF5 files one set of weights is read from: a .weights.h5 file, or
 * the shards of Keras 3 sharded weights. */
typedef struct {
  const char *name;    /* for messages: the file, or the shards' index */
  GPtrArray  *paths;   /* (element-type utf8) the files */
  GHashTable *groups;  /* (nullable) vars group ("layers/dense/vars") -> GArray of
                        * guint: the files that hold its variables; a group
                        * not in it may be in any file */
} Kv3Files;

/* Fills @model's weights (and, when @with_optimizer and the model has one,
 * its optimizer state) from the Keras 3 weights file at @path. */
StrataWeightsReport *kv3_weights_load  (StrataModel        *model,
                                        const char         *path,
                                        StrataLoadOptions  *options,
                                        gboolean            with_optimizer,
                                        GCancellable       *cancellable,
                                        GError            **error);

/* kv3_weights_load() from several files. */
StrataWeightsReport *kv3_weights_load_files (StrataModel       *model,
                                             const Kv3Files    *files,
                                             StrataLoadOptions *options,
                                             gboolean           with_optimizer,
                                             GCancellable      *cancellable,
                                             GError           **error);

/* Checks that the shards of sharded weights agree with their index:
 * each holds only variables of groups the index maps to it, no variable
 * is in two of them, and their variables sum to @total_size bytes, as
 * Keras counts them. */
gboolean             kv3_weights_check_shards (const Kv3Files *files,
                                               double          total_size,
                                               GError        **error);

/* Writes @model's weights (and the optimizer state when @with_optimizer)
 * in the layout the Keras of @dialect reads (KERAS3, or KERAS2: tf-keras's)
 * into @target (%NULL: the file @name, created or truncated), named @name
 * in messages. */
gboolean             kv3_weights_save  (StrataModel        *model,
                                        const H5kFdTarget  *target,
                                        const char         *name,
                                        StrataKerasDialect  dialect,
                                        gboolean            with_optimizer,
                                        StrataSaveOptions  *options,
                                        GCancellable       *cancellable,
                                        GError            **error);

/* One thing kv3_weights_save() writes, in the order Keras writes them:
 * a vars group with its "name" attribute, or one variable. */
typedef struct {
  char         *group;     /* "layers/dense/vars" */
  guint         index;     /* the variable's number in its group */
  char         *variable;  /* its dataset name ("0"), or NULL for a group */
  char         *attr;      /* a group's "name" attribute, or NULL */
  StrataTensor *tensor;    /* the variable, or NULL for a group */
} Kv3Step;

/* What kv3_weights_save() writes (element-type Kv3Step). */
GPtrArray           *kv3_weights_steps (StrataModel        *model,
                                        StrataKerasDialect  dialect,
                                        gboolean            with_optimizer,
                                        GError            **error);
/* The size of a step's variable in bits, as Keras counts it (a bool is
 * one bit), or 0 for a group. */
double               kv3_step_bits     (const Kv3Step      *step);
/* Writes @steps[@from..@to) into a new HDF5 file, as kv3_weights_save(). */
gboolean             kv3_weights_write_steps (GPtrArray         *steps,
                                              guint              from,
                                              guint              to,
                                              const H5kFdTarget *target,
                                              const char        *name,
                                              StrataSaveOptions *options,
                                              GCancellable      *cancellable,
                                              GError           **error);

/* A model of opaque layers, one per vars group holding datasets, for
 * inspecting a weights file without its model. */
StrataModel         *kv3_weights_inspect (const char       *path,
                                          const char       *model_name,
                                          GError          **error);

/* kv3_weights_inspect() of several files. */
StrataModel         *kv3_weights_inspect_files (const Kv3Files *files,
                                                const char     *model_name,
                                                GError        **error);

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
