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
  char       **keywords;       /* nullable: the last g_strv_length(keywords) inputs were
                                  passed as keyword tensors (in @kwargs, where they stay as
                                  references in @raw_dialect's form, in the order
                                  strata_kwargs_foreach_tensor() visits them); one
                                  top-level kwargs name per tensor */
} StrataNode;

/* Inputs of @node passed positionally (the keyword tensors come after). */
guint       strata_node_n_positional      (StrataNode *node);

/* The stored config: every key read from the file, including the ones the
 * class does not model, so that a round trip loses nothing. */
JsonObject *strata_layer_peek_config      (StrataLayer *self);
/* The stored config for reading only: it may be a sealed object shared with
 * the parsed file (see strata_layer_set_stored_config()), so never change
 * it; nodes read from it stay valid while the layer lives, their
 * json_node_get_parent() may not. strata_layer_peek_config() gives the
 * layer's own, to change. */
JsonObject *strata_layer_peek_config_for_reading (StrataLayer *self);
/* Keys that sit beside "class_name"/"config" in the layer's entry (Keras 3
 * "module", "registered_name", "build_config", "shared_object_id", ...). */
JsonObject *strata_layer_peek_extras      (StrataLayer *self);
/* The class name as the file spelled it (for example "Convolution2D"). */
void        strata_layer_set_class_name   (StrataLayer *self, const char *class_name);
/* The names of a list of layers that only grows at its end (a Sequential
 * stack, a model's layers), so that a new name is checked in O(1) instead
 * of by a scan of the list. Layers appended since the last call are added
 * on the way; renaming any layer starts the index again. Reset it when
 * the list loses or replaces layers. */
typedef struct _StrataLayerNameIndex StrataLayerNameIndex;
StrataLayerNameIndex *strata_layer_name_index_new   (void);
void                  strata_layer_name_index_free  (StrataLayerNameIndex *index);
void                  strata_layer_name_index_reset (StrataLayerNameIndex *index);
/* Whether some layer of @layers (element-type StrataLayer) is named @name. */
gboolean              strata_layer_name_index_contains (StrataLayerNameIndex *index,
                                                        GPtrArray            *layers,
                                                        const char           *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataLayerNameIndex, strata_layer_name_index_free)

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
/* Weight names as Keras shows them depend on the writer: tf-keras >= 2.3
 * and Keras 3 build an RNN's cell under the cell's name scope
 * ("lstm/lstm_cell/kernel:0", Keras 3 ConvLSTM too), Keras 1 and Keras 2
 * up to 2.2 do not ("lstm_1/kernel:0"). A slot keeps its short name for
 * the legacy naming and may carry scoped names for the later ones. */
typedef enum {
  STRATA_WEIGHT_NAMING_LEGACY,
  STRATA_WEIGHT_NAMING_TF_KERAS,
  STRATA_WEIGHT_NAMING_KERAS3,
} StrataWeightNaming;

/* The naming of @dialect / @keras_version ("2.2.4", "2.4.0", "3.15.1");
 * an unknown Keras 2 version means tf-keras (Strata writes Keras 2 as
 * tf-keras does). */
StrataWeightNaming strata_weight_naming_for (StrataKerasDialect dialect, const char *keras_version);
/* Scoped names of slot @index without the layer's name ("lstm_cell/kernel");
 * NULL: as the naming before it (Keras 3 falls back to tf-keras, tf-keras
 * to the short name). */
void        strata_layer_set_weight_scoped_names (StrataLayer *self, guint index,
                                                  const char *tf_keras_name,
                                                  const char *keras3_name);
/* The name of slot @index under @naming, without the layer's name. */
const char *strata_layer_get_weight_name_as (StrataLayer *self, guint index,
                                             StrataWeightNaming naming);
/* strata_layer_get_weight_names() for an explicit dialect and version
 * (what a format writer that knows the model's should use). */
char      **strata_layer_get_weight_names_as (StrataLayer *self, StrataKerasDialect dialect,
                                              const char *keras_version);
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
/* strata_layer_call() where the last g_strv_length(@keywords) @inputs were
 * passed as keyword tensors named @keywords (nullable: none). Only the
 * keyword tensors a layer takes as tensor arguments (MultiHeadAttention
 * query/value/key, an RNN's initial_state) count for its shapes, after
 * the positional ones; others (masks) are inputs of the graph only. */
GPtrArray  *strata_layer_call_keywords    (StrataLayer *self, GPtrArray *inputs,
                                           const char *const *keywords, JsonObject *kwargs,
                                           GError **error);

/* The GType of a layer class whose config lives in its stored config
 * (built-in data-driven classes); such classes skip the property merge. */
gboolean    strata_layer_class_is_config_backed (StrataLayerClass *klass);
void        strata_layer_class_set_config_backed (StrataLayerClass *klass, gboolean backed);

StrataKerasTensor *strata_keras_tensor_new (StrataLayer *layer, guint node_index,
                                            guint tensor_index, StrataShape *shape,
                                            const char *dtype);

G_END_DECLS
