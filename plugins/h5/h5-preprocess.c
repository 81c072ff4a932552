/* h5-preprocess.c: Keras's weight order and load-time conversions on models
 *
 * Walks wrappers (Bidirectional, TimeDistributed) and nested models as
 * Keras's preprocess_weights_for_loading does and hands each leaf layer's
 * weights to h5-keras1.c with what the conversions need to know.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-plugin.h"

#include <string.h>

#include "strata-i18n-private.h"

/* Keras's legacy order for a layer: trainable weights then non-trainable
 * ones (for a nested model, of all its layers). *@positions maps each to
 * its index in strata_layer_get_weights(). */
GPtrArray *
h5_legacy_weights (StrataLayer *layer, GArray **positions)
{
  g_autoptr(GPtrArray) all = strata_layer_get_weights (layer);
  g_autoptr(GPtrArray) trainable = strata_layer_get_trainable_weights (layer);
  g_autoptr(GPtrArray) frozen = strata_layer_get_non_trainable_weights (layer);
  GPtrArray *legacy = g_ptr_array_new_with_free_func (g_object_unref);
  GArray *pos = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *part = pass == 0 ? trainable : frozen;

      for (guint i = 0; i < part->len; i++)
        {
          guint index;

          if (!g_ptr_array_find (all, g_ptr_array_index (part, i), &index))
            goto fallback;
          g_ptr_array_add (legacy, g_object_ref (g_ptr_array_index (part, i)));
          g_array_append_val (pos, index);
        }
    }
  if (legacy->len == all->len)
    {
      *positions = pos;
      return legacy;
    }

fallback:
  /* Not a permutation (shared weights...): use the layer's own order. */
  g_ptr_array_set_size (legacy, 0);
  g_array_set_size (pos, 0);
  for (guint i = 0; i < all->len; i++)
    {
      g_ptr_array_add (legacy, g_object_ref (g_ptr_array_index (all, i)));
      g_array_append_val (pos, i);
    }
  *positions = pos;
  return legacy;
}

static const char *
config_string (JsonObject *config, const char *key)
{
  JsonNode *node = config != NULL ? json_object_get_member (config, key) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static gint64
config_first_int (JsonObject *config, const char *key, const char *alias)
{
  JsonNode *node = config != NULL ? json_object_get_member (config, key) : NULL;
  JsonArray *list;
  gint64 value;

  if (node == NULL && alias != NULL && config != NULL)
    node = json_object_get_member (config, alias);
  list = strata_json_node_get_list (node);
  if (list != NULL && json_array_get_length (list) > 0)
    node = json_array_get_element (list, 0);
  if (strata_json_node_get_int (node, &value))
    return value;
  return -1;
}

/* The class and config of a wrapped layer ({"class_name", "config"}). */
static gboolean
wrapped_layer (JsonObject *config, const char *key, const char **class_name, JsonObject **inner)
{
  JsonNode *node = config != NULL ? json_object_get_member (config, key) : NULL;
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  obj = json_node_get_object (node);
  *class_name = config_string (obj, "class_name");
  node = json_object_get_member (obj, "config");
  *inner = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  return *class_name != NULL;
}


static void
move_range (GPtrArray *dst, GPtrArray *src, guint start, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (dst, g_ptr_array_index (src, start + i));
      g_ptr_array_index (src, start + i) = NULL;
    }
}

static GPtrArray *
slice_tensors (GPtrArray *tensors, guint start, guint n)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = start; tensors != NULL && i < start + n && i < tensors->len; i++)
    g_ptr_array_add (out, g_object_ref (g_ptr_array_index (tensors, i)));
  return out;
}

/* Bidirectional: forward half then backward half, each converted against
 * its own layer. */
static gboolean
preprocess_bidirectional (H5Convert *cv, const char *layer_name, JsonObject *config,
                          GPtrArray *model_weights, GPtrArray *arrays, GError **error)
{
  const char *fwd_class, *bwd_class;
  JsonObject *fwd_config, *bwd_config;
  GPtrArray *halves[2] = { NULL, NULL };
  gboolean ok = TRUE;
  guint half = arrays->len / 2;

  if (arrays->len % 2 != 0 || !wrapped_layer (config, "layer", &fwd_class, &fwd_config))
    return TRUE;
  if (!wrapped_layer (config, "backward_layer", &bwd_class, &bwd_config))
    {
      bwd_class = fwd_class;
      bwd_config = fwd_config;
    }
  for (guint h = 0; h < 2; h++)
    {
      g_autoptr(GPtrArray) mw = slice_tensors (model_weights, h * (model_weights != NULL ? model_weights->len / 2 : 0),
                                               model_weights != NULL ? model_weights->len / 2 : 0);

      halves[h] = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);
      move_range (halves[h], arrays, h * half, half);
      if (ok && !h5_preprocess (cv, NULL, layer_name, h == 0 ? fwd_class : bwd_class,
                             h == 0 ? fwd_config : bwd_config, mw, halves[h], error))
        ok = FALSE;
    }
  g_ptr_array_set_size (arrays, 0);
  for (guint h = 0; h < 2; h++)
    {
      move_range (arrays, halves[h], 0, halves[h]->len);
      g_ptr_array_unref (halves[h]);
    }
  return ok;
}

/* A nested model: trainable weights of every sub-layer first, then the
 * non-trainable ones; each run is converted against its sub-layer. */
static gboolean
preprocess_nested (H5Convert *cv, StrataModel *model, GPtrArray *arrays, GError **error)
{
  guint n_layers = strata_model_get_n_layers (model);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);
  guint offset = 0;

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n_layers; i++)
      {
        StrataLayer *sub = strata_model_get_layer_at (model, i);
        g_autoptr(GPtrArray) part = pass == 0 ? strata_layer_get_trainable_weights (sub)
                                              : strata_layer_get_non_trainable_weights (sub);
        g_autoptr(GPtrArray) chunk = NULL;

        if (part->len == 0)
          continue;
        if (offset + part->len > arrays->len)
          return TRUE;  /* counts differ: the caller reports it */
        chunk = g_ptr_array_new_with_free_func ((GDestroyNotify) h5k_array_free);
        move_range (chunk, arrays, offset, part->len);
        offset += part->len;
        if (!h5_preprocess (cv, sub, strata_layer_get_name (sub), strata_layer_get_class_name (sub),
                            NULL, part, chunk, error))
          return FALSE;
        move_range (out, chunk, 0, chunk->len);
      }
  move_range (out, arrays, offset, arrays->len - offset);
  g_ptr_array_set_size (arrays, 0);
  move_range (arrays, out, 0, out->len);
  return TRUE;
}

/* Whether converting a @class_name layer's weights reads its config: Keras 1
 * layouts, wrappers and GRU variants do; building the config of every
 * other layer would only cost time. */
static gboolean
config_needed (H5Convert *cv, const char *class_name)
{
  const char *cls = class_name != NULL && strchr (class_name, '>') != NULL
                    ? strrchr (class_name, '>') + 1 : class_name;

  return g_strcmp0 (cv->version, "1") == 0 || cls == NULL || strstr (cls, "GRU") != NULL ||
         g_str_equal (cls, "Bidirectional") || g_str_equal (cls, "TimeDistributed");
}

gboolean
h5_preprocess (H5Convert *cv, StrataLayer *layer, const char *layer_name, const char *class_name,
               JsonObject *config, GPtrArray *model_weights, GPtrArray *arrays, GError **error)
{
  H5kLayerInfo info = { 0 };
  const char *data_format, *inner_class;
  JsonObject *inner_config;
  JsonNode *reset_after;
  g_autoptr(JsonObject) own_config = NULL;

  if (arrays->len == 0)
    return TRUE;
  if (layer != NULL && STRATA_IS_MODEL (layer))
    return preprocess_nested (cv, STRATA_MODEL (layer), arrays, error);
  if (config == NULL && layer != NULL && config_needed (cv, class_name))
    config = own_config = strata_layer_get_config (layer);
  if (g_strcmp0 (class_name, "Bidirectional") == 0)
    return preprocess_bidirectional (cv, layer_name, config, model_weights, arrays, error);
  if (g_strcmp0 (class_name, "TimeDistributed") == 0 &&
      wrapped_layer (config, "layer", &inner_class, &inner_config))
    return h5_preprocess (cv, NULL, layer_name, inner_class, inner_config, model_weights, arrays, error);

  info.name = layer_name;
  info.class_name = class_name;
  data_format = config_string (config, "data_format");
  info.channels_first = g_strcmp0 (data_format, "channels_first") == 0 ||
                        g_strcmp0 (config_string (config, "dim_ordering"), "th") == 0;
  reset_after = config != NULL ? json_object_get_member (config, "reset_after") : NULL;
  info.gru_reset_after = strata_json_node_is_truthy (reset_after);
  info.kernel_size = config_first_int (config, "kernel_size", "filter_length");
  info.filters = config_first_int (config, "filters", "nb_filter");
  if (model_weights != NULL && model_weights->len > 0)
    {
      guint rank;
      const gint64 *dims = strata_shape_get_dims (strata_tensor_get_shape (g_ptr_array_index (model_weights, 0)), &rank);

      if (rank <= H5K_MAX_RANK)
        {
          info.kernel_rank = rank;
          if (rank > 0)   /* a scalar weight (Attention's scale) has no dims */
            memcpy (info.kernel_dims, dims, rank * sizeof (gint64));
        }
    }
  return h5k_preprocess_weights (&info, arrays, cv->version, cv->backend, error);
}
