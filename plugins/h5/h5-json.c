/* h5-json.c: the JSON attributes of Keras HDF5 files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-plugin.h"

#include "strata-i18n-private.h"

JsonObject *
h5_parse_json_object (const char *text, const char *what, const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = strata_json_parse (text, -1, &local_error);

  if (root == NULL)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: what is parsed, such as training_config, a file name, then the
                    * parser's error message */
                   _("The %s of “%s” is not valid JSON: %s"), what, path, local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: what is parsed, such as training_config, then a file name */
                   _("The %s of “%s” is not a JSON object"), what, path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}
