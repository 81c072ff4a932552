/* strata-json-value-private.h: GValue <-> JSON for layer properties
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "strata-json.h"

G_BEGIN_DECLS

/* GValue <-> JSON for layer properties (bool, ints, doubles, strings,
 * strv, enums by nick, boxed JsonNode/JsonObject/JsonArray/StrataShape). */
JsonNode *strata_json_from_value (const GValue *value);
gboolean  strata_json_to_value   (JsonNode *node, GValue *value, const char *path, GError **error);

/* "pool_size" <-> "pool-size". */
char *strata_json_key_to_property (const char *key);
char *strata_json_property_to_key (const char *property);

G_END_DECLS
