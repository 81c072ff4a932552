/* strata-initializers-private.h: Keras weight initializers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "strata-shape.h"
#include "strata-tensor.h"

G_BEGIN_DECLS

/* Runs a Keras initializer (string, Keras 2 {class_name, config} or
 * Keras 3 {module, class_name, config, registered_name}) for @shape.
 * Unknown initializers fail with STRATA_CONFIG_ERROR_UNSUPPORTED. */
/* The name of a Keras initializer (a custom function's own name). */
char         *strata_initializer_get_name (JsonNode *initializer);
StrataTensor *strata_initializer_run (JsonNode     *initializer,
                                      StrataShape  *shape,
                                      StrataDType   dtype,
                                      GError      **error);

G_END_DECLS
