/* strata-json.c: deep copies and comparison of JSON nodes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strata-json-private.h"
#include "strata-i18n-private.h"

/* ------------------------------------------------------------------ */
/* Copies and comparison                                               */
/* ------------------------------------------------------------------ */

static JsonNode *node_copy_deep (JsonNode *node);

JsonArray *
strata_json_array_copy (JsonArray *array)
{
  guint n = json_array_get_length (array);
  JsonArray *copy = json_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    json_array_add_element (copy, node_copy_deep (json_array_get_element (array, i)));
  return copy;
}

JsonObject *
strata_json_object_copy (JsonObject *object)
{
  JsonObject *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (object == NULL)
    return NULL;

  copy = json_object_new ();
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (copy, name, node_copy_deep (member));
  return copy;
}

/* json_node_copy() shares containers and values; this copies them. */
static JsonNode *
node_copy_deep (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      copy = json_node_alloc ();
      json_node_take_object (json_node_init (copy, JSON_NODE_OBJECT),
                             strata_json_object_copy (json_node_get_object (node)));
      return copy;
    case JSON_NODE_ARRAY:
      copy = json_node_alloc ();
      json_node_take_array (json_node_init (copy, JSON_NODE_ARRAY),
                            strata_json_array_copy (json_node_get_array (node)));
      return copy;
    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      /* Values are copied too, not shared as json_node_copy() shares
       * them: json-glib counts references without atomics, and several
       * threads copy one model's stored config at once (predict). The
       * copy is also mutable, where the node may be immutable; callers
       * edit copies. */
      copy = json_node_alloc ();
      if (JSON_NODE_HOLDS_NULL (node))
        json_node_init_null (copy);
      else
        {
          GValue value = G_VALUE_INIT;
          json_node_get_value (node, &value);
          json_node_init (copy, JSON_NODE_VALUE);
          json_node_set_value (copy, &value);
          g_value_unset (&value);
        }
      return copy;
    }
}

JsonNode *
strata_json_node_copy (JsonNode *node)
{
  return node != NULL ? node_copy_deep (node) : NULL;
}

gboolean
strata_json_equal (JsonNode *a,
                   JsonNode *b)
{
  GType type;

  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (json_object_get_size (oa) != json_object_get_size (ob))
          return FALSE;
        json_object_iter_init (&iter, oa);
        while (json_object_iter_next (&iter, &name, &member))
          if (!strata_json_equal (member, json_object_get_member (ob, name)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);
        guint n = json_array_get_length (aa);

        if (json_array_get_length (ab) != n)
          return FALSE;
        for (guint i = 0; i < n; i++)
          if (!strata_json_equal (json_array_get_element (aa, i), json_array_get_element (ab, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
    default:
      type = json_node_get_value_type (a);
      if (type != json_node_get_value_type (b))
        return FALSE;
      if (type == G_TYPE_INT64)
        return json_node_get_int (a) == json_node_get_int (b);
      if (type == G_TYPE_BOOLEAN)
        return !json_node_get_boolean (a) == !json_node_get_boolean (b);
      if (type == G_TYPE_STRING)
        return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
      if (type == G_TYPE_DOUBLE)
        {
          double da = json_node_get_double (a);
          double db = json_node_get_double (b);
          if (isnan (da) && isnan (db))
            return TRUE;
          return memcmp (&da, &db, sizeof (double)) == 0;
        }
      return FALSE;
    }
}
