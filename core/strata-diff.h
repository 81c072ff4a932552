/* strata-diff.h: what differs between two models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-enums.h"
#include "strata-model.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_WEIGHT_DIFF (strata_weight_diff_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataWeightDiff, strata_weight_diff, STRATA, WEIGHT_DIFF, GObject)

#define STRATA_TYPE_LAYER_DIFF (strata_layer_diff_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataLayerDiff, strata_layer_diff, STRATA, LAYER_DIFF, GObject)

#define STRATA_TYPE_MODEL_DIFF (strata_model_diff_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataModelDiff, strata_model_diff, STRATA, MODEL_DIFF, GObject)

STRATA_AVAILABLE_IN_ALL
const char         *strata_weight_diff_get_name          (StrataWeightDiff *self);
STRATA_AVAILABLE_IN_ALL
StrataDiffStatus    strata_weight_diff_get_status        (StrataWeightDiff *self);
STRATA_AVAILABLE_IN_ALL
gboolean            strata_weight_diff_get_same_shape    (StrataWeightDiff *self);
STRATA_AVAILABLE_IN_ALL
double              strata_weight_diff_get_max_abs_diff  (StrataWeightDiff *self);
STRATA_AVAILABLE_IN_ALL
char               *strata_weight_diff_describe_shapes   (StrataWeightDiff *self);

STRATA_AVAILABLE_IN_ALL
const char         *strata_layer_diff_get_name           (StrataLayerDiff  *self);
STRATA_AVAILABLE_IN_ALL
const char         *strata_layer_diff_get_class_name     (StrataLayerDiff  *self);
STRATA_AVAILABLE_IN_ALL
StrataDiffStatus    strata_layer_diff_get_status         (StrataLayerDiff  *self);
STRATA_AVAILABLE_IN_ALL
const char * const *strata_layer_diff_get_changed_keys   (StrataLayerDiff  *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray          *strata_layer_diff_get_weights        (StrataLayerDiff  *self);

STRATA_AVAILABLE_IN_ALL
StrataModelDiff    *strata_model_diff_new                (StrataModel      *a,
                                                          StrataModel      *b,
                                                          GCancellable     *cancellable,
                                                          GError          **error);
STRATA_AVAILABLE_IN_ALL
gboolean            strata_model_diff_is_identical       (StrataModelDiff  *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray          *strata_model_diff_get_layers         (StrataModelDiff  *self);

G_END_DECLS
