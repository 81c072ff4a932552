/* strata-optimizer.h: optimizer config and state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_OPTIMIZER (strata_optimizer_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataOptimizer, strata_optimizer, STRATA, OPTIMIZER, GObject)

STRATA_AVAILABLE_IN_ALL
StrataOptimizer *strata_optimizer_new            (const char      *class_name,
                                                  JsonObject      *config);
STRATA_AVAILABLE_IN_ALL
const char      *strata_optimizer_get_class_name (StrataOptimizer *self);
STRATA_AVAILABLE_IN_ALL
JsonObject      *strata_optimizer_get_config     (StrataOptimizer *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray       *strata_optimizer_get_weights    (StrataOptimizer *self);
STRATA_AVAILABLE_IN_ALL
void             strata_optimizer_add_weight     (StrataOptimizer *self,
                                                  StrataTensor    *weight);
STRATA_AVAILABLE_IN_ALL
void             strata_optimizer_clear_weights  (StrataOptimizer *self);
STRATA_AVAILABLE_IN_ALL
GPtrArray       *strata_optimizer_get_wrapper_weights (StrataOptimizer *self);
STRATA_AVAILABLE_IN_ALL
void             strata_optimizer_add_wrapper_weight  (StrataOptimizer *self,
                                                       StrataTensor    *weight);

G_END_DECLS
