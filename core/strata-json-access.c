/* strata-json-access.c: JSON paths and typed access with Python's coercions and precise errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "strata-json-private.h"
#include "strata-json-write-private.h"
#include "strata-i18n-private.h"

/* ------------------------------------------------------------------ */
/* Paths                                                               */
/* ------------------------------------------------------------------ */

struct _StrataJsonPath
{
  GString *str;
  GArray  *lengths;   /* of gsize: the length before each push */
};

StrataJsonPath *
strata_json_path_new (void)
{
  StrataJsonPath *path = g_new0 (StrataJsonPath, 1);

  path->str = g_string_new ("$");
  path->lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
  return path;
}

void
strata_json_path_free (StrataJsonPath *path)
{
  if (path == NULL)
    return;
  g_string_free (path->str, TRUE);
  g_array_unref (path->lengths);
  g_free (path);
}

static gboolean
is_identifier (const char *s)
{
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

/* ".member" for identifiers, else ["member"] with JSON escapes. */
static void
append_member (GString    *str,
               const char *member)
{
  if (is_identifier (member))
    {
      g_string_append_c (str, '.');
      g_string_append (str, member);
    }
  else
    {
      g_string_append_c (str, '[');
      strata_json_write_string (str, member);
      g_string_append_c (str, ']');
    }
}

void
strata_json_path_push_member (StrataJsonPath *path,
                              const char     *member)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (member != NULL);

  g_array_append_val (path->lengths, path->str->len);
  append_member (path->str, member);
}

void
strata_json_path_push_index (StrataJsonPath *path,
                             guint           index)
{
  g_return_if_fail (path != NULL);

  g_array_append_val (path->lengths, path->str->len);
  g_string_append_printf (path->str, "[%u]", index);
}

void
strata_json_path_pop (StrataJsonPath *path)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (path->lengths->len > 0);

  g_string_truncate (path->str, g_array_index (path->lengths, gsize, path->lengths->len - 1));
  g_array_set_size (path->lengths, path->lengths->len - 1);
}

const char *
strata_json_path_get (StrataJsonPath *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return path->str->str;
}

/* "@path.@member", with "$" for a NULL @path. */
static char *
member_path (const char *path,
             const char *member)
{
  GString *str = g_string_new (path != NULL ? path : "$");

  append_member (str, member);
  return g_string_free (str, FALSE);
}

/* ------------------------------------------------------------------ */
/* Typed access                                                        */
/* ------------------------------------------------------------------ */

const char *
strata_json_describe_node (JsonNode *node)
{
  GType type;

  if (node == NULL)
    return _("nothing");

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("an array");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
    default:
      type = json_node_get_value_type (node);
      if (type == G_TYPE_INT64)
        return _("an integer");
      if (type == G_TYPE_DOUBLE)
        return _("a number");
      if (type == G_TYPE_BOOLEAN)
        return _("a boolean");
      if (type == G_TYPE_STRING)
        return _("a string");
      return _("a value");
    }
}

gboolean
strata_json_set_type_error (GError     **error,
                const char  *path,
                const char  *expected,
                JsonNode    *found)
{
  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
               /* Translators: the first %s is a JSON path such as $.config.layers[0], the second %s
                * what was expected, the third %s what was found instead, such as “a string” or
                * “null”. */
               _("%s: expected %s, found %s"), path, expected, strata_json_describe_node (found));
  return FALSE;
}

gboolean
strata_json_node_holds (JsonNode *node,
                  GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Python's coercions, as Keras applies them to config values. Keras
 * configs are Python values and Keras uses them as Python does: `if
 * self.scale:` takes any truthy value, normalize_tuple() takes an int or
 * any sequence of int()-able values, and a bool is an int (True == 1). */

/**
 * strata_json_node_get_int:
 * @node: (nullable): a JSON node of a Keras config
 * @out: (out): return location for the integer
 *
 * Reads an integer as Keras uses one: a JSON integer, a boolean (a Python
 * bool is an int: `true` is 1) or an integral number such as `3.0`. A
 * non-integral number, a string, a list, an object or null is not an
 * integer; @out is then left unchanged.
 *
 * Returns: %TRUE if @node holds an integer
 */
gboolean
strata_json_node_get_int (JsonNode *node,
                          gint64   *out)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (type == G_TYPE_BOOLEAN)
    *out = json_node_get_boolean (node) ? 1 : 0;
  else if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* An integral float only: Keras uses the value as a size or an axis,
       * where 2.5 fails later in Python. The range check comes first:
       * converting NaN or a double beyond int64 is undefined; 2^63 is exact. */
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != trunc (d))
        return FALSE;
      *out = (gint64) d;
    }
  else
    return FALSE;
  return TRUE;
}

/**
 * strata_json_node_get_double:
 * @node: (nullable): a JSON node of a Keras config
 * @out: (out): return location for the number
 *
 * Reads a number as Keras uses one: a JSON number (including `NaN` and
 * `Infinity`), an integer or a boolean. @out is left unchanged otherwise.
 *
 * Returns: %TRUE if @node holds a number
 */
gboolean
strata_json_node_get_double (JsonNode *node,
                             double   *out)
{
  gint64 i;

  if (strata_json_node_holds (node, G_TYPE_DOUBLE))
    {
      *out = json_node_get_double (node);
      return TRUE;
    }
  if (!strata_json_node_get_int (node, &i))
    return FALSE;
  *out = (double) i;
  return TRUE;
}

/**
 * strata_json_node_is_truthy:
 * @node: (nullable): a JSON node of a Keras config
 *
 * Python's truth value of @node, which is what Keras layers use for their
 * boolean options (`if self.scale:`): `false`, `0`, `0.0`, `""`, `[]`,
 * `{}`, an empty tf-keras tuple and `null` are false, every other value is
 * true (a string too, whatever it says, as `bool("false")` is true in
 * Python). A missing member (%NULL) is false as well; apply the option's
 * default before calling this.
 *
 * Returns: whether Python takes @node as true
 */
gboolean
strata_json_node_is_truthy (JsonNode *node)
{
  JsonArray *list;
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if ((list = strata_json_node_get_list (node)) != NULL)
    return json_array_get_length (list) > 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) > 0;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node) != 0.0;   /* NaN is true, as in Python */
  if (type == G_TYPE_STRING)
    return json_node_get_string (node)[0] != '\0';
  return TRUE;
}

/**
 * strata_json_node_get_list:
 * @node: (nullable): a JSON node of a Keras config
 *
 * Reads a Python list or tuple: a JSON array, or the encoding tf-keras
 * uses for tuples in its `.keras` configs and SavedModel metadata,
 * `{"class_name": "__tuple__", "items": [...]}`.
 *
 * Returns: (transfer none) (nullable): the items, owned by @node, or %NULL
 *   if @node is not a list
 */
JsonArray *
strata_json_node_get_list (JsonNode *node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *class_name = json_object_get_member (object, "class_name");
      JsonNode *items = json_object_get_member (object, "items");

      if (class_name != NULL && strata_json_node_holds (class_name, G_TYPE_STRING) &&
          g_strcmp0 (json_node_get_string (class_name), "__tuple__") == 0 &&
          items != NULL && JSON_NODE_HOLDS_ARRAY (items))
        return json_node_get_array (items);
    }
  return NULL;
}

/* JSON null, like a missing member, gives the default of the int,
 * double and boolean getters: Keras writes null for unset options. */
gboolean
strata_json_get_int (JsonObject  *object,
                     const char  *member,
                     const char  *path,
                     gint64       default_value,
                     gint64      *out,
                     GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = default_value;
      return TRUE;
    }
  if (!strata_json_node_get_int (node, out))
    {
      g_autofree char *full = member_path (path, member);
      return strata_json_set_type_error (error, full, _("an integer"), node);
    }
  return TRUE;
}

gboolean
strata_json_get_double (JsonObject  *object,
                        const char  *member,
                        const char  *path,
                        double       default_value,
                        double      *out,
                        GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = default_value;
      return TRUE;
    }
  if (!strata_json_node_get_double (node, out))
    {
      g_autofree char *full = member_path (path, member);
      return strata_json_set_type_error (error, full, _("a number"), node);
    }
  return TRUE;
}

gboolean
strata_json_get_boolean (JsonObject  *object,
                         const char  *member,
                         const char  *path,
                         gboolean     default_value,
                         gboolean    *out,
                         GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  /* Python's truth value: an explicit null is false (`if None:`), only a
   * missing member takes the default. */
  node = json_object_get_member (object, member);
  *out = node == NULL ? default_value : strata_json_node_is_truthy (node);
  return TRUE;
}

gboolean
strata_json_get_string (JsonObject  *object,
                        const char  *member,
                        const char  *path,
                        const char  *default_value,
                        const char **out,
                        GError     **error)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL && member != NULL && out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL)
    {
      *out = default_value;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!strata_json_node_holds (node, G_TYPE_STRING))
    {
      g_autofree char *full = member_path (path, member);
      return strata_json_set_type_error (error, full, _("a string"), node);
    }
  *out = json_node_get_string (node);
  return TRUE;
}

/* A missing member (or null without @allow_null) leaves @out untouched,
 * so callers fill it with their defaults first. */
gboolean
strata_json_get_int_tuple (JsonObject  *object,
                           const char  *member,
                           const char  *path,
                           guint        n_out,
                           gboolean     allow_null,
                           gint64      *out,
                           GError     **error)
{
  g_autofree char *full = NULL;
  JsonNode *node;
  JsonArray *array;
  gint64 value;

  g_return_val_if_fail (object != NULL && member != NULL, FALSE);
  g_return_val_if_fail (n_out == 0 || out != NULL, FALSE);

  node = json_object_get_member (object, member);
  if (node == NULL)
    return TRUE;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (allow_null)
        for (guint i = 0; i < n_out; i++)
          out[i] = STRATA_DIM_UNKNOWN;
      return TRUE;
    }

  full = member_path (path, member);

  if (strata_json_node_get_int (node, &value))
    {
      for (guint i = 0; i < n_out; i++)
        out[i] = value;
      return TRUE;
    }

  array = strata_json_node_get_list (node);
  if (array == NULL)
    {
      /* Translators: a number of integers */
      g_autofree char *expected = g_strdup_printf (_("an integer or a list of %u integers"), n_out);
      return strata_json_set_type_error (error, full, expected, node);
    }

  if (json_array_get_length (array) != n_out)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: a JSON path such as $.config.layers[0], the number of integers
                    * expected, then the number found */
                   _("%s: expected a list of %u integers, found %u elements"),
                   full, n_out, json_array_get_length (array));
      return FALSE;
    }

  for (guint i = 0; i < n_out; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (allow_null && JSON_NODE_HOLDS_NULL (element))
        out[i] = STRATA_DIM_UNKNOWN;
      else if (!strata_json_node_get_int (element, &out[i]))
        {
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", full, i);
          return strata_json_set_type_error (error, element_path,
                                 allow_null ? _("an integer or null") : _("an integer"),
                                 element);
        }
    }

  return TRUE;
}

StrataShape *
strata_json_to_shape (JsonNode    *node,
                      const char  *path,
                      GError     **error)
{
  gint64 dims[STRATA_MAX_RANK];
  JsonArray *array;
  guint rank;
  guint64 product = 1;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = "$";

  array = node != NULL ? strata_json_node_get_list (node) : NULL;
  if (array == NULL)
    {
      strata_json_set_type_error (error, path, _("a shape (a list of integers and nulls)"), node);
      return NULL;
    }

  rank = json_array_get_length (array);
  if (rank > STRATA_MAX_RANK)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: a JSON path such as $.config.layers[0], a rank, then the rank
                    * limit */
                   _("%s: a shape of rank %u is above the limit of %d"),
                   path, rank, STRATA_MAX_RANK);
      return NULL;
    }

  for (guint i = 0; i < rank; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_NULL (element))
        {
          dims[i] = STRATA_DIM_UNKNOWN;
          continue;
        }
      if (!strata_json_node_get_int (element, &dims[i]))
        {
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
          strata_json_set_type_error (error, element_path, _("an integer or null"), element);
          return NULL;
        }
      if (dims[i] < 0)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       /* Translators: a JSON path such as $.config.layers[0], an index in the
                        * shape, then the dimension found */
                       _("%s[%u]: a dimension cannot be negative (%" PRId64 ")"),
                       path, i, dims[i]);
          return NULL;
        }
    }

  /* Known dimensions must multiply to something a tensor could hold, so
   * that no later size computation overflows. */
  for (guint i = 0; i < rank; i++)
    if (dims[i] > 0 &&
        (!g_uint64_checked_mul (&product, product, (guint64) dims[i]) || product > G_MAXINT64))
      {
        g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                     /* Translators: %s is a JSON path such as $.config.layers[0]. */
                     _("%s: the dimensions of the shape multiply to more than 2^63"), path);
        return NULL;
      }

  return strata_shape_new (rank, dims);
}

JsonNode *
strata_json_from_shape (StrataShape *shape)
{
  JsonNode *node;
  JsonArray *array;
  guint rank;
  const gint64 *dims;

  g_return_val_if_fail (shape != NULL, NULL);

  node = json_node_alloc ();
  dims = strata_shape_get_dims (shape, &rank);
  array = json_array_sized_new (rank);
  for (guint i = 0; i < rank; i++)
    {
      if (dims[i] == STRATA_DIM_UNKNOWN)
        json_array_add_null_element (array);
      else
        json_array_add_int_element (array, dims[i]);
    }
  json_node_init (node, JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}
