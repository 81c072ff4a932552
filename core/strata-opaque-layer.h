/* strata-opaque-layer.h: layers of classes that are not registered
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include "strata-layer.h"

G_BEGIN_DECLS

#define STRATA_TYPE_OPAQUE_LAYER (strata_opaque_layer_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataOpaqueLayer, strata_opaque_layer, STRATA, OPAQUE_LAYER, StrataLayer)

STRATA_AVAILABLE_IN_ALL
StrataOpaqueLayer *strata_opaque_layer_new            (JsonObject        *object);
STRATA_AVAILABLE_IN_ALL
JsonObject        *strata_opaque_layer_get_object     (StrataOpaqueLayer *self);
STRATA_AVAILABLE_IN_ALL
gboolean           strata_opaque_layer_holds_code     (StrataOpaqueLayer *self);

G_END_DECLS
