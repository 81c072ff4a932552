/* strata-json.h: JSON as Keras (Python's json module) reads and writes it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include "strata-version.h"

G_BEGIN_DECLS

STRATA_AVAILABLE_IN_ALL
JsonNode *strata_json_parse     (const char  *data,
                                 gssize       length,
                                 GError     **error);
STRATA_AVAILABLE_IN_ALL
char     *strata_json_to_string (JsonNode    *node,
                                 gboolean     pretty);

G_END_DECLS
