/* strata-registry-private.h: registry internals for layer classes and configs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "strata-registry.h"
#include "strata-layer-private.h"

G_BEGIN_DECLS

/* The registry of @self's load context, else the default one. (transfer none) */
StrataRegistry *strata_layer_get_load_registry (StrataLayer *self);

G_END_DECLS
