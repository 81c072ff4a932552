/* strata-clone.c: clone_model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-i18n-private.h"
#include "strata-model-private.h"

static StrataModel *clone_model (StrataModel *self, StrataCloneFunc clone_func,
                                 gpointer user_data, guint depth, GError **error);

static void
copy_extras (StrataLayer *to,
             StrataLayer *from)
{
  JsonObject *source = strata_layer_peek_extras (from);
  JsonObject *target = strata_layer_peek_extras (to);
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, source);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    json_object_set_member (target, key, strata_json_node_copy (member));
}

/* A new, unbuilt layer with @layer's config (Keras layer.from_config(layer.get_config())). */
static StrataLayer *
clone_layer (StrataLayer      *layer,
             StrataCloneFunc   clone_func,
             gpointer          user_data,
             guint             depth,
             GError          **error)
{
  g_autoptr(JsonObject) config = NULL;
  StrataLayer *copy;

  if (clone_func != NULL)
    {
      copy = clone_func (layer, user_data);
      if (copy != NULL)
        {
          if (!STRATA_IS_LAYER (copy))
            {
              g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                           /* Translators: %s is a layer name. */
                           _("The clone function returned something else than a layer for layer “%s”"),
                           strata_layer_get_name (layer));
              return NULL;
            }
          return copy;
        }
    }

  if (STRATA_IS_MODEL (layer))
    return STRATA_LAYER (clone_model (STRATA_MODEL (layer), clone_func, user_data, depth + 1, error));
  if (STRATA_IS_OPAQUE_LAYER (layer))
    copy = STRATA_LAYER (strata_opaque_layer_new (strata_opaque_layer_get_object (STRATA_OPAQUE_LAYER (layer))));
  else
    {
      /* Keras clone_model() creates fresh weights: a clone gets initialised
       * weights even when its source was loaded without data. */
      config = strata_layer_get_config (layer);
      copy = strata_layer_new_from_config (G_OBJECT_TYPE (layer), config,
                                           strata_layer_get_load_flags (layer) &
                                           ~(STRATA_LOAD_STRICT | STRATA_LOAD_METADATA_ONLY),
                                           error);
      if (copy == NULL)
        {
          /* Translators: %s is a layer name. */
          g_prefix_error (error, _("Cannot clone layer “%s”: "), strata_layer_get_name (layer));
          return NULL;
        }
      /* Wrappers create their inner layers later, from this context: a
       * custom class of a scoped registry must resolve as it did in the
       * source. The flags (never METADATA_ONLY) are the copy's own. */
      strata_layer_set_load_context (copy, strata_layer_get_load_context (layer));
    }
  strata_layer_set_class_name (copy, strata_layer_get_class_name (layer));
  copy_extras (copy, layer);
  return copy;
}

static void
copy_model_state (StrataModel *to,
                  StrataModel *from)
{
  strata_layer_set_name (STRATA_LAYER (to), strata_layer_get_name (STRATA_LAYER (from)));
  strata_layer_set_trainable (STRATA_LAYER (to), strata_layer_get_trainable (STRATA_LAYER (from)));
  /* One copy at most (none when the source shares a sealed config). */
  strata_layer_set_stored_config (STRATA_LAYER (to), strata_layer_peek_config_for_reading (STRATA_LAYER (from)));
  strata_layer_set_class_name (STRATA_LAYER (to), strata_layer_get_class_name (STRATA_LAYER (from)));
  copy_extras (STRATA_LAYER (to), STRATA_LAYER (from));
  strata_model_set_dialect (to, strata_model_get_dialect (from));
  strata_model_set_keras_version (to, strata_model_get_keras_version (from));
  strata_model_set_backend (to, strata_model_get_backend (from));
}

static StrataModel *
clone_sequential (StrataSequential  *self,
                  StrataCloneFunc    clone_func,
                  gpointer           user_data,
                  guint              depth,
                  GError           **error)
{
  g_autoptr(StrataSequential) copy = strata_sequential_new (NULL);
  GPtrArray *layers = strata_model_peek_layers (STRATA_MODEL (self));
  StrataLayer *input = strata_sequential_peek_input_layer (self);

  copy_model_state (STRATA_MODEL (copy), STRATA_MODEL (self));
  strata_sequential_set_list_form (copy, strata_sequential_get_list_form (self));

  if (input != NULL && strata_sequential_input_is_explicit (self))
    {
      g_autoptr(StrataLayer) input_copy = clone_layer (input, clone_func, user_data, depth, error);

      if (input_copy == NULL || !strata_sequential_add (copy, input_copy, error))
        return NULL;
    }
  for (guint i = 0; i < layers->len; i++)
    {
      g_autoptr(StrataLayer) layer = clone_layer (g_ptr_array_index (layers, i), clone_func,
                                                  user_data, depth, error);

      if (layer == NULL || !strata_sequential_add (copy, layer, error))
        return NULL;
    }
  if (input != NULL && strata_sequential_peek_input_layer (copy) == NULL &&
      !strata_sequential_build_for_shape (copy, strata_input_layer_get_batch_shape (STRATA_INPUT_LAYER (input)),
                                          error))
    return NULL;
  return STRATA_MODEL (g_steal_pointer (&copy));
}

static char *
tensor_key (StrataKerasTensor *tensor)
{
  return g_strdup_printf ("%p:%u:%u", (gpointer) strata_keras_tensor_get_layer (tensor),
                          strata_keras_tensor_get_node_index (tensor),
                          strata_keras_tensor_get_tensor_index (tensor));
}

static StrataModel *
clone_functional (StrataModel      *self,
                  StrataCloneFunc   clone_func,
                  gpointer          user_data,
                  guint             depth,
                  GError          **error)
{
  GPtrArray *layers = strata_model_peek_layers (self);
  GPtrArray *inputs = strata_model_peek_inputs (self);
  GPtrArray *outputs = strata_model_peek_outputs (self);
  g_autoptr(GHashTable) layer_map = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  g_autoptr(GHashTable) tensor_map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr(GPtrArray) todo = g_ptr_array_new ();
  g_autoptr(GPtrArray) new_inputs = g_ptr_array_new ();
  g_autoptr(GPtrArray) new_outputs = g_ptr_array_new ();
  g_autoptr(StrataModel) copy = NULL;

  for (guint i = 0; i < layers->len; i++)
    {
      StrataLayer *layer = g_ptr_array_index (layers, i);
      StrataLayer *layer_copy = clone_layer (layer, clone_func, user_data, depth, error);
      GPtrArray *nodes = strata_layer_peek_nodes (layer);

      if (layer_copy == NULL)
        return NULL;
      g_hash_table_insert (layer_map, layer, layer_copy);

      for (guint n = 0; n < nodes->len; n++)
        {
          StrataNode *node = g_ptr_array_index (nodes, n);

          if (!strata_model_has_node (self, node))
            continue;
          if (node->inputs->len == 0 && STRATA_IS_INPUT_LAYER (layer))
            {
              GPtrArray *copy_nodes = strata_layer_peek_nodes (layer_copy);
              StrataNode *copy_node;

              if (copy_nodes->len == 0)
                {
                  g_autoptr(GPtrArray) shapes = g_ptr_array_new ();

                  g_ptr_array_add (shapes, strata_input_layer_get_batch_shape (STRATA_INPUT_LAYER (layer_copy)));
                  strata_layer_add_node (layer_copy, NULL, shapes, NULL);
                }
              copy_node = g_ptr_array_index (copy_nodes, 0);
              for (guint k = 0; k < node->outputs->len && k < copy_node->outputs->len; k++)
                g_hash_table_insert (tensor_map, tensor_key (g_ptr_array_index (node->outputs, k)),
                                     strata_keras_tensor_dup (g_ptr_array_index (copy_node->outputs, k)));
              continue;
            }
          g_ptr_array_add (todo, node);
        }
    }

  /* Make the calls once their inputs exist (layers are in Keras order, but
   * a shared layer's calls may sit at several depths). */
  while (todo->len > 0)
    {
      gboolean progress = FALSE;

      for (guint i = 0; i < todo->len;)
        {
          StrataNode *node = g_ptr_array_index (todo, i);
          g_autoptr(GPtrArray) call_inputs = g_ptr_array_new ();
          g_autoptr(GPtrArray) call_outputs = NULL;
          StrataLayer *layer_copy = g_hash_table_lookup (layer_map, node->layer);
          gboolean ready = TRUE;
          StrataNode *copy_node;

          for (guint k = 0; k < node->inputs->len && ready; k++)
            {
              g_autofree char *key = tensor_key (g_ptr_array_index (node->inputs, k));
              StrataKerasTensor *mapped = g_hash_table_lookup (tensor_map, key);

              if (mapped == NULL)
                ready = FALSE;
              else
                g_ptr_array_add (call_inputs, mapped);
            }
          if (!ready)
            {
              i++;
              continue;
            }
          call_outputs = strata_layer_call_keywords (layer_copy, call_inputs,
                                                     (const char *const *) node->keywords,
                                                     node->kwargs, error);
          if (call_outputs == NULL)
            {
              /* Translators: %s is a layer name. */
              g_prefix_error (error, _("Cannot clone layer “%s”: "), strata_layer_get_name (node->layer));
              return NULL;
            }
          copy_node = g_ptr_array_index (strata_layer_peek_nodes (layer_copy),
                                         strata_layer_peek_nodes (layer_copy)->len - 1);
          if (node->raw != NULL)
            {
              copy_node->raw = strata_json_node_copy (node->raw);
              copy_node->raw_dialect = node->raw_dialect;
            }
          for (guint k = 0; k < node->outputs->len && k < call_outputs->len; k++)
            g_hash_table_insert (tensor_map, tensor_key (g_ptr_array_index (node->outputs, k)),
                                 g_object_ref (g_ptr_array_index (call_outputs, k)));
          g_ptr_array_remove_index (todo, i);
          progress = TRUE;
        }
      if (!progress)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                       /* Translators: the first %s is a model name, the second %s a layer name. */
                       _("Cannot clone model “%s”: the call of layer “%s” has inputs outside the model"),
                       strata_layer_get_name (STRATA_LAYER (self)),
                       strata_layer_get_name (((StrataNode *) g_ptr_array_index (todo, 0))->layer));
          return NULL;
        }
    }

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *from = pass == 0 ? inputs : outputs;
      GPtrArray *to = pass == 0 ? new_inputs : new_outputs;

      for (guint i = 0; i < from->len; i++)
        {
          g_autofree char *key = tensor_key (g_ptr_array_index (from, i));
          StrataKerasTensor *mapped = g_hash_table_lookup (tensor_map, key);

          if (mapped == NULL)
            {
              g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                           /* Translators: %s is a model name. */
                           _("Cannot clone model “%s”: a model input or output is not part of its graph"),
                           strata_layer_get_name (STRATA_LAYER (self)));
              return NULL;
            }
          g_ptr_array_add (to, mapped);
        }
    }

  copy = g_object_new (G_OBJECT_TYPE (self), NULL);
  copy_model_state (copy, self);
  if (!strata_model_init_graph (copy, new_inputs, new_outputs, error))
    return NULL;
  return g_steal_pointer (&copy);
}

static StrataModel *
clone_model (StrataModel      *self,
             StrataCloneFunc   clone_func,
             gpointer          user_data,
             guint             depth,
             GError          **error)
{
  if (depth > STRATA_MODEL_MAX_NESTING)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                   /* Translators: a model name, then the nesting limit */
                   _("Cannot clone model “%s”: models are nested more than %u levels deep"),
                   strata_layer_get_name (STRATA_LAYER (self)), STRATA_MODEL_MAX_NESTING);
      return NULL;
    }
  if (STRATA_IS_SEQUENTIAL (self))
    return clone_sequential (STRATA_SEQUENTIAL (self), clone_func, user_data, depth, error);
  return clone_functional (self, clone_func, user_data, depth, error);
}

/**
 * strata_model_clone:
 * @self: a model
 * @clone_func: (scope call) (nullable): called for each layer; returns the
 *   layer to use, or %NULL for a fresh copy
 * @user_data: data for @clone_func
 * @error: return location for a [struct@GLib.Error]
 *
 * Clones the model as Keras `clone_model()` does: every layer is re-created
 * from its config (unless @clone_func supplies one), connected into the same
 * graph, with freshly initialized weights.
 *
 * Returns: (transfer full): the clone, or %NULL with @error set
 */
StrataModel *
strata_model_clone (StrataModel      *self,
                    StrataCloneFunc   clone_func,
                    gpointer          user_data,
                    GError          **error)
{
  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return clone_model (self, clone_func, user_data, 0, error);
}
