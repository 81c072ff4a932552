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

STRATA_AVAILABLE_IN_ALL
gboolean   strata_json_node_get_int    (JsonNode    *node,
                                        gint64      *out);
STRATA_AVAILABLE_IN_ALL
gboolean   strata_json_node_get_double (JsonNode    *node,
                                        double      *out);
STRATA_AVAILABLE_IN_ALL
gboolean   strata_json_node_is_truthy  (JsonNode    *node);
STRATA_AVAILABLE_IN_ALL
JsonArray *strata_json_node_get_list   (JsonNode    *node);

G_END_DECLS
