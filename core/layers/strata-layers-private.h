/* strata-layers-private.h: the built-in layer classes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-layer.h"
#include "strata-shape.h"
#include "strata-tensor.h"
#include "strata-registry.h"
#include "strata-initializers-private.h"

G_BEGIN_DECLS

/* Registers every built-in Keras layer class and its aliases (Keras 1
 * names, "keras.layers>Dense" style names) in @registry. */
void          strata_builtin_layers_register (StrataRegistry *registry);

G_END_DECLS
