/* strata-keras-tensor.c: symbolic tensors used to build functional models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-i18n-private.h"
#include "strata-layer-private.h"
#include "strata-json-private.h"

/**
 * StrataKerasTensor:
 *
 * A symbolic tensor: the output @tensor_index of call @node_index of a
 * layer. Calling layers on Keras tensors ([method@Strata.Layer.call]) records the
 * graph that [ctor@Strata.Model.new] turns into a functional model, as
 * `keras.Input` and layer calls do in Python.
 */
struct _StrataKerasTensor
{
  GObject      parent_instance;

  StrataLayer *layer;        /* owned unless @owns_layer is FALSE */
  gboolean     owns_layer;
  guint        node_index;
  guint        tensor_index;
  StrataShape *shape;        /* nullable: unknown */
  char        *dtype;
};

G_DEFINE_FINAL_TYPE (StrataKerasTensor, strata_keras_tensor, G_TYPE_OBJECT)

static void
strata_keras_tensor_finalize (GObject *object)
{
  StrataKerasTensor *self = STRATA_KERAS_TENSOR (object);

  if (self->owns_layer)
    g_clear_object (&self->layer);
  g_clear_pointer (&self->shape, strata_shape_unref);
  g_free (self->dtype);

  G_OBJECT_CLASS (strata_keras_tensor_parent_class)->finalize (object);
}

static void
strata_keras_tensor_class_init (StrataKerasTensorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_keras_tensor_finalize;
}

static void
strata_keras_tensor_init (StrataKerasTensor *self)
{
}

static StrataKerasTensor *
keras_tensor_new (StrataLayer *layer,
                  gboolean     owns_layer,
                  guint        node_index,
                  guint        tensor_index,
                  StrataShape *shape,
                  const char  *dtype)
{
  StrataKerasTensor *self = g_object_new (STRATA_TYPE_KERAS_TENSOR, NULL);

  self->layer = owns_layer ? g_object_ref (layer) : layer;
  self->owns_layer = owns_layer;
  self->node_index = node_index;
  self->tensor_index = tensor_index;
  self->shape = shape != NULL ? strata_shape_ref (shape) : NULL;
  self->dtype = g_strdup (dtype != NULL ? dtype : "float32");
  return self;
}

/* strata_keras_tensor_new: (skip) internal, see strata-layer-private.h */
StrataKerasTensor *
strata_keras_tensor_new (StrataLayer *layer,
                         guint        node_index,
                         guint        tensor_index,
                         StrataShape *shape,
                         const char  *dtype)
{
  g_return_val_if_fail (STRATA_IS_LAYER (layer), NULL);
  return keras_tensor_new (layer, TRUE, node_index, tensor_index, shape, dtype);
}

StrataKerasTensor *
strata_keras_tensor_new_unowned (StrataLayer *layer,
                                 guint        node_index,
                                 guint        tensor_index,
                                 StrataShape *shape,
                                 const char  *dtype)
{
  return keras_tensor_new (layer, FALSE, node_index, tensor_index, shape, dtype);
}

StrataKerasTensor *
strata_keras_tensor_dup (StrataKerasTensor *self)
{
  if (self->owns_layer)
    return g_object_ref (self);
  return keras_tensor_new (self->layer, TRUE, self->node_index, self->tensor_index,
                           self->shape, self->dtype);
}

StrataNode *
strata_keras_tensor_get_node (StrataKerasTensor *self)
{
  GPtrArray *nodes = strata_layer_peek_nodes (self->layer);

  if (self->node_index >= nodes->len)
    return NULL;
  return g_ptr_array_index (nodes, self->node_index);
}

/**
 * strata_input:
 * @shape: the shape of one sample, without the batch dimension (Keras
 *   `Input(shape=...)`)
 * @dtype: (nullable): the dtype, "float32" when %NULL
 * @name: (nullable): the name of the input layer, or %NULL for a default name
 *
 * Creates an input layer and returns its output, like `keras.Input()`.
 *
 * Returns: (transfer full): the symbolic input tensor
 */
StrataKerasTensor *
strata_input (StrataShape *shape,
              const char  *dtype,
              const char  *name)
{
  g_autoptr(StrataShape) batch_shape = NULL;
  g_autoptr(StrataInputLayer) layer = NULL;
  g_autoptr(GPtrArray) shapes = NULL;
  gint64 dims[STRATA_MAX_RANK + 1];
  const gint64 *sample_dims;
  guint rank;
  StrataNode *node;

  g_return_val_if_fail (shape != NULL, NULL);

  sample_dims = strata_shape_get_dims (shape, &rank);
  g_return_val_if_fail (rank < STRATA_MAX_RANK, NULL);
  dims[0] = STRATA_DIM_UNKNOWN;
  for (guint i = 0; i < rank; i++)
    dims[i + 1] = sample_dims[i];
  batch_shape = strata_shape_new (rank + 1, dims);

  layer = strata_input_layer_new (batch_shape, dtype, name);
  g_return_val_if_fail (layer != NULL, NULL);

  if (strata_layer_peek_nodes (STRATA_LAYER (layer))->len == 0)
    {
      shapes = g_ptr_array_new ();
      g_ptr_array_add (shapes, batch_shape);
      strata_layer_add_node (STRATA_LAYER (layer), NULL, shapes, NULL);
    }
  node = g_ptr_array_index (strata_layer_peek_nodes (STRATA_LAYER (layer)), 0);
  return strata_keras_tensor_dup (g_ptr_array_index (node->outputs, 0));
}

/**
 * strata_keras_tensor_get_layer:
 * @self: a Keras tensor
 *
 * Returns the layer whose call produced the tensor (Keras `keras_history[0]`).
 *
 * Returns: (transfer none): the layer that produced the tensor
 */
StrataLayer *
strata_keras_tensor_get_layer (StrataKerasTensor *self)
{
  g_return_val_if_fail (STRATA_IS_KERAS_TENSOR (self), NULL);
  return self->layer;
}

/**
 * strata_keras_tensor_get_node_index:
 * @self: a Keras tensor
 *
 * Returns which call of its layer produced the tensor.
 *
 * Returns: the index of the layer call that produced the tensor
 */
guint
strata_keras_tensor_get_node_index (StrataKerasTensor *self)
{
  g_return_val_if_fail (STRATA_IS_KERAS_TENSOR (self), 0);
  return self->node_index;
}

/**
 * strata_keras_tensor_get_tensor_index:
 * @self: a Keras tensor
 *
 * Returns which output of its layer call the tensor is.
 *
 * Returns: the index of the tensor among the outputs of its layer call
 */
guint
strata_keras_tensor_get_tensor_index (StrataKerasTensor *self)
{
  g_return_val_if_fail (STRATA_IS_KERAS_TENSOR (self), 0);
  return self->tensor_index;
}

/**
 * strata_keras_tensor_get_shape:
 * @self: a Keras tensor
 *
 * Returns the symbolic shape of the tensor.
 *
 * Returns: (transfer none) (nullable): the shape including the batch
 *   dimension, or %NULL when it is not known (for example after an opaque
 *   layer)
 */
StrataShape *
strata_keras_tensor_get_shape (StrataKerasTensor *self)
{
  g_return_val_if_fail (STRATA_IS_KERAS_TENSOR (self), NULL);
  return self->shape;
}

/**
 * strata_keras_tensor_get_dtype:
 * @self: a Keras tensor
 *
 * Returns the element type of the tensor.
 *
 * Returns: the dtype name, for example "float32"
 */
const char *
strata_keras_tensor_get_dtype (StrataKerasTensor *self)
{
  g_return_val_if_fail (STRATA_IS_KERAS_TENSOR (self), NULL);
  return self->dtype;
}

/* ---- keyword tensors of a call ------------------------------------------------ */

gboolean
strata_kwargs_is_tensor (JsonNode           *node,
                         StrataKerasDialect  dialect)
{
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    {
      JsonNode *class_name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      class_name = json_object_get_member (json_node_get_object (node), "class_name");
      return class_name != NULL && JSON_NODE_HOLDS_VALUE (class_name) &&
             json_node_get_value_type (class_name) == G_TYPE_STRING &&
             g_str_equal (json_node_get_string (class_name), "__keras_tensor__");
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);
      JsonNode *first;

      if (length != 3 && length != 4)
        return FALSE;
      first = json_array_get_element (array, 0);
      return JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING;
    }
  return FALSE;
}

static gboolean
foreach_tensor (JsonNode                 *node,
                StrataKerasDialect        dialect,
                const char               *keyword,
                const char               *path,
                guint                     depth,
                StrataKeywordTensorFunc   func,
                gpointer                  user_data,
                GError                  **error)
{
  if (depth > STRATA_JSON_MAX_DEPTH)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT, "%s: %s",
                   path != NULL ? path : "kwargs", _("nested too deeply"));
      return FALSE;
    }
  if (dialect != STRATA_KERAS_DIALECT_KERAS1 && strata_kwargs_is_tensor (node, dialect))
    return func (node, keyword, path, user_data, error);
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = path != NULL ? g_strdup_printf ("%s[%u]", path, i) : NULL;

          if (!foreach_tensor (json_array_get_element (array, i), dialect, keyword, child, depth + 1,
                               func, user_data, error))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      /* The order of the node's inputs: Keras 3 flattens the call's
       * arguments with keras.tree, which sorts a dict's keys; tf-keras
       * takes the keyword arguments in call order (its Node flattens
       * kwargs.values()), so only nested dicts are sorted. */
      g_autoptr(GList) keys = json_object_get_members (object);

      if (dialect == STRATA_KERAS_DIALECT_KERAS3 || depth > 0)
        keys = g_list_sort (keys, (GCompareFunc) strcmp);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          const char *key = l->data;
          g_autofree char *child = path != NULL ? g_strdup_printf ("%s.%s", path, key) : NULL;

          if (!foreach_tensor (json_object_get_member (object, key), dialect,
                               keyword != NULL ? keyword : key, child, depth + 1,
                               func, user_data, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
strata_kwargs_foreach_tensor (JsonObject              *kwargs,
                              StrataKerasDialect       dialect,
                              const char              *path,
                              StrataKeywordTensorFunc  func,
                              gpointer                 user_data,
                              GError                 **error)
{
  g_autoptr(JsonNode) node = NULL;

  if (kwargs == NULL || dialect == STRATA_KERAS_DIALECT_KERAS1)
    return TRUE;
  node = json_node_init_object (json_node_alloc (), kwargs);
  return foreach_tensor (node, dialect, NULL, path, 0, func, user_data, error);
}
