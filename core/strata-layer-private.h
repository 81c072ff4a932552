/* strata-layer-private.h: layer internals shared by layer classes, models, configs and formats
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-layer.h"
#include "strata-keras-tensor.h"
#include "strata-input-layer.h"
#include "strata-opaque-layer.h"
#include "strata-shape.h"
#include "strata-tensor.h"
#include "strata-error.h"

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

/* Deepest nesting of models inside models (and wrapper layers) accepted. */
#define STRATA_MODEL_MAX_NESTING 64
/* Largest single weight a config may make us allocate. */
#define STRATA_WEIGHT_MAX_BYTES (G_GUINT64_CONSTANT (4) << 30)

/* Keras tensors. A node's own outputs do not own their layer (the layer owns
 * the node), every other tensor does. */
StrataKerasTensor *strata_keras_tensor_new_unowned (StrataLayer *layer, guint node_index,
                                                    guint tensor_index, StrataShape *shape,
                                                    const char *dtype);
StrataKerasTensor *strata_keras_tensor_dup         (StrataKerasTensor *self);
/* The node that produced the tensor, or NULL when the index is stale. */
StrataNode        *strata_keras_tensor_get_node    (StrataKerasTensor *self);

/* Keyword tensors in a call's keyword arguments as @dialect writes them,
 * anywhere in lists and objects: Keras 3 {"class_name": "__keras_tensor__"}
 * objects; Keras 2 lists of 3 or 4 items that start with a string (what
 * tf-keras reads as [layer, node, tensor], see its convert_inner_node_data).
 * Keras 1 has none. They are visited in the order Keras flattens the call's
 * arguments, the order of the node's inputs (Keras 3 sorts dict keys,
 * tf-keras keeps the top-level keywords in call order).
 * @func gets each reference, the top-level key it sits under and, when
 * @path is not NULL, its JSON path below @path. Stops at the first FALSE
 * of @func. strata_kwargs_is_tensor() tells whether @node is one. */
gboolean strata_kwargs_is_tensor (JsonNode *node, StrataKerasDialect dialect);
typedef gboolean (*StrataKeywordTensorFunc) (JsonNode    *reference,
                                             const char  *keyword,
                                             const char  *path,
                                             gpointer     user_data,
                                             GError     **error);
gboolean strata_kwargs_foreach_tensor (JsonObject              *kwargs,
                                       StrataKerasDialect       dialect,
                                       const char              *path,
                                       StrataKeywordTensorFunc  func,
                                       gpointer                 user_data,
                                       GError                 **error);

/* Load context: what the config reader knows about the whole model when
 * it creates a layer. Wrappers (Bidirectional, TimeDistributed, RNN cells)
 * pass it on to the layers they create, so custom classes of a scoped
 * registry work inside them and Keras 1 defaults apply there too. */
typedef struct {
  StrataRegistry     *registry;      /* classes used for loading; NULL: the default registry */
  StrataKerasDialect  dialect;       /* the dialect the config was read in; AUTO when unknown */
  const char         *dim_ordering;  /* Keras 1: "th"/"tf", the ordering a config without
                                        "dim_ordering" means (see the config reader), or NULL */
  const char         *keras_version; /* the writer's version when the config says, or NULL */
} StrataLoadContext;

/* Copies @context (the registry is referenced, the strings interned). */
void                     strata_layer_set_load_context (StrataLayer *self,
                                                        const StrataLoadContext *context);
/* (transfer none) never NULL; all fields unset for a layer not loaded by the reader. */
const StrataLoadContext *strata_layer_get_load_context (StrataLayer *self);
/* The layers a layer is made of (a model's), whose weights are its
 * weights; NULL for a leaf layer. (transfer none) */
GPtrArray               *strata_layer_peek_sublayers (StrataLayer *self);
/* For a class whose GObject properties (its own and its subclasses') are
 * not config keys: models keep their config as a graph. */
void                     strata_layer_class_set_properties_not_config (StrataLayerClass *klass);
/* Keras 1: the image ordering the layers of a model declare ("th" or "tf"),
 * NULL when none does or they disagree. @layers are layer entries; nested
 * models and wrapped layers are searched too. */
const char              *strata_config_keras1_dim_ordering (JsonArray *layers);

/* Layers. */
void            strata_layer_set_stored_config (StrataLayer *self, JsonObject *config);
/* The layer's weights in get_weights order: indices into the slots. */
GArray         *strata_layer_weight_order      (StrataLayer *self);
/* Drops a node added last (Sequential.pop). */
void            strata_layer_remove_last_node  (StrataLayer *self);
/* Keras' default name for a new layer of this class: "dense", "dense_1"... */
char           *strata_layer_class_unique_name (StrataLayerClass *klass);

G_END_DECLS
