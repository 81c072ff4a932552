/* strata-json-access-private.h: JSON paths and typed access with precise errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "strata-json.h"
#include "strata-shape.h"
#include "strata-error.h"

G_BEGIN_DECLS

/* A JSON path such as "$.config.layers[3].config" built while walking. */
typedef struct _StrataJsonPath StrataJsonPath;
StrataJsonPath *strata_json_path_new   (void);
void            strata_json_path_free  (StrataJsonPath *path);
void            strata_json_path_push_member (StrataJsonPath *path, const char *member);
void            strata_json_path_push_index  (StrataJsonPath *path, guint index);
void            strata_json_path_pop   (StrataJsonPath *path);
const char     *strata_json_path_get   (StrataJsonPath *path);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataJsonPath, strata_json_path_free)

/* "a string", "an integer", "null"... for "expected X, found Y" messages. */
const char *strata_json_describe_node (JsonNode *node);
/* Sets STRATA_CONFIG_ERROR_INVALID "expected @expected, found ..." at
 * @path and returns FALSE. */
gboolean    strata_json_set_type_error (GError **error, const char *path, const char *expected,
                                        JsonNode *found);
/* Whether @node is a value of @type (G_TYPE_INT64, G_TYPE_DOUBLE...). */
gboolean    strata_json_node_holds     (JsonNode *node, GType type);

/* Every typed read of a config goes through Python's coercions
 * (strata_json_node_get_int() and its siblings, public in strata-json.h),
 * so that Strata accepts what Keras accepts. The config itself is never
 * rewritten: a value is coerced when read and written back as the file
 * had it. */

/* Typed member access with these coercions; a missing member gives the
 * default, and so does a JSON null (which Keras writes for unset options)
 * except for a boolean, where null is false as in Python. A member of the
 * wrong type fails with STRATA_CONFIG_ERROR_INVALID naming @path.@member.
 * @path NULL is "$". */
gboolean strata_json_get_int     (JsonObject *object, const char *member, const char *path,
                                  gint64 default_value, gint64 *out, GError **error);
gboolean strata_json_get_double  (JsonObject *object, const char *member, const char *path,
                                  double default_value, double *out, GError **error);
gboolean strata_json_get_boolean (JsonObject *object, const char *member, const char *path,
                                  gboolean default_value, gboolean *out, GError **error);
/* Returns a pointer into @object (or @default_value); NULL for a JSON null. */
gboolean strata_json_get_string  (JsonObject *object, const char *member, const char *path,
                                  const char *default_value, const char **out, GError **error);
/* Reads an int or a list of ints (Keras tuples, also tf-keras
 * {"class_name": "__tuple__", "items": [...]}) into @out (@n_out entries);
 * a single int is repeated @n_out times. JSON null gives STRATA_DIM_UNKNOWN
 * when @allow_null. A missing member (or null without @allow_null) leaves
 * @out untouched, so fill it with the defaults first. */
gboolean strata_json_get_int_tuple (JsonObject *object, const char *member, const char *path,
                                    guint n_out, gboolean allow_null, gint64 *out, GError **error);
/* A shape list such as [null, 28, 28, 1]; fails on non-integers, negative
 * sizes and ranks above STRATA_MAX_RANK. */
StrataShape *strata_json_to_shape (JsonNode *node, const char *path, GError **error);
JsonNode    *strata_json_from_shape (StrataShape *shape);

G_END_DECLS
