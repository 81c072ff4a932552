/* strata-model-private.h: internals shared by models, Sequential and the config reader/writer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-model.h"
#include "strata-sequential.h"
#include "strata-optimizer.h"
#include "strata-registry.h"
#include "strata-layer-private.h"
#include "strata-registry-private.h"
#include "strata-json-private.h"

G_BEGIN_DECLS

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
/* The same for a model's input_layers/output_layers entries. */
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

/* The tf-keras form of @self's config that predict lowers, in which
 * activation names keep the meaning of the dialect the model was read in
 * (Keras 3's hard_sigmoid is not tf-keras's; Keras 3's own activations
 * stay), so no layer is refused for them. */
JsonObject *strata_model_to_predict_config (StrataModel *self, GError **error);

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
  gboolean            for_predict;   /* activations keep the names, and meaning, of @from */
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
