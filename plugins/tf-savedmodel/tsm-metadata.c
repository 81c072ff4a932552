/* tsm-metadata.c: reading the Keras metadata of a SavedModel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-metadata.h"

#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"
#include "tsm-proto.h"
#include "tsm_keras_metadata.pb-c.h"

void
tsm_keras_node_free (TsmKerasNode *node)
{
  if (node == NULL)
    return;
  g_free (node->node_path);
  g_free (node->identifier);
  g_clear_pointer (&node->metadata, json_object_unref);
  g_free (node);
}

gboolean
tsm_metadata_is_keras_identifier (const char *identifier)
{
  return identifier != NULL && g_str_has_prefix (identifier, "_tf_keras_");
}

static const char *
class_name_of (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "class_name");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_encoded_sequence (JsonObject *object, JsonNode **items)
{
  const char *class_name;

  if (json_object_get_size (object) != 2 || (class_name = class_name_of (object)) == NULL ||
      !(g_str_equal (class_name, "__tuple__") || g_str_equal (class_name, "TensorShape")))
    return FALSE;
  *items = json_object_get_member (object, "items");
  return *items != NULL && (JSON_NODE_HOLDS_ARRAY (*items) || JSON_NODE_HOLDS_NULL (*items));
}

/* Replaces the json_utils encodings in @node by plain values, in place
 * (a copy would double the cost of the largest document, the root's).
 * strata_json_parse() bounds the depth. */
static void
decode_node (JsonNode *node)
{
  JsonNode *items;

  while (JSON_NODE_HOLDS_OBJECT (node) && is_encoded_sequence (json_node_get_object (node), &items))
    {
      g_autoptr(JsonArray) array = JSON_NODE_HOLDS_ARRAY (items) ?
                                   json_array_ref (json_node_get_array (items)) : NULL;

      /* json_node_init() leaves the union pointing to the object it
       * released: clear it first. */
      json_node_set_object (node, NULL);
      if (array == NULL)
        json_node_init_null (node);
      else
        json_node_init_array (node, array);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        decode_node (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        decode_node (member);
    }
}

/* The parsed, not yet decoded metadata JSON: an object. */
static JsonNode *
parse_metadata (const char *text, gsize length, const char *what, const char *where,
                GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (text, (gssize) length, &local);

  if (node == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a Keras node path such as root.layer-0, a file, then the parser's
                    * error message */
                   _("The Keras metadata of “%s” in “%s” is not valid JSON: %s"), what, where,
                   local->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first placeholder is a node path, the second a file. */
                   _("The Keras metadata of “%s” in “%s” is not a JSON object"), what, where);
      return NULL;
    }
  return g_steal_pointer (&node);
}

JsonObject *
tsm_metadata_decode (const char *text, gsize length, const char *what, const char *where,
                     GError **error)
{
  g_autoptr(JsonNode) node = parse_metadata (text, length, what, where, error);

  JsonObjectIter iter;
  JsonNode *member;

  if (node == NULL)
    return NULL;
  /* The members: the document itself stays an object. */
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, NULL, &member))
    decode_node (member);
  return json_object_ref (json_node_get_object (node));
}

/* Fills @node->metadata as @mode asks; FALSE with an error when the JSON
 * had to be read and is not an object. */
static gboolean
read_node_metadata (TsmKerasNode *node, const char *text, TsmMetadataMode mode,
                    const char *where, GError **error)
{
  g_autoptr(JsonNode) parsed = NULL;

  if (mode == TSM_METADATA_DECODE_ALL || node->node_id == 0)
    {
      node->metadata = tsm_metadata_decode (text, strlen (text), node->node_path, where, error);
      return node->metadata != NULL;
    }
  if (mode == TSM_METADATA_ROOT_ONLY)
    return TRUE;
  parsed = parse_metadata (text, strlen (text), node->node_path, where, error);
  return parsed != NULL;
}

static gboolean
check_node_id (int node_id, gsize n_nodes, const char *node_path, const char *file, GError **error)
{
  if (node_id >= 0 && (gsize) node_id < n_nodes)
    return TRUE;
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the placeholders are: a node path, a file, a node number, the number
                * of nodes. */
               _("The Keras metadata of “%s” in “%s” names node %d, but the object graph has "
                 "%llu nodes"), node_path, file, node_id, (unsigned long long) n_nodes);
  return FALSE;
}

static GPtrArray *
read_file (const char *path, Tsm__SavedObjectGraph *sog, const TsmGraph *graph,
           TsmMetadataMode mode, GError **error)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) tsm_keras_node_free);
  Tsm__SavedMetadata *md;

  md = (Tsm__SavedMetadata *) tsm_proto_read_file (&tsm__saved_metadata__descriptor, path,
                                                   "keras_metadata.pb", error);
  if (md == NULL)
    return NULL;
  for (gsize i = 0; i < md->n_nodes; i++)
    {
      Tsm__KerasSavedObject *o = md->nodes[i];
      const char *node_path = o->node_path[0] != '\0' ? o->node_path : "root";
      TsmKerasNode *node;
      int resolved;

      if (!check_node_id (o->node_id, sog->n_nodes, node_path, path, error))
        break;
      /* tf-keras loads by node_id and hands node_path to TF's loader:
       * both must name the same object. */
      resolved = tsm_graph_resolve_path (graph, node_path, error);
      if (resolved < 0)
        {
          /* Translators: the placeholder is a file. */
          g_prefix_error (error, _("In “%s”: "), path);
          break;
        }
      if (resolved != o->node_id)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the placeholders are: a node path, a file, two node numbers.
                        * */
                       _("The Keras node path “%s” in “%s” leads to node %d, but its metadata "
                         "names node %d"), node_path, path, resolved, o->node_id);
          break;
        }
      node = g_new0 (TsmKerasNode, 1);
      g_ptr_array_add (nodes, node);
      node->node_id = o->node_id;
      node->node_path = g_strdup (node_path);
      node->identifier = g_strdup (o->identifier);
      if (!read_node_metadata (node, o->metadata, mode, path, error))
        break;
    }
  protobuf_c_message_free_unpacked (&md->base, NULL);
  if (error != NULL && *error != NULL)
    return NULL;
  return g_steal_pointer (&nodes);
}

/* Before TF 2.5: the metadata of every Keras object is in its
 * SavedUserObject; paths as tf-keras generates them. */
static GPtrArray *
read_legacy (Tsm__SavedObjectGraph *sog, const TsmGraph *graph, TsmMetadataMode mode,
             GError **error)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) tsm_keras_node_free);
  g_autoptr(GPtrArray) paths = tsm_graph_node_paths (graph);

  for (gsize i = 0; i < sog->n_nodes; i++)
    {
      Tsm__SavedObject *o = sog->nodes[i];
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *fallback = NULL;
      TsmKerasNode *node;

      if (o->kind_case != TSM__SAVED_OBJECT__KIND_USER_OBJECT ||
          !tsm_metadata_is_keras_identifier (o->user_object->identifier))
        continue;
      if (path == NULL)
        path = fallback = g_strdup_printf ("node %" G_GSIZE_FORMAT, i);
      if (o->user_object->metadata[0] == '\0')
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the placeholders are: a node path, a file, an identifier. */
                       _("The Keras object “%s” in “%s” (%s) has no metadata, and there is no "
                         "keras_metadata.pb"), path, graph->file, o->user_object->identifier);
          return NULL;
        }
      node = g_new0 (TsmKerasNode, 1);
      g_ptr_array_add (nodes, node);
      node->node_id = (int) i;
      node->node_path = g_strdup (path);
      node->identifier = g_strdup (o->user_object->identifier);
      if (!read_node_metadata (node, o->user_object->metadata, mode, graph->file, error))
        return NULL;
    }
  return g_steal_pointer (&nodes);
}

GPtrArray *
tsm_metadata_read (const char *keras_metadata_path, Tsm__SavedObjectGraph *sog,
                   const TsmGraph *graph, TsmMetadataMode mode, TsmMetadataSource *source,
                   GError **error)
{
  GPtrArray *nodes;

  if (keras_metadata_path != NULL && g_file_test (keras_metadata_path, G_FILE_TEST_EXISTS))
    {
      nodes = read_file (keras_metadata_path, sog, graph, mode, error);
      *source = TSM_METADATA_FILE;
    }
  else
    {
      nodes = read_legacy (sog, graph, mode, error);
      *source = TSM_METADATA_LEGACY;
    }
  if (nodes != NULL && nodes->len == 0)
    *source = TSM_METADATA_NONE;
  return nodes;
}
