/* strata-layer-private.h: layer internals shared by models, configs and formats
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

/* One call of a layer inside a graph (a Keras "node"). */
typedef struct {
  StrataLayer *layer;          /* unowned: the node belongs to the layer */
  GPtrArray   *inputs;         /* (element-type StrataKerasTensor) owned */
  GPtrArray   *outputs;        /* (element-type StrataKerasTensor) owned */
  JsonObject  *kwargs;         /* nullable: call arguments other than tensors */
  JsonNode    *raw;            /* nullable: the node as read, re-written unchanged when the
                                  dialect is the one it came in */
  StrataKerasDialect raw_dialect;
} StrataNode;

/* The stored config: every key read from the file, including the ones the
 * class does not model, so that a round trip loses nothing. */
JsonObject *strata_layer_peek_config      (StrataLayer *self);
/* Keys that sit beside "class_name"/"config" in the layer's entry (Keras 3
 * "module", "registered_name", "build_config", "shared_object_id", ...). */
JsonObject *strata_layer_peek_extras      (StrataLayer *self);
/* The class name as the file spelled it (for example "Convolution2D"). */
void        strata_layer_set_class_name   (StrataLayer *self, const char *class_name);

/* Weights: slots in Keras order, each with a short name ("kernel") and a flag. */
void        strata_layer_append_weight    (StrataLayer *self, const char *name,
                                           StrataTensor *tensor, gboolean trainable);
void        strata_layer_clear_weights    (StrataLayer *self);
gboolean    strata_layer_weight_is_trainable (StrataLayer *self, guint index);
const char *strata_layer_get_weight_short_name (StrataLayer *self, guint index);
StrataTensor *strata_layer_get_weight_at  (StrataLayer *self, guint index);
/* Replaces one weight's data; shape and dtype must match (checked). */
gboolean    strata_layer_replace_weight   (StrataLayer *self, guint index,
                                           StrataTensor *tensor, GError **error);
void        strata_layer_set_built        (StrataLayer *self, gboolean built);
/* The flags the layer was loaded with (strata_layer_new_from_config());
 * wrappers pass them on to the layers they create. */
void            strata_layer_set_load_flags (StrataLayer *self, StrataLoadFlags flags);
StrataLoadFlags strata_layer_get_load_flags (StrataLayer *self);

/* Nodes. */
GPtrArray  *strata_layer_peek_nodes       (StrataLayer *self); /* (element-type StrataNode) */
StrataNode *strata_layer_add_node         (StrataLayer *self, GPtrArray *inputs,
                                           GPtrArray *output_shapes, JsonObject *kwargs);
void        strata_layer_clear_nodes      (StrataLayer *self);

/* The GType of a layer class whose config lives in its stored config
 * (built-in data-driven classes); such classes skip the property merge. */
gboolean    strata_layer_class_is_config_backed (StrataLayerClass *klass);
void        strata_layer_class_set_config_backed (StrataLayerClass *klass, gboolean backed);

StrataKerasTensor *strata_keras_tensor_new (StrataLayer *layer, guint node_index,
                                            guint tensor_index, StrataShape *shape,
                                            const char *dtype);

G_END_DECLS
