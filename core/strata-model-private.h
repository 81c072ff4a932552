/* strata-model-private.h: internals shared by layers, models and the config reader/writer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"
#include "strata-layer-private.h"
#include "strata-json-private.h"

G_BEGIN_DECLS

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
/* The registry of the load context, else the default one. (transfer none) */
StrataRegistry          *strata_layer_get_load_registry (StrataLayer *self);
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

/* Models. */
gboolean   strata_model_init_graph   (StrataModel *self, GPtrArray *inputs,
                                      GPtrArray *outputs, GError **error);
/* Sequential.add: appends @node (one input: the current single output) to
 * the graph, with @output as the new output; the caller updates the layers. */
gboolean   strata_model_append_node  (StrataModel *self, StrataNode *node,
                                      StrataKerasTensor *output, GError **error);
GPtrArray *strata_model_peek_layers  (StrataModel *self);
GPtrArray *strata_model_peek_inputs  (StrataModel *self);
GPtrArray *strata_model_peek_outputs (StrataModel *self);
void       strata_model_set_dialect  (StrataModel *self, StrataKerasDialect dialect);
/* Whether @node is one of the calls that make up the model's graph. */
gboolean   strata_model_has_node     (StrataModel *self, StrataNode *node);
/* Replaces the layer list (Sequential keeps its own order). */
void       strata_model_set_layers   (StrataModel *self, GPtrArray *layers);
/* The node index Keras writes for the first call of @layer inside another
 * model: 1 for a nested model in Keras 1/2 (its construction node is 0);
 * else 0. */
guint      strata_layer_node_offset  (StrataLayer *layer, StrataKerasDialect dialect);
guint      strata_layer_endpoint_node_offset (StrataLayer *layer, StrataKerasDialect dialect);

/* Sequential. */
StrataLayer *strata_sequential_peek_input_layer  (StrataSequential *self);
gboolean     strata_sequential_input_is_explicit (StrataSequential *self);
void         strata_sequential_set_input_explicit (StrataSequential *self, gboolean is_explicit);
gboolean     strata_sequential_get_list_form     (StrataSequential *self);
void         strata_sequential_set_list_form     (StrataSequential *self, gboolean list_form);
/* Builds the stack for @batch_shape (Keras model.build(input_shape)). */
gboolean     strata_sequential_build_for_shape   (StrataSequential *self, StrataShape *batch_shape,
                                                  GError **error);

/* Config reader: a model of @type from its "config" object (what
 * strata_layer_new_from_config() does for model types). */
StrataModel *strata_config_read_model_config (GType type, JsonObject *config, StrataRegistry *registry,
                                              StrataLoadFlags flags, GError **error);

/* Config conversion between dialects (strata-config-convert.c). */
#define STRATA_RNN_CLASSES "SimpleRNN LSTM GRU RNN ConvLSTM1D ConvLSTM2D ConvLSTM3D"
/* Whether @class_name is one of the space-separated @classes. */
gboolean    strata_config_class_listed   (const char *classes,
                                          const char *class_name);

typedef struct {
  StrataKerasDialect  from;          /* the dialect the config was read in */
  StrataKerasDialect  to;            /* the dialect written */
  const char         *dim_ordering;  /* Keras 1: the model-wide image ordering, or NULL */
  GError            **refusal;       /* nullable: set (once) by the first layer the
                                        target cannot build to compute the same */
} StrataConversion;

/* Rewrites @config, a layer of @class_name read in conversion->from, so
 * that Keras of conversion->to builds the same layer (wrapped layers and
 * cells included). Returns the class name to write (Keras 1 classes have
 * Keras 2 names). */
const char *strata_config_convert_layer  (const StrataConversion *conversion,
                                          const char             *class_name,
                                          JsonObject             *config);
/* The Keras 3 module of a built-in layer class ("keras.layers", or
 * "keras._legacy.layers" for the tf-keras classes Keras 3 keeps there). */
const char *strata_config_keras3_module  (const char *class_name);

/* Rewrites @config, the "config" of an optimizer, for the Keras of @to:
 * arguments it refuses dropped, the learning rate under its name, and
 * tf-keras told when it is one of its new (2.11+) optimizers. */
void        strata_config_convert_optimizer (JsonObject         *config,
                                             StrataKerasDialect  to);

/* Config writer: the "config" member of a model in @dialect (never AUTO). */
JsonObject *strata_config_write_model_config (StrataModel *self, StrataKerasDialect dialect);
StrataKerasDialect strata_model_resolve_dialect (StrataModel *self, StrataKerasDialect dialect);

G_END_DECLS
