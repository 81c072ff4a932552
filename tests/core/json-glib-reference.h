/* json-glib-reference.h: json-glib's parser as the reference of strata_json_parse()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Strata's parser before it had its own: a pre-scan, then json-glib. */
JsonNode *json_glib_reference_parse (const char  *data,
                                     gssize       length,
                                     GError     **error);

/* TRUE when @a and @b are the same tree: node and value types, values
 * (doubles bit for bit, any NaN equal to any NaN), member names in order,
 * and parent pointers. Otherwise sets *@where to the JSON path where they
 * first differ. */
gboolean json_glib_reference_identical (JsonNode  *a,
                                        JsonNode  *b,
                                        char     **where);

/* Parses @data with strata_json_parse() and with the reference. FALSE,
 * with *@problem set, when one takes the text and the other does not, or
 * both take it and build different trees, other than in the deliberate
 * ways (see the function). *@parsed (may be NULL) gets Strata's tree. */
gboolean json_glib_reference_check (const char  *data,
                                    gssize       length,
                                    JsonNode   **parsed,
                                    char       **problem);

G_END_DECLS
