/* kv3-plan.h: where each weight of a model lives in the Keras 3 layout
 *
 * Keras 3 recomputes every path from the rebuilt object graph (spec §7.2;
 * keras/src/saving/saving_lib.py _save_state/_walk_saveable): each object
 * writes <path>/vars (its variables numbered from 0, even when it has none),
 * then its tracked attributes in sorted order, public before "_private"
 * ones, each at <path>/<attribute>; lists of objects (model.layers, a
 * StackedRNNCells' cells) name each item snake_case(class) with a counter
 * per name in list order. An object already written is skipped, so
 * MultiHeadAttention's sub-layers are at its public properties key_dense,
 * output_dense, query_dense, value_dense (then _dropout_layer, _softmax);
 * RNNs at cell (cell/cells/<cell> when stacked); Bidirectional at
 * backward_layer and forward_layer; TimeDistributed at layer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata.h"

G_BEGIN_DECLS

typedef struct {
  StrataLayer *layer;        /* unowned (the model holds it) */
  char        *path;         /* "layers/lstm" */
  GPtrArray   *weights;      /* (element-type StrataTensor) the layer's, Keras order */
  GPtrArray   *groups;       /* (element-type utf8) per slot: "layers/lstm/cell/vars" */
  GArray      *indices;      /* (element-type guint) per slot: dataset name within its group */
} Kv3LayerPlan;

typedef struct {
  GPtrArray *layers;         /* (element-type Kv3LayerPlan) */
  GPtrArray *vars_paths;     /* (element-type utf8) every vars group, creation order */
  GPtrArray *vars_names;     /* (element-type utf8) their "name" attributes */
  gboolean   tf_keras;       /* tf-keras's layout (it names no vars groups) */
} Kv3Plan;

/* The layout Keras of @dialect (KERAS3, or KERAS2: tf-keras, whose
 * MultiHeadAttention keeps its projections in private attributes such as
 * "_query_dense") reads @model's weights from. */
Kv3Plan *kv3_plan_new  (StrataModel        *model,
                        StrataKerasDialect  dialect,
                        GError            **error);
void     kv3_plan_free (Kv3Plan     *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Kv3Plan, kv3_plan_free)

G_END_DECLS
