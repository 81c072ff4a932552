/* strata-json-value.c: GValue <-> JSON for layer properties
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "strata-json-private.h"
#include "strata-i18n-private.h"

/* ------------------------------------------------------------------ */
/* GValue <-> JSON                                                     */
/* ------------------------------------------------------------------ */

static JsonNode *
node_take_array (JsonNode  *node,
                 JsonArray *array)
{
  json_node_init (node, JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
node_take_object (JsonNode   *node,
                  JsonObject *object)
{
  json_node_init (node, JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/* Returns NULL for a GValue type that has no JSON form. */
JsonNode *
strata_json_from_value (const GValue *value)
{
  GType type;
  JsonNode *node;

  g_return_val_if_fail (G_IS_VALUE (value), NULL);

  type = G_VALUE_TYPE (value);
  node = json_node_alloc ();

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      return json_node_init_boolean (node, g_value_get_boolean (value));
    case G_TYPE_CHAR:
      return json_node_init_int (node, g_value_get_schar (value));
    case G_TYPE_UCHAR:
      return json_node_init_int (node, g_value_get_uchar (value));
    case G_TYPE_INT:
      return json_node_init_int (node, g_value_get_int (value));
    case G_TYPE_UINT:
      return json_node_init_int (node, g_value_get_uint (value));
    case G_TYPE_LONG:
      return json_node_init_int (node, g_value_get_long (value));
    case G_TYPE_ULONG:
      if ((guint64) g_value_get_ulong (value) > G_MAXINT64)
        return json_node_init_double (node, (double) g_value_get_ulong (value));
      return json_node_init_int (node, (gint64) g_value_get_ulong (value));
    case G_TYPE_INT64:
      return json_node_init_int (node, g_value_get_int64 (value));
    case G_TYPE_UINT64:
      /* JSON integers here are 64-bit signed; larger ones become doubles. */
      if (g_value_get_uint64 (value) > G_MAXINT64)
        return json_node_init_double (node, (double) g_value_get_uint64 (value));
      return json_node_init_int (node, (gint64) g_value_get_uint64 (value));
    case G_TYPE_FLOAT:
      return json_node_init_double (node, g_value_get_float (value));
    case G_TYPE_DOUBLE:
      return json_node_init_double (node, g_value_get_double (value));
    case G_TYPE_STRING:
      if (g_value_get_string (value) == NULL)
        return json_node_init_null (node);
      return json_node_init_string (node, g_value_get_string (value));
    case G_TYPE_ENUM:
      {
        g_autoptr(GEnumClass) klass = g_type_class_ref (type);
        GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (value));
        if (ev == NULL)
          return json_node_init_int (node, g_value_get_enum (value));
        return json_node_init_string (node, ev->value_nick);
      }
    case G_TYPE_FLAGS:
      {
        g_autoptr(GFlagsClass) klass = g_type_class_ref (type);
        guint flags = g_value_get_flags (value);
        JsonArray *array = json_array_new ();

        for (guint i = 0; i < klass->n_values; i++)
          if (klass->values[i].value != 0 &&
              (flags & klass->values[i].value) == klass->values[i].value)
            {
              json_array_add_string_element (array, klass->values[i].value_nick);
              flags &= ~klass->values[i].value;
            }
        return node_take_array (node, array);
      }
    case G_TYPE_BOXED:
      {
        gpointer boxed = g_value_get_boxed (value);

        if (boxed == NULL)
          return json_node_init_null (node);
        if (type == G_TYPE_STRV)
          {
            JsonArray *array = json_array_new ();
            for (char **s = boxed; *s != NULL; s++)
              json_array_add_string_element (array, *s);
            return node_take_array (node, array);
          }
        if (type == JSON_TYPE_NODE)
          {
            json_node_unref (node);
            return strata_json_node_copy (boxed);
          }
        if (type == JSON_TYPE_OBJECT)
          return node_take_object (node, strata_json_object_copy (boxed));
        if (type == JSON_TYPE_ARRAY)
          return node_take_array (node, strata_json_array_copy (boxed));
        if (type == STRATA_TYPE_SHAPE)
          {
            json_node_unref (node);
            return strata_json_from_shape (boxed);
          }
      }
      break;
    default:
      break;
    }

  json_node_unref (node);
  return NULL;
}

static gboolean
check_int_range (JsonNode    *node,
                 const char  *path,
                 gint64       min,
                 gint64       max,
                 gint64      *out,
                 GError     **error)
{
  if (!strata_json_node_get_int (node, out))
    return strata_json_set_type_error (error, path, _("an integer"), node);
  if (*out < min || *out > max)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: a JSON path such as $.config.layers[0], the smallest and largest
                    * values allowed, then the value found */
                   _("%s: expected an integer from %" PRId64 " to %" PRId64
                     ", found %" PRId64),
                   path, min, max, *out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
enum_from_nick (GType        type,
                JsonNode    *node,
                const char  *path,
                int         *out,
                GError     **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  g_autoptr(GString) choices = NULL;
  const char *nick;
  GEnumValue *ev;

  if (!strata_json_node_holds (node, G_TYPE_STRING))
    return strata_json_set_type_error (error, path, _("a string"), node);

  nick = json_node_get_string (node);
  ev = g_enum_get_value_by_nick (klass, nick);
  if (ev != NULL)
    {
      *out = ev->value;
      return TRUE;
    }

  choices = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (choices, "%s“%s”", i > 0 ? ", " : "", klass->values[i].value_nick);
  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
               /* Translators: the first %s is a JSON path such as $.config.layers[0], the second %s
                * a list of the allowed values, the third %s the value found. */
               _("%s: expected one of %s, found “%s”"), path, choices->str, nick);
  return FALSE;
}

static gboolean
flags_from_nicks (GType        type,
                  JsonNode    *node,
                  const char  *path,
                  guint       *out,
                  GError     **error)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (type);
  JsonArray *array;
  guint n;

  *out = 0;
  if (strata_json_node_holds (node, G_TYPE_STRING))
    {
      GFlagsValue *fv = g_flags_get_value_by_nick (klass, json_node_get_string (node));
      if (fv == NULL)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       /* Translators: a JSON path such as $.config.layers[0], then the flag name
                        * found */
                       _("%s: unknown flag “%s”"), path, json_node_get_string (node));
          return FALSE;
        }
      *out = fv->value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return strata_json_set_type_error (error, path, _("a list of strings"), node);

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
      GFlagsValue *fv;

      if (!strata_json_node_holds (element, G_TYPE_STRING))
        return strata_json_set_type_error (error, element_path, _("a string"), element);
      fv = g_flags_get_value_by_nick (klass, json_node_get_string (element));
      if (fv == NULL)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                       /* Translators: a JSON path such as $.config.layers[0], then the flag name
                        * found */
                       _("%s: unknown flag “%s”"), element_path, json_node_get_string (element));
          return FALSE;
        }
      *out |= fv->value;
    }
  return TRUE;
}

/* @value must be initialised to the target type. */
gboolean
strata_json_to_value (JsonNode     *node,
                      GValue       *value,
                      const char   *path,
                      GError      **error)
{
  GType type;
  gint64 i;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    path = "$";
  type = G_VALUE_TYPE (value);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, strata_json_node_is_truthy (node));
      return TRUE;
    case G_TYPE_CHAR:
      if (!check_int_range (node, path, G_MININT8, G_MAXINT8, &i, error))
        return FALSE;
      g_value_set_schar (value, (gint8) i);
      return TRUE;
    case G_TYPE_UCHAR:
      if (!check_int_range (node, path, 0, G_MAXUINT8, &i, error))
        return FALSE;
      g_value_set_uchar (value, (guchar) i);
      return TRUE;
    case G_TYPE_INT:
      if (!check_int_range (node, path, G_MININT, G_MAXINT, &i, error))
        return FALSE;
      g_value_set_int (value, (int) i);
      return TRUE;
    case G_TYPE_UINT:
      if (!check_int_range (node, path, 0, G_MAXUINT, &i, error))
        return FALSE;
      g_value_set_uint (value, (guint) i);
      return TRUE;
    case G_TYPE_LONG:
      if (!check_int_range (node, path, G_MINLONG, G_MAXLONG, &i, error))
        return FALSE;
      g_value_set_long (value, (glong) i);
      return TRUE;
    case G_TYPE_ULONG:
      if (!check_int_range (node, path, 0, (gint64) MIN ((guint64) G_MAXULONG, (guint64) G_MAXINT64), &i, error))
        return FALSE;
      g_value_set_ulong (value, (gulong) i);
      return TRUE;
    case G_TYPE_INT64:
      if (!check_int_range (node, path, G_MININT64, G_MAXINT64, &i, error))
        return FALSE;
      g_value_set_int64 (value, i);
      return TRUE;
    case G_TYPE_UINT64:
      if (!check_int_range (node, path, 0, G_MAXINT64, &i, error))
        return FALSE;
      g_value_set_uint64 (value, (guint64) i);
      return TRUE;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      {
        double d;
        if (!strata_json_node_get_double (node, &d))
          return strata_json_set_type_error (error, path, _("a number"), node);
        if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_FLOAT)
          g_value_set_float (value, (float) d);
        else
          g_value_set_double (value, d);
        return TRUE;
      }
    case G_TYPE_STRING:
      if (JSON_NODE_HOLDS_NULL (node))
        g_value_set_string (value, NULL);
      else if (strata_json_node_holds (node, G_TYPE_STRING))
        g_value_set_string (value, json_node_get_string (node));
      else
        return strata_json_set_type_error (error, path, _("a string"), node);
      return TRUE;
    case G_TYPE_ENUM:
      {
        int v = 0;
        if (!enum_from_nick (type, node, path, &v, error))
          return FALSE;
        g_value_set_enum (value, v);
        return TRUE;
      }
    case G_TYPE_FLAGS:
      {
        guint v = 0;
        if (!flags_from_nicks (type, node, path, &v, error))
          return FALSE;
        g_value_set_flags (value, v);
        return TRUE;
      }
    case G_TYPE_BOXED:
      if (type == JSON_TYPE_NODE)
        {
          g_value_take_boxed (value, strata_json_node_copy (node));
          return TRUE;
        }
      if (JSON_NODE_HOLDS_NULL (node))
        {
          g_value_set_boxed (value, NULL);
          return TRUE;
        }
      if (type == G_TYPE_STRV)
        {
          JsonArray *array;
          g_autoptr(GStrvBuilder) builder = NULL;
          guint n;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return strata_json_set_type_error (error, path, _("a list of strings"), node);
          array = json_node_get_array (node);
          n = json_array_get_length (array);
          builder = g_strv_builder_new ();
          for (guint k = 0; k < n; k++)
            {
              JsonNode *element = json_array_get_element (array, k);
              if (!strata_json_node_holds (element, G_TYPE_STRING))
                {
                  g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, k);
                  return strata_json_set_type_error (error, element_path, _("a string"), element);
                }
              g_strv_builder_add (builder, json_node_get_string (element));
            }
          g_value_take_boxed (value, g_strv_builder_end (builder));
          return TRUE;
        }
      if (type == JSON_TYPE_OBJECT)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return strata_json_set_type_error (error, path, _("an object"), node);
          g_value_take_boxed (value, strata_json_object_copy (json_node_get_object (node)));
          return TRUE;
        }
      if (type == JSON_TYPE_ARRAY)
        {
          if (!JSON_NODE_HOLDS_ARRAY (node))
            return strata_json_set_type_error (error, path, _("an array"), node);
          g_value_take_boxed (value, strata_json_array_copy (json_node_get_array (node)));
          return TRUE;
        }
      if (type == STRATA_TYPE_SHAPE)
        {
          StrataShape *shape = strata_json_to_shape (node, path, error);
          if (shape == NULL)
            return FALSE;
          g_value_take_boxed (value, shape);
          return TRUE;
        }
      break;
    default:
      break;
    }

  g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED,
               /* Translators: the first %s is a JSON path such as $.config.layers[0], the second %s
                * a GType name. */
               _("%s: values of type %s cannot be read from JSON"), path, g_type_name (type));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

char *
strata_json_key_to_property (const char *key)
{
  char *property;

  g_return_val_if_fail (key != NULL, NULL);

  property = g_strdup (key);
  g_strdelimit (property, "_", '-');
  return property;
}

char *
strata_json_property_to_key (const char *property)
{
  char *key;

  g_return_val_if_fail (property != NULL, NULL);

  key = g_strdup (property);
  g_strdelimit (key, "-", '_');
  return key;
}
