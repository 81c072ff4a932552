/* inspector-json-rows.c: JSON values (configs, training configs) as list rows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "inspector-json-rows.h"

static char *
scalar_to_string (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("null");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return g_strdup_printf ("%g", json_node_get_double (node));
    }
}

/* An array of scalars reads best on one line, as Python prints it. */
static char *
flat_array_to_string (JsonArray *array)
{
  g_autoptr(GString) text = g_string_new ("[");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *value = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element) && !JSON_NODE_HOLDS_NULL (element))
        return NULL;
      value = scalar_to_string (element);
      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", value);
    }
  g_string_append_c (text, ']');
  return g_string_free (g_steal_pointer (&text), FALSE);
}


/* Keys sorted: json-glib iterates in hash order. */
static void
add_object_rows (AdwExpanderRow *expander,
                 JsonObject     *object,
                 guint          *n_rows)
{
  GList *keys = g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);

  for (GList *l = keys; l != NULL; l = l->next)
    adw_expander_row_add_row (expander,
                              inspector_json_row_new (l->data, json_object_get_member (object, l->data), n_rows));
  g_list_free (keys);
}

void
inspector_json_rows_add_to_group (AdwPreferencesGroup *group,
                                  JsonObject          *object,
                                  guint               *n_rows)
{
  GList *keys = g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);

  for (GList *l = keys; l != NULL; l = l->next)
    adw_preferences_group_add (group,
                               inspector_json_row_new (l->data, json_object_get_member (object, l->data), n_rows));
  g_list_free (keys);
}

/* A row for @key: scalars and flat arrays as a subtitle, objects and other
 * arrays as an expander with a row per member (an object's class_name as
 * the expander's subtitle, as Keras serialises initializers). */
GtkWidget *
inspector_json_row_new (const char *key,
                        JsonNode   *node,
                        guint      *n_rows)
{
  g_autofree char *value = NULL;
  GtkWidget *row;

  (*n_rows)++;
  if (JSON_NODE_HOLDS_ARRAY (node))
    value = flat_array_to_string (json_node_get_array (node));
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    value = scalar_to_string (node);
  if (value != NULL)
    {
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
      gtk_widget_add_css_class (row, "property");
      return row;
    }
  row = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const char *class_name = json_object_get_string_member_with_default (object, "class_name", NULL);

      if (class_name != NULL)
        adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), class_name);
      add_object_rows (ADW_EXPANDER_ROW (row), object, n_rows);
    }
  else
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *index = g_strdup_printf ("%u", i);

          adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                    inspector_json_row_new (index, json_array_get_element (array, i), n_rows));
        }
    }
  return row;
}

