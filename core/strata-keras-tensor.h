/* strata-keras-tensor.h: symbolic tensors used to build functional models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <glib-object.h>
#include "strata-types.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_KERAS_TENSOR (strata_keras_tensor_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StrataKerasTensor, strata_keras_tensor, STRATA, KERAS_TENSOR, GObject)

STRATA_AVAILABLE_IN_ALL
StrataKerasTensor *strata_input                        (StrataShape       *shape,
                                                        const char        *dtype,
                                                        const char        *name);
STRATA_AVAILABLE_IN_ALL
StrataLayer       *strata_keras_tensor_get_layer        (StrataKerasTensor *self);
STRATA_AVAILABLE_IN_ALL
guint              strata_keras_tensor_get_node_index   (StrataKerasTensor *self);
STRATA_AVAILABLE_IN_ALL
guint              strata_keras_tensor_get_tensor_index (StrataKerasTensor *self);
STRATA_AVAILABLE_IN_ALL
StrataShape       *strata_keras_tensor_get_shape        (StrataKerasTensor *self);
STRATA_AVAILABLE_IN_ALL
const char        *strata_keras_tensor_get_dtype        (StrataKerasTensor *self);

G_END_DECLS
