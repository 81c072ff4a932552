/* strata-input-layer.h: the Keras InputLayer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include "strata-layer.h"

G_BEGIN_DECLS

#define STRATA_TYPE_INPUT_LAYER (strata_input_layer_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataInputLayer, strata_input_layer, STRATA, INPUT_LAYER, StrataLayer)

STRATA_AVAILABLE_IN_ALL
StrataInputLayer *strata_input_layer_new             (StrataShape      *batch_shape,
                                                      const char       *dtype,
                                                      const char       *name);
STRATA_AVAILABLE_IN_ALL
StrataShape      *strata_input_layer_get_batch_shape (StrataInputLayer *self);

G_END_DECLS
