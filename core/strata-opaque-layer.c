/* strata-opaque-layer.c: layers of classes that are not registered
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-opaque-layer.h"
#include "strata-layer-private.h"
#include "strata-json-private.h"
#include "strata-shape-private.h"
#include "strata-i18n-private.h"

/**
 * StrataOpaqueLayer:
 *
 * A layer whose class Strata does not know (loaded with
 * %STRATA_LOAD_ALLOW_UNKNOWN) or that holds Python code (`Lambda`). It keeps
 * the whole layer entry and writes it back unchanged; its weights are
 * whatever the file held. Nothing in it is ever executed, and its output
 * shapes are unknown.
 */
struct _StrataOpaqueLayer
{
  StrataLayer parent_instance;

  JsonObject *object;
};

G_DEFINE_FINAL_TYPE (StrataOpaqueLayer, strata_opaque_layer, STRATA_TYPE_LAYER)

static void
strata_opaque_layer_finalize (GObject *object)
{
  StrataOpaqueLayer *self = STRATA_OPAQUE_LAYER (object);

  g_clear_pointer (&self->object, json_object_unref);
  G_OBJECT_CLASS (strata_opaque_layer_parent_class)->finalize (object);
}

static gboolean
strata_opaque_layer_build (StrataLayer *layer,
                           GPtrArray   *input_shapes,
                           GError     **error)
{
  /* Never creates weights: the format reader appends what the file holds. */
  return TRUE;
}

static GPtrArray *
strata_opaque_layer_compute_output_shapes (StrataLayer *layer,
                                           GPtrArray   *input_shapes,
                                           GError     **error)
{
  return strata_shapes_unknown ();
}

static void
strata_opaque_layer_get_config (StrataLayer *layer,
                                JsonObject  *config)
{
  /* The stored config is written back exactly as read. */
}

static gboolean
strata_opaque_layer_set_config (StrataLayer     *layer,
                                JsonObject      *config,
                                StrataLoadFlags  flags,
                                GError         **error)
{
  JsonNode *name = json_object_get_member (config, "name");

  /* Only the name is read: any other key, whatever its type, is kept. */
  if (name != NULL && json_node_get_value_type (name) == G_TYPE_STRING)
    strata_layer_set_name (layer, json_node_get_string (name));
  return TRUE;
}

static void
strata_opaque_layer_class_init (StrataOpaqueLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StrataLayerClass *layer_class = STRATA_LAYER_CLASS (klass);

  object_class->finalize = strata_opaque_layer_finalize;
  layer_class->build = strata_opaque_layer_build;
  layer_class->compute_output_shapes = strata_opaque_layer_compute_output_shapes;
  layer_class->get_config = strata_opaque_layer_get_config;
  layer_class->set_config = strata_opaque_layer_set_config;
}

static void
strata_opaque_layer_init (StrataOpaqueLayer *self)
{
}

/**
 * strata_opaque_layer_new:
 * @object: a layer entry: `class_name`, `config` and any other keys
 *   (Keras 3 `module`, `registered_name`, `build_config`...)
 *
 * Creates an opaque layer that keeps @object (a deep copy) so that saving
 * writes it back unchanged.
 *
 * Returns: (transfer full): the new layer
 */
StrataOpaqueLayer *
strata_opaque_layer_new (JsonObject *object)
{
  StrataOpaqueLayer *self;
  JsonNode *class_name, *config, *name;
  JsonObject *extras;
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (STRATA_TYPE_OPAQUE_LAYER, NULL);
  self->object = strata_json_object_copy (object);

  class_name = json_object_get_member (object, "class_name");
  if (class_name != NULL && json_node_get_value_type (class_name) == G_TYPE_STRING)
    strata_layer_set_class_name (STRATA_LAYER (self), json_node_get_string (class_name));

  config = json_object_get_member (object, "config");
  if (config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    {
      strata_layer_set_stored_config (STRATA_LAYER (self), json_node_get_object (config));
      strata_opaque_layer_set_config (STRATA_LAYER (self), json_node_get_object (config),
                                      STRATA_LOAD_NONE, NULL);
    }
  /* Keras 1/2 functional entries also carry the name beside the config. */
  name = json_object_get_member (object, "name");
  if (strata_layer_get_name (STRATA_LAYER (self)) == NULL &&
      name != NULL && json_node_get_value_type (name) == G_TYPE_STRING)
    strata_layer_set_name (STRATA_LAYER (self), json_node_get_string (name));

  /* Keys beside class_name/config, for a writer that re-emits the entry. */
  extras = strata_layer_peek_extras (STRATA_LAYER (self));
  json_object_iter_init (&iter, object);
  while (extras != NULL && json_object_iter_next (&iter, &key, &member))
    if (!g_str_equal (key, "class_name") && !g_str_equal (key, "config") &&
        !g_str_equal (key, "name") && !g_str_equal (key, "inbound_nodes"))
      json_object_set_member (extras, key, strata_json_node_copy (member));

  return self;
}

/**
 * strata_opaque_layer_get_object:
 * @self: an opaque layer
 *
 * Gets the whole layer entry (`class_name`, `config` and the keys beside
 * them) that the layer writes back unchanged when saved.
 *
 * Returns: (transfer none): the layer entry as it was read
 */
JsonObject *
strata_opaque_layer_get_object (StrataOpaqueLayer *self)
{
  g_return_val_if_fail (STRATA_IS_OPAQUE_LAYER (self), NULL);
  return self->object;
}

/**
 * strata_opaque_layer_holds_code:
 * @self: an opaque layer
 *
 * Whether the layer holds Python code (a `Lambda` layer, or a config with a
 * marshalled `function`). Such code is never run.
 *
 * Returns: %TRUE when the layer holds code
 */
gboolean
strata_opaque_layer_holds_code (StrataOpaqueLayer *self)
{
  JsonNode *class_name, *config;

  g_return_val_if_fail (STRATA_IS_OPAQUE_LAYER (self), FALSE);

  class_name = json_object_get_member (self->object, "class_name");
  if (class_name != NULL && json_node_get_value_type (class_name) == G_TYPE_STRING &&
      g_str_equal (json_node_get_string (class_name), "Lambda"))
    return TRUE;
  config = json_object_get_member (self->object, "config");
  if (config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    {
      JsonNode *function = json_object_get_member (json_node_get_object (config), "function");
      return function != NULL && !JSON_NODE_HOLDS_NULL (function);
    }
  return FALSE;
}
