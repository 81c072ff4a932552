/* h5-json.c: JSON as Python's json module writes it, for training configs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-plugin.h"

#include <string.h>

#include "strata-i18n-private.h"

/* Python writes NaN / Infinity / -Infinity bare; json-glib refuses them.
 * They only occur in numeric hyper-parameters of training configs, which
 * Strata keeps but does not use, so they become null. */
static char *
replace_python_tokens (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));
  gboolean in_string = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (in_string)
        {
          g_string_append_c (out, *p);
          if (*p == '\\' && p[1] != '\0')
            g_string_append_c (out, *++p);
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        in_string = TRUE;
      else if (g_str_has_prefix (p, "NaN"))
        {
          g_string_append (out, "null");
          p += 2;
          continue;
        }
      else if (g_str_has_prefix (p, "-Infinity") || g_str_has_prefix (p, "Infinity"))
        {
          g_string_append (out, "null");
          p += *p == '-' ? 8 : 7;
          continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

JsonObject *
h5_parse_json_object (const char *text, const char *what, const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *clean = replace_python_tokens (text);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, clean, -1, &local_error))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   _("The %s of “%s” is not valid JSON: %s"), what, path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   _("The %s of “%s” is not a JSON object"), what, path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}
