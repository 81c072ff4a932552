/* strata-layer.h: the base class of every Keras layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include "strata-enums.h"
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_LAYER (strata_layer_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (StrataLayer, strata_layer, STRATA, LAYER, GObject)

/**
 * StrataLayerClass:
 * @parent_class: the parent class
 * @build: creates the layer's weights for @input_shapes with
 *   [method@Strata.Layer.add_weight], in Keras order
 * @compute_output_shapes: returns the shapes of the outputs for @input_shapes
 * @get_config: writes the layer's hyper-parameters into @config; keys that
 *   are already there (unknown to the class) must be kept
 * @set_config: reads hyper-parameters from @config
 * @call: computes the outputs for concrete @inputs (used by predict)
 * @get_weights: returns the weights in Keras order (models override it)
 * @set_weights: replaces the weights (models override it)
 *
 * The virtual functions of a layer class. Subclasses written in C, Python or
 * Vala override @build and @compute_output_shapes; the default @get_config and
 * @set_config map the subclass's GObject properties to config keys (a
 * property `pool-size` is the key `pool_size`).
 */
struct _StrataLayerClass
{
  GObjectClass parent_class;

  gboolean   (*build)                 (StrataLayer     *self,
                                       GPtrArray       *input_shapes,
                                       GError         **error);
  GPtrArray *(*compute_output_shapes) (StrataLayer     *self,
                                       GPtrArray       *input_shapes,
                                       GError         **error);
  void       (*get_config)            (StrataLayer     *self,
                                       JsonObject      *config);
  gboolean   (*set_config)            (StrataLayer     *self,
                                       JsonObject      *config,
                                       StrataLoadFlags  flags,
                                       GError         **error);
  GPtrArray *(*call)                  (StrataLayer     *self,
                                       GPtrArray       *inputs,
                                       GError         **error);
  GPtrArray *(*get_weights)           (StrataLayer     *self);
  gboolean   (*set_weights)           (StrataLayer     *self,
                                       GPtrArray       *weights,
                                       GError         **error);

  /*< private >*/
  /* Overridden by StrataModel, so that this class knows nothing of its
   * subclasses: a model is built from its config as a graph, its weights
   * are those of its layers (NULL: a leaf layer), and its weights are named
   * after the Keras the whole model came from. */
  StrataLayer *(*new_from_config)    (GType               layer_type,
                                      JsonObject         *config,
                                      StrataLoadFlags     flags,
                                      GError            **error);
  GPtrArray   *(*peek_sublayers)     (StrataLayer        *self);
  void         (*get_weight_context) (StrataLayer        *self,
                                      StrataKerasDialect *dialect,
                                      const char        **keras_version);

  gpointer padding[9];
};

/**
 * StrataLayerClass::call:
 * @self: a layer
 * @inputs: (element-type StrataTensor): the input tensors
 * @error: return location for a [struct@GLib.Error]
 *
 * Computes the outputs of the layer for concrete @inputs (used by predict).
 *
 * Returns: (transfer full) (element-type StrataTensor): the output
 *   tensors, or %NULL with @error set
 */

STRATA_AVAILABLE_IN_ALL
void          strata_layer_class_set_keras_name (StrataLayerClass *layer_class,
                                                 const char       *keras_name);
STRATA_AVAILABLE_IN_ALL
const char   *strata_layer_class_get_keras_name (StrataLayerClass *layer_class);

STRATA_AVAILABLE_IN_ALL
const char   *strata_layer_get_name             (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
void          strata_layer_set_name             (StrataLayer      *self,
                                                 const char       *name);
STRATA_AVAILABLE_IN_ALL
const char   *strata_layer_get_class_name       (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
gboolean      strata_layer_get_trainable        (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
void          strata_layer_set_trainable        (StrataLayer      *self,
                                                 gboolean          trainable);
STRATA_AVAILABLE_IN_ALL
const char   *strata_layer_get_dtype            (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
void          strata_layer_set_dtype            (StrataLayer      *self,
                                                 const char       *dtype);

STRATA_AVAILABLE_IN_ALL
JsonObject   *strata_layer_get_config           (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
StrataLayer  *strata_layer_new_from_config      (GType             layer_type,
                                                 JsonObject       *config,
                                                 StrataLoadFlags   flags,
                                                 GError          **error);

STRATA_AVAILABLE_IN_ALL
gboolean      strata_layer_build                (StrataLayer      *self,
                                                 GPtrArray        *input_shapes,
                                                 GError          **error);
STRATA_AVAILABLE_IN_ALL
GPtrArray    *strata_layer_get_build_input_shapes (StrataLayer *self);
STRATA_AVAILABLE_IN_ALL
gboolean      strata_layer_is_built             (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray    *strata_layer_compute_output_shapes (StrataLayer     *self,
                                                 GPtrArray        *input_shapes,
                                                 GError          **error);

STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_layer_add_weight           (StrataLayer      *self,
                                                 const char       *name,
                                                 StrataShape      *shape,
                                                 StrataDType       dtype,
                                                 JsonNode         *initializer,
                                                 gboolean          trainable,
                                                 GError          **error);
STRATA_AVAILABLE_IN_ALL
guint         strata_layer_get_n_weights        (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
StrataTensor *strata_layer_get_weight           (StrataLayer      *self,
                                                 const char       *name);
STRATA_AVAILABLE_IN_ALL
GPtrArray    *strata_layer_get_weights          (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray    *strata_layer_get_trainable_weights (StrataLayer     *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray    *strata_layer_get_non_trainable_weights (StrataLayer *self);
STRATA_AVAILABLE_IN_ALL
gboolean      strata_layer_set_weights          (StrataLayer      *self,
                                                 GPtrArray        *weights,
                                                 GError          **error);
STRATA_AVAILABLE_IN_ALL
char        **strata_layer_get_weight_names     (StrataLayer      *self);
STRATA_AVAILABLE_IN_ALL
char        **strata_layer_get_uninitialized_weights (StrataLayer *self);
STRATA_AVAILABLE_IN_ALL
const char   *strata_layer_get_unknown_initializer (StrataLayer   *self,
                                                 const char       *name);
STRATA_AVAILABLE_IN_ALL
guint64       strata_layer_count_params         (StrataLayer      *self);

STRATA_AVAILABLE_IN_ALL
GPtrArray    *strata_layer_call                 (StrataLayer      *self,
                                                 GPtrArray        *inputs,
                                                 JsonObject       *kwargs,
                                                 GError          **error);

G_END_DECLS
