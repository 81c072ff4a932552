/* strata-json-write-private.h: the json.dumps writer's pieces shared with the JSON paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Appends @s as Python's json.dumps quotes it (ensure_ascii). */
void strata_json_write_string (GString *out, const char *s);

G_END_DECLS
