/* strata-model.h: functional models (a graph of layers)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-layer.h"

G_BEGIN_DECLS

#define STRATA_TYPE_MODEL (strata_model_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (StrataModel, strata_model, STRATA, MODEL, StrataLayer)

/**
 * StrataModelClass:
 * @parent_class: the parent class
 *
 * The class of functional models.
 */
struct _StrataModelClass
{
  StrataLayerClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

/**
 * StrataCloneFunc:
 * @layer: the layer of the original model
 * @user_data: data passed to [method@Strata.Model.clone]
 *
 * Called by [method@Strata.Model.clone] for each layer (Keras `clone_function`).
 *
 * Returns: (transfer full) (nullable): the layer to use in the clone, or
 *   %NULL to make a fresh copy of @layer as Keras does by default
 */
typedef StrataLayer *(*StrataCloneFunc) (StrataLayer *layer,
                                         gpointer     user_data);

STRATA_AVAILABLE_IN_ALL
StrataModel       *strata_model_new                 (GPtrArray          *inputs,
                                                     GPtrArray          *outputs,
                                                     const char         *name,
                                                     GError            **error);
STRATA_AVAILABLE_IN_ALL
guint              strata_model_get_n_layers        (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
StrataLayer       *strata_model_get_layer           (StrataModel        *self,
                                                     const char         *name);
STRATA_AVAILABLE_IN_ALL
StrataLayer       *strata_model_get_layer_at        (StrataModel        *self,
                                                     guint               index);
STRATA_AVAILABLE_IN_ALL
GPtrArray         *strata_model_get_inputs          (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray         *strata_model_get_outputs         (StrataModel        *self);

STRATA_AVAILABLE_IN_ALL
StrataModel       *strata_model_from_config         (JsonObject         *object,
                                                     StrataRegistry     *registry,
                                                     StrataLoadFlags     flags,
                                                     GError            **error);
STRATA_AVAILABLE_IN_ALL
StrataModel       *strata_model_from_json           (const char         *json,
                                                     gssize              length,
                                                     StrataRegistry     *registry,
                                                     StrataLoadFlags     flags,
                                                     GError            **error);
STRATA_AVAILABLE_IN_ALL
JsonObject        *strata_model_to_config_object    (StrataModel        *self,
                                                     StrataKerasDialect  dialect);
STRATA_AVAILABLE_IN_ALL
JsonObject        *strata_model_to_config_object_full (StrataModel        *self,
                                                       StrataKerasDialect  dialect,
                                                       StrataConfigStyle   style,
                                                       GError            **error);
STRATA_AVAILABLE_IN_ALL
char              *strata_model_to_json             (StrataModel        *self,
                                                     StrataKerasDialect  dialect,
                                                     gboolean            pretty);
STRATA_AVAILABLE_IN_ALL
StrataModel       *strata_model_clone               (StrataModel        *self,
                                                     StrataCloneFunc     clone_func,
                                                     gpointer            user_data,
                                                     GError            **error);
STRATA_AVAILABLE_IN_ALL
char              *strata_model_summary             (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
guint64            strata_model_count_params        (StrataModel        *self,
                                                     guint64            *trainable,
                                                     guint64            *non_trainable);

STRATA_AVAILABLE_IN_ALL
StrataKerasDialect strata_model_get_dialect         (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
const char        *strata_model_get_keras_version   (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
void               strata_model_set_keras_version   (StrataModel        *self,
                                                     const char         *version);
STRATA_AVAILABLE_IN_ALL
const char        *strata_model_get_backend         (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
void               strata_model_set_backend         (StrataModel        *self,
                                                     const char         *backend);

STRATA_AVAILABLE_IN_ALL
StrataOptimizer   *strata_model_get_optimizer       (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
void               strata_model_set_optimizer       (StrataModel        *self,
                                                     StrataOptimizer    *optimizer);
STRATA_AVAILABLE_IN_ALL
JsonObject        *strata_model_get_training_config (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
JsonObject        *strata_model_dup_training_config (StrataModel        *self,
                                                     StrataKerasDialect  dialect);
STRATA_AVAILABLE_IN_ALL
void               strata_model_set_training_config (StrataModel        *self,
                                                     JsonObject         *training_config);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_model_is_compiled         (StrataModel        *self);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_model_compile             (StrataModel        *self,
                                                     JsonObject         *training_config,
                                                     GError            **error);

G_END_DECLS
