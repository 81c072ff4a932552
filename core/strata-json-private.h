/* strata-json-private.h: JSON helpers shared by the config reader, writer and plugins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "strata-json.h"
#include "strata-shape.h"
#include "strata-error.h"
/* Typed access with Python's coercions, and GValue <-> JSON, have their
 * own headers; most users want all of them. */
#include "strata-json-access-private.h"
#include "strata-json-value-private.h"

G_BEGIN_DECLS

/* Deepest nesting accepted from a file; deeper input fails with
 * STRATA_CONFIG_ERROR_LIMIT instead of exhausting the stack. */
#define STRATA_JSON_MAX_DEPTH 512

/* strata_json_parse() and strata_json_to_string() are public: strata-json.h. */

/* Deep copies (json_node_copy() shares containers). */
JsonObject *strata_json_object_copy (JsonObject *object);
JsonArray  *strata_json_array_copy  (JsonArray *array);
JsonNode   *strata_json_node_copy   (JsonNode *node);
gboolean    strata_json_equal       (JsonNode *a, JsonNode *b);

G_END_DECLS
