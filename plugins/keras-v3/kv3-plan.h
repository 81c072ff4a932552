/* kv3-plan.h: where each weight of a model lives in the Keras 3 layout
 *
 * Keras 3 recomputes every path from the rebuilt object graph (spec §7.2):
 * containers are named snake_case(class) with a per-container counter in
 * model.layers order, sub-objects by the attribute holding them (cell,
 * forward_layer, backward_layer, layer), variables numbered from 0.
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
} Kv3Plan;

Kv3Plan *kv3_plan_new  (StrataModel *model,
                        GError     **error);
void     kv3_plan_free (Kv3Plan     *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Kv3Plan, kv3_plan_free)

G_END_DECLS
