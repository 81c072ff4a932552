/* strata-model.c: functional models (a graph of layers)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata-i18n-private.h"
#include "strata-model-private.h"

/**
 * StrataModel:
 *
 * A functional Keras model: a graph of layer calls from input tensors to
 * output tensors. The model is a [iface@Gio.ListModel] of its layers, in the order
 * Keras computes (`model.layers`). A model is a layer too, so it can be
 * called inside another model.
 */

typedef struct {
  GPtrArray          *layers;   /* (element-type StrataLayer) owned */
  GPtrArray          *inputs;   /* (element-type StrataKerasTensor) owned */
  GPtrArray          *outputs;  /* (element-type StrataKerasTensor) owned */
  GHashTable         *nodes;    /* StrataNode* set: the calls of this graph */
  StrataKerasDialect  dialect;
  char               *keras_version;
  char               *backend;
  StrataOptimizer    *optimizer;
  JsonObject         *training_config;
  StrataLayerNameIndex *names;  /* of @layers: reset when they are replaced */
} StrataModelPrivate;

static void strata_model_list_model_init (GListModelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (StrataModel, strata_model, STRATA_TYPE_LAYER,
                         G_ADD_PRIVATE (StrataModel)
                         G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, strata_model_list_model_init))

static GType
strata_model_get_item_type (GListModel *list)
{
  return STRATA_TYPE_LAYER;
}

static guint
strata_model_get_n_items (GListModel *list)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (STRATA_MODEL (list));
  return priv->layers->len;
}

static gpointer
strata_model_get_item (GListModel *list,
                       guint       position)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (STRATA_MODEL (list));

  if (position >= priv->layers->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (priv->layers, position));
}

static void
strata_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = strata_model_get_item_type;
  iface->get_n_items = strata_model_get_n_items;
  iface->get_item = strata_model_get_item;
}

static void
strata_model_finalize (GObject *object)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (STRATA_MODEL (object));

  g_clear_pointer (&priv->layers, g_ptr_array_unref);
  g_clear_pointer (&priv->inputs, g_ptr_array_unref);
  g_clear_pointer (&priv->outputs, g_ptr_array_unref);
  g_clear_pointer (&priv->nodes, g_hash_table_unref);
  g_clear_pointer (&priv->names, strata_layer_name_index_free);
  g_free (priv->keras_version);
  g_free (priv->backend);
  g_clear_object (&priv->optimizer);
  g_clear_pointer (&priv->training_config, json_object_unref);

  G_OBJECT_CLASS (strata_model_parent_class)->finalize (object);
}

static gboolean
strata_model_real_build (StrataLayer  *layer,
                         GPtrArray    *input_shapes,
                         GError      **error)
{
  /* The inner layers were built when the graph was made. */
  return TRUE;
}

static void
shape_unref0 (gpointer shape)
{
  if (shape != NULL)
    strata_shape_unref (shape);
}

static GPtrArray *
strata_model_real_compute_output_shapes (StrataLayer  *layer,
                                         GPtrArray    *input_shapes,
                                         GError      **error)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (STRATA_MODEL (layer));
  GPtrArray *shapes = g_ptr_array_new_with_free_func (shape_unref0);

  for (guint i = 0; i < priv->outputs->len; i++)
    {
      StrataShape *shape = strata_keras_tensor_get_shape (g_ptr_array_index (priv->outputs, i));
      g_ptr_array_add (shapes, shape != NULL ? strata_shape_ref (shape) : NULL);
    }
  if (shapes->len == 0)
    g_ptr_array_add (shapes, NULL);
  return shapes;
}

static void
strata_model_real_get_config (StrataLayer *layer,
                              JsonObject  *config)
{
  StrataModel *self = STRATA_MODEL (layer);
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(GList) old = NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  written = strata_config_write_model_config (self, strata_model_resolve_dialect (self, STRATA_KERAS_DIALECT_AUTO));
  /* @config starts as a copy of the stored config; the writer already
   * merged it, so replace everything. */
  old = json_object_get_members (config);
  for (GList *l = old; l != NULL; l = l->next)
    json_object_remove_member (config, l->data);
  json_object_iter_init (&iter, written);
  while (json_object_iter_next (&iter, &key, &node))
    json_object_set_member (config, key, json_node_copy (node));
}

/* The leaf layers whose weights make up the model's, in order, each once. */
static void
collect_leaves (StrataLayer *layer,
                GPtrArray   *leaves,
                GHashTable  *seen)
{
  if (!g_hash_table_add (seen, layer))
    return;
  if (STRATA_IS_MODEL (layer))
    {
      StrataModelPrivate *priv = strata_model_get_instance_private (STRATA_MODEL (layer));

      for (guint i = 0; i < priv->layers->len; i++)
        collect_leaves (g_ptr_array_index (priv->layers, i), leaves, seen);
      return;
    }
  g_ptr_array_add (leaves, layer);
}

static GPtrArray *
model_leaves (StrataModel *self)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GPtrArray *leaves = g_ptr_array_new ();

  g_hash_table_add (seen, self);
  for (guint i = 0; i < priv->layers->len; i++)
    collect_leaves (g_ptr_array_index (priv->layers, i), leaves, seen);
  return leaves;
}

static GPtrArray *
strata_model_real_get_weights (StrataLayer *layer)
{
  g_autoptr(GPtrArray) leaves = model_leaves (STRATA_MODEL (layer));
  GPtrArray *weights = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < leaves->len; i++)
    {
      g_autoptr(GPtrArray) part = strata_layer_get_weights (g_ptr_array_index (leaves, i));

      for (guint j = 0; j < part->len; j++)
        g_ptr_array_add (weights, g_object_ref (g_ptr_array_index (part, j)));
    }
  return weights;
}

static gboolean
strata_model_real_set_weights (StrataLayer  *layer,
                               GPtrArray    *weights,
                               GError      **error)
{
  g_autoptr(GPtrArray) leaves = model_leaves (STRATA_MODEL (layer));
  g_autoptr(GPtrArray) current = strata_model_real_get_weights (layer);
  guint offset = 0;

  if (weights->len != current->len)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: the number of weights given, a model name, then the number
                    * expected */
                   _("You called set_weights with a list of %u weights, but the model “%s” expects %u"),
                   weights->len, strata_layer_get_name (layer), current->len);
      return FALSE;
    }

  /* Check every shape first so that a mismatch changes nothing. */
  for (guint i = 0; i < leaves->len; i++)
    {
      StrataLayer *leaf = g_ptr_array_index (leaves, i);
      g_autoptr(GPtrArray) part = strata_layer_get_weights (leaf);

      for (guint j = 0; j < part->len; j++)
        {
          StrataTensor *expected = g_ptr_array_index (part, j);
          StrataTensor *found = g_ptr_array_index (weights, offset + j);

          if (!STRATA_IS_TENSOR (found) ||
              !strata_shape_equal (strata_tensor_get_shape (expected), strata_tensor_get_shape (found)))
            {
              g_autofree char *e = strata_shape_to_string (strata_tensor_get_shape (expected));
              g_autofree char *f = STRATA_IS_TENSOR (found) ?
                strata_shape_to_string (strata_tensor_get_shape (found)) : g_strdup ("?");
              g_autoptr(GArray) order = strata_layer_weight_order (leaf);

              g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                           /* Translators: the first %s is a layer name, %u an index, the second %s
                            * a weight name, the third %s a shape such as (None, 3), the fourth %s a
                            * shape such as (None, 3). */
                           _("Layer “%s” weight %u (%s): expected shape %s, found %s"),
                           strata_layer_get_name (leaf), j,
                           j < order->len ? strata_layer_get_weight_short_name (leaf, g_array_index (order, guint, j)) : "?",
                           e, f);
              return FALSE;
            }
        }
      offset += part->len;
    }

  offset = 0;
  for (guint i = 0; i < leaves->len; i++)
    {
      StrataLayer *leaf = g_ptr_array_index (leaves, i);
      guint n = strata_layer_get_n_weights (leaf);
      g_autoptr(GPtrArray) part = g_ptr_array_new ();

      for (guint j = 0; j < n; j++)
        g_ptr_array_add (part, g_ptr_array_index (weights, offset + j));
      if (!strata_layer_set_weights (leaf, part, error))
        return FALSE;
      offset += n;
    }
  return TRUE;
}

/* A model's config is a graph: the config reader builds it. */
static StrataLayer *
strata_model_new_from_config (GType             layer_type,
                              JsonObject       *config,
                              StrataLoadFlags   flags,
                              GError          **error)
{
  return STRATA_LAYER (strata_config_read_model_config (layer_type, config, NULL, flags, error));
}

static GPtrArray *
strata_model_real_peek_sublayers (StrataLayer *layer)
{
  return strata_model_peek_layers (STRATA_MODEL (layer));
}

/* Weight names follow the Keras the whole model was read from. */
static void
strata_model_real_get_weight_context (StrataLayer         *layer,
                                      StrataKerasDialect  *dialect,
                                      const char         **keras_version)
{
  *dialect = strata_model_get_dialect (STRATA_MODEL (layer));
  *keras_version = strata_model_get_keras_version (STRATA_MODEL (layer));
}

static void
strata_model_class_init (StrataModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StrataLayerClass *layer_class = STRATA_LAYER_CLASS (klass);

  object_class->finalize = strata_model_finalize;

  layer_class->build = strata_model_real_build;
  layer_class->compute_output_shapes = strata_model_real_compute_output_shapes;
  layer_class->get_config = strata_model_real_get_config;
  layer_class->get_weights = strata_model_real_get_weights;
  layer_class->set_weights = strata_model_real_set_weights;
  layer_class->new_from_config = strata_model_new_from_config;
  layer_class->peek_sublayers = strata_model_real_peek_sublayers;
  layer_class->get_weight_context = strata_model_real_get_weight_context;

  strata_layer_class_set_properties_not_config (layer_class);

  strata_layer_class_set_keras_name (layer_class, "Functional");
}

static void
strata_model_init (StrataModel *self)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);

  priv->layers = g_ptr_array_new_with_free_func (g_object_unref);
  priv->inputs = g_ptr_array_new_with_free_func (g_object_unref);
  priv->outputs = g_ptr_array_new_with_free_func (g_object_unref);
  priv->nodes = g_hash_table_new (NULL, NULL);
  priv->names = strata_layer_name_index_new ();
}

/* ---- graph ---------------------------------------------------------------- */

typedef struct {
  StrataNode *node;
  guint       next;
} Frame;

typedef struct {
  GHashTable *layer_index;     /* layer -> traversal index + 1 (0: unseen) */
  GHashTable *in_progress;
  GHashTable *finished;
  GPtrArray  *post_order;      /* nodes, decreasing depth when reversed */
  guint       n_layers;
} GraphMap;

static StrataNode *
node_of (StrataKerasTensor  *tensor,
         GError            **error)
{
  StrataNode *node = strata_keras_tensor_get_node (tensor);

  if (node == NULL)
    g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                 /* Translators: %s is a layer name, %u an index. */
                 _("Tensor of layer “%s” refers to call %u, which does not exist"),
                 strata_layer_get_name (strata_keras_tensor_get_layer (tensor)),
                 strata_keras_tensor_get_node_index (tensor));
  return node;
}

static gboolean
enter_node (GraphMap    *map,
            GArray      *stack,
            StrataNode  *node,
            GError     **error)
{
  Frame frame = { node, 0 };

  if (g_hash_table_contains (map->in_progress, node))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                   /* Translators: %s is a layer name. */
                   _("The graph has a cycle through layer “%s”"),
                   strata_layer_get_name (node->layer));
      return FALSE;
    }
  if (!g_hash_table_contains (map->layer_index, node->layer))
    g_hash_table_insert (map->layer_index, node->layer, GUINT_TO_POINTER (++map->n_layers));
  g_hash_table_add (map->in_progress, node);
  g_array_append_val (stack, frame);
  return TRUE;
}

/* Keras' build_map, iterative so that deep graphs cannot exhaust the stack:
 * layers get their traversal index the first time one of their nodes is
 * entered (pre-order), nodes are listed after their inputs (post-order). */
static gboolean
map_from_output (GraphMap           *map,
                 StrataKerasTensor  *output,
                 GError            **error)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  StrataNode *node = node_of (output, error);

  if (node == NULL)
    return FALSE;
  if (g_hash_table_contains (map->finished, node))
    return TRUE;
  if (!enter_node (map, stack, node, error))
    return FALSE;

  while (stack->len > 0)
    {
      Frame *top = &g_array_index (stack, Frame, stack->len - 1);

      if (top->next < top->node->inputs->len)
        {
          StrataKerasTensor *input = g_ptr_array_index (top->node->inputs, top->next++);
          StrataNode *child = node_of (input, error);

          if (child == NULL)
            return FALSE;
          if (g_hash_table_contains (map->finished, child))
            continue;
          if (!enter_node (map, stack, child, error))
            return FALSE;
        }
      else
        {
          StrataNode *done = top->node;

          g_array_set_size (stack, stack->len - 1);
          g_hash_table_remove (map->in_progress, done);
          g_hash_table_add (map->finished, done);
          g_ptr_array_add (map->post_order, done);
        }
    }
  return TRUE;
}

/* A tensor's identity: its layer, call and output index (two Keras tensor
 * objects may stand for the same tensor). */
typedef struct {
  StrataLayer *layer;
  guint        node_index;
  guint        tensor_index;
} TensorKey;

static TensorKey
tensor_key (StrataKerasTensor *tensor)
{
  TensorKey key = { strata_keras_tensor_get_layer (tensor),
                    strata_keras_tensor_get_node_index (tensor),
                    strata_keras_tensor_get_tensor_index (tensor) };
  return key;
}

static TensorKey *
tensor_key_new (StrataKerasTensor *tensor)
{
  return g_memdup2 ((TensorKey[]) { tensor_key (tensor) }, sizeof (TensorKey));
}

static guint
tensor_key_hash (gconstpointer data)
{
  const TensorKey *key = data;

  return g_direct_hash (key->layer) ^ (key->node_index * 31u + key->tensor_index) * 2654435761u;
}

static gboolean
tensor_key_equal (gconstpointer a,
                  gconstpointer b)
{
  const TensorKey *x = a, *y = b;

  return x->layer == y->layer && x->node_index == y->node_index && x->tensor_index == y->tensor_index;
}

typedef struct {
  StrataLayer *layer;
  gint64       depth;
  gint64       index;
} LayerRank;

static int
compare_rank (gconstpointer a,
              gconstpointer b)
{
  const LayerRank *x = a, *y = b;

  if (x->depth != y->depth)
    return x->depth > y->depth ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

gboolean
strata_model_init_graph (StrataModel  *self,
                         GPtrArray    *inputs,
                         GPtrArray    *outputs,
                         GError      **error)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  g_autoptr(GHashTable) layer_index = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) in_progress = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) finished = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) post_order = g_ptr_array_new ();
  g_autoptr(GHashTable) node_depth = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) layer_depth = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) computable = g_hash_table_new_full (tensor_key_hash, tensor_key_equal, g_free, NULL);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) ranks = g_array_new (FALSE, FALSE, sizeof (LayerRank));
  g_autoptr(GPtrArray) layers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) sorted_nodes = g_ptr_array_new ();
  GraphMap map = { layer_index, in_progress, finished, post_order, 0 };
  GHashTableIter iter;
  gpointer key, value;

  if (outputs->len == 0)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                   /* Translators: %s is a model name. */
                   _("Model “%s” has no outputs"), strata_layer_get_name (STRATA_LAYER (self)));
      return FALSE;
    }
  for (guint i = 0; i < inputs->len; i++)
    if (!STRATA_IS_KERAS_TENSOR (g_ptr_array_index (inputs, i)) ||
        strata_keras_tensor_get_node (g_ptr_array_index (inputs, i)) == NULL)
      {
        g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                     /* Translators: %u is an index, %s a model name. */
                     _("Input %u of model “%s” is not a Keras tensor of a layer call"),
                     i, strata_layer_get_name (STRATA_LAYER (self)));
        return FALSE;
      }

  for (guint i = 0; i < outputs->len; i++)
    {
      if (!STRATA_IS_KERAS_TENSOR (g_ptr_array_index (outputs, i)))
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                       /* Translators: %u is an index, %s a model name. */
                       _("Output %u of model “%s” is not a Keras tensor"),
                       i, strata_layer_get_name (STRATA_LAYER (self)));
          return FALSE;
        }
      if (!map_from_output (&map, g_ptr_array_index (outputs, i), error))
        return FALSE;
    }

  /* Depth = longest path to an output; a layer takes its deepest node's. */
  for (guint i = post_order->len; i-- > 0;)
    {
      StrataNode *node = g_ptr_array_index (post_order, i);
      gint64 depth = GPOINTER_TO_SIZE (g_hash_table_lookup (node_depth, node));
      gint64 previous = GPOINTER_TO_SIZE (g_hash_table_lookup (layer_depth, node->layer));

      depth = MAX (depth, previous);
      g_hash_table_insert (layer_depth, node->layer, GSIZE_TO_POINTER (depth));
      g_hash_table_insert (node_depth, node, GSIZE_TO_POINTER (depth));
      for (guint j = 0; j < node->inputs->len; j++)
        {
          StrataNode *parent = strata_keras_tensor_get_node (g_ptr_array_index (node->inputs, j));
          gint64 parent_depth = GPOINTER_TO_SIZE (g_hash_table_lookup (node_depth, parent));

          g_hash_table_insert (node_depth, parent, GSIZE_TO_POINTER (MAX (depth + 1, parent_depth)));
        }
    }

  /* Inputs that no output uses still belong to the model (Keras 3: depth 0, index -1). */
  for (guint i = 0; i < inputs->len; i++)
    {
      StrataKerasTensor *input = g_ptr_array_index (inputs, i);
      StrataLayer *layer = strata_keras_tensor_get_layer (input);

      if (!g_hash_table_contains (layer_depth, layer))
        {
          StrataNode *node = strata_keras_tensor_get_node (input);

          g_hash_table_insert (layer_depth, layer, GSIZE_TO_POINTER (0));
          g_hash_table_insert (layer_index, layer, GSIZE_TO_POINTER (0));
          g_hash_table_insert (node_depth, node, GSIZE_TO_POINTER (0));
          g_ptr_array_add (post_order, node);
        }
    }

  g_hash_table_iter_init (&iter, layer_depth);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      LayerRank rank = { key, (gint64) GPOINTER_TO_SIZE (value),
                         (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (layer_index, key)) };
      g_array_append_val (ranks, rank);
    }
  g_array_sort (ranks, compare_rank);

  for (guint i = 0; i < ranks->len; i++)
    {
      StrataLayer *layer = g_array_index (ranks, LayerRank, i).layer;
      const char *name = strata_layer_get_name (layer);

      if (!g_hash_table_add (names, (gpointer) name))
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                       /* Translators: the first %s is a layer name, the second %s a model name. */
                       _("The name “%s” is used by more than one layer of model “%s”; "
                         "layer names must be unique"),
                       name, strata_layer_get_name (STRATA_LAYER (self)));
          return FALSE;
        }
      g_ptr_array_add (layers, g_object_ref (layer));
    }

  /* Every input of every node must be computable from the model inputs
   * (Keras "Graph disconnected"): walk nodes by decreasing depth. */
  for (guint i = 0; i < inputs->len; i++)
    g_hash_table_add (computable, tensor_key_new (g_ptr_array_index (inputs, i)));
  {
    g_autoptr(GArray) node_ranks = g_array_new (FALSE, FALSE, sizeof (LayerRank));

    for (guint i = 0; i < post_order->len; i++)
      {
        StrataNode *node = g_ptr_array_index (post_order, i);
        LayerRank rank = { (StrataLayer *) node,
                           (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (node_depth, node)), i };
        g_array_append_val (node_ranks, rank);
      }
    g_array_sort (node_ranks, compare_rank);
    for (guint i = 0; i < node_ranks->len; i++)
      {
        StrataNode *node = (StrataNode *) g_array_index (node_ranks, LayerRank, i).layer;

        for (guint j = 0; j < node->inputs->len; j++)
          {
            StrataKerasTensor *input = g_ptr_array_index (node->inputs, j);
            TensorKey k = tensor_key (input);

            if (!g_hash_table_contains (computable, &k))
              {
                g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                             /* Translators: %u is an index, the first %s a layer name, the second
                              * %s a layer name, the third %s a model name. */
                             _("Graph disconnected: cannot obtain the value of input %u of layer “%s” "
                               "(an output of layer “%s”) from the inputs of model “%s”"),
                             j, strata_layer_get_name (node->layer),
                             strata_layer_get_name (strata_keras_tensor_get_layer (input)),
                             strata_layer_get_name (STRATA_LAYER (self)));
                return FALSE;
              }
          }
        /* An input layer's tensor is only available when it is a model input. */
        if (node->inputs->len > 0 || !STRATA_IS_INPUT_LAYER (node->layer))
          for (guint j = 0; j < node->outputs->len; j++)
            g_hash_table_add (computable, tensor_key_new (g_ptr_array_index (node->outputs, j)));
        g_ptr_array_add (sorted_nodes, node);
      }
  }

  /* Commit. */
  g_hash_table_remove_all (priv->nodes);
  for (guint i = 0; i < sorted_nodes->len; i++)
    g_hash_table_add (priv->nodes, g_ptr_array_index (sorted_nodes, i));
  g_ptr_array_set_size (priv->inputs, 0);
  for (guint i = 0; i < inputs->len; i++)
    g_ptr_array_add (priv->inputs, strata_keras_tensor_dup (g_ptr_array_index (inputs, i)));
  g_ptr_array_set_size (priv->outputs, 0);
  for (guint i = 0; i < outputs->len; i++)
    g_ptr_array_add (priv->outputs, strata_keras_tensor_dup (g_ptr_array_index (outputs, i)));
  strata_model_set_layers (self, layers);
  strata_layer_set_built (STRATA_LAYER (self), TRUE);
  return TRUE;
}

/* Sequential.add: the graph grows by one call (@node, whose single input is
 * the current single output) and @output becomes the output. Everything
 * strata_model_init_graph() would check again holds already for the old
 * graph; only the new layer's name can clash. */
gboolean
strata_model_append_node (StrataModel        *self,
                          StrataNode         *node,
                          StrataKerasTensor  *output,
                          GError            **error)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  const char *name = strata_layer_get_name (node->layer);

  g_return_val_if_fail (priv->outputs->len == 1 && node->inputs->len == 1, FALSE);
  g_return_val_if_fail (strata_keras_tensor_get_node (g_ptr_array_index (node->inputs, 0)) ==
                        strata_keras_tensor_get_node (g_ptr_array_index (priv->outputs, 0)), FALSE);

  for (guint i = 0; i <= priv->inputs->len; i++)
    {
      gboolean clash;

      if (i < priv->inputs->len)
        clash = g_strcmp0 (strata_layer_get_name (strata_keras_tensor_get_layer (g_ptr_array_index (priv->inputs, i))),
                           name) == 0;
      else
        clash = strata_layer_name_index_contains (priv->names, priv->layers, name);
      if (clash)
        {
          g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                       /* Translators: the first %s is a layer name, the second %s a model name. */
                       _("The name “%s” is used by more than one layer of model “%s”; "
                         "layer names must be unique"),
                       name, strata_layer_get_name (STRATA_LAYER (self)));
          return FALSE;
        }
    }

  g_hash_table_add (priv->nodes, node);
  g_ptr_array_set_size (priv->outputs, 0);
  g_ptr_array_add (priv->outputs, strata_keras_tensor_dup (output));
  return TRUE;
}

void
strata_model_set_layers (StrataModel *self,
                         GPtrArray   *layers)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  guint kept = 0;
  guint removed;

  /* Only the layers after the common prefix change (Sequential.add sets
   * the stack again after each layer: replacing the whole list made
   * loading a long stack quadratic). */
  while (kept < priv->layers->len && kept < layers->len &&
         g_ptr_array_index (priv->layers, kept) == g_ptr_array_index (layers, kept))
    kept++;
  removed = priv->layers->len - kept;
  if (removed > 0)
    {
      g_ptr_array_set_size (priv->layers, kept);
      strata_layer_name_index_reset (priv->names);
    }
  for (guint i = kept; i < layers->len; i++)
    g_ptr_array_add (priv->layers, g_object_ref (g_ptr_array_index (layers, i)));
  if (removed > 0 || layers->len > kept)
    g_list_model_items_changed (G_LIST_MODEL (self), kept, removed, layers->len - kept);
}

GPtrArray *
strata_model_peek_layers (StrataModel *self)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  return priv->layers;
}

GPtrArray *
strata_model_peek_inputs (StrataModel *self)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  return priv->inputs;
}

GPtrArray *
strata_model_peek_outputs (StrataModel *self)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  return priv->outputs;
}

gboolean
strata_model_has_node (StrataModel *self,
                       StrataNode  *node)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  return g_hash_table_contains (priv->nodes, node);
}

void
strata_model_set_dialect (StrataModel        *self,
                          StrataKerasDialect  dialect)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);
  priv->dialect = dialect;
}

StrataKerasDialect
strata_model_resolve_dialect (StrataModel        *self,
                              StrataKerasDialect  dialect)
{
  StrataModelPrivate *priv = strata_model_get_instance_private (self);

  if (dialect != STRATA_KERAS_DIALECT_AUTO)
    return dialect;
  if (priv->dialect != STRATA_KERAS_DIALECT_AUTO)
    return priv->dialect;
  return STRATA_KERAS_DIALECT_KERAS2;
}

guint
strata_layer_node_offset (StrataLayer        *layer,
                          StrataKerasDialect  dialect)
{
  /* Keras 1/2 give every model (a Sequential is one once it is called) a
   * construction node; Keras 3 treats nested models as plain operations
   * (Keras 3.15 writes a nested Functional's first call as node 0). */
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    return 0;
  return STRATA_IS_MODEL (layer) ? 1 : 0;
}

guint
strata_layer_endpoint_node_offset (StrataLayer        *layer,
                                   StrataKerasDialect  dialect)
{
  /* Keras 3 counts a nested Functional's construction node in
   * input_layers/output_layers only (its _should_skip_first_node()), not
   * in the keras_history of call arguments. */
  if (dialect == STRATA_KERAS_DIALECT_KERAS3)
    return STRATA_IS_MODEL (layer) && !STRATA_IS_SEQUENTIAL (layer) ? 1 : 0;
  return strata_layer_node_offset (layer, dialect);
}

/* ---- public API ------------------------------------------------------------ */

/**
 * strata_model_new:
 * @inputs: (element-type StrataKerasTensor): the input tensors (from [func@Strata.input])
 * @outputs: (element-type StrataKerasTensor): the output tensors
 * @name: (nullable): the model's name, or %NULL for a default one
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a functional model from the graph of layer calls between @inputs
 * and @outputs, like `keras.Model(inputs, outputs)`. Layers are ordered as
 * Keras orders them. A cycle, a duplicate layer name or an output that
 * cannot be computed from @inputs fails with %STRATA_CONFIG_ERROR_GRAPH.
 *
 * Returns: (transfer full): the model, or %NULL with @error set
 */
StrataModel *
strata_model_new (GPtrArray   *inputs,
                  GPtrArray   *outputs,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(StrataModel) model = NULL;

  g_return_val_if_fail (inputs != NULL, NULL);
  g_return_val_if_fail (outputs != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  model = g_object_new (STRATA_TYPE_MODEL, NULL);
  if (name != NULL)
    strata_layer_set_name (STRATA_LAYER (model), name);
  if (!strata_model_init_graph (model, inputs, outputs, error))
    return NULL;
  return g_steal_pointer (&model);
}

/**
 * strata_model_get_n_layers:
 * @self: a model
 *
 * Returns the number of layers of the model, as `len(model.layers)`.
 *
 * Returns: the number of layers (`len(model.layers)`)
 */
guint
strata_model_get_n_layers (StrataModel *self)
{
  g_return_val_if_fail (STRATA_IS_MODEL (self), 0);
  return strata_model_peek_layers (self)->len;
}

/**
 * strata_model_get_layer:
 * @self: a model
 * @name: a layer name
 *
 * Returns the layer called @name, like `model.get_layer(name)`.
 *
 * Returns: (transfer none) (nullable): the layer, or %NULL
 */
StrataLayer *
strata_model_get_layer (StrataModel *self,
                        const char  *name)
{
  GPtrArray *layers;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  layers = strata_model_peek_layers (self);
  for (guint i = 0; i < layers->len; i++)
    if (g_strcmp0 (strata_layer_get_name (g_ptr_array_index (layers, i)), name) == 0)
      return g_ptr_array_index (layers, i);
  return NULL;
}

/**
 * strata_model_get_layer_at:
 * @self: a model
 * @index: a layer index
 *
 * Returns the layer at @index, like `model.get_layer(index=i)`.
 *
 * Returns: (transfer none) (nullable): the layer, or %NULL when @index is
 *   out of range
 */
StrataLayer *
strata_model_get_layer_at (StrataModel *self,
                           guint        index)
{
  GPtrArray *layers;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  layers = strata_model_peek_layers (self);
  return index < layers->len ? g_ptr_array_index (layers, index) : NULL;
}

static GPtrArray *
dup_tensors (GPtrArray *tensors)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < tensors->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (tensors, i)));
  return copy;
}

/**
 * strata_model_get_inputs:
 * @self: a model
 *
 * Returns the model's input tensors, like `model.inputs`.
 *
 * Returns: (transfer container) (element-type StrataKerasTensor): the model's
 *   input tensors
 */
GPtrArray *
strata_model_get_inputs (StrataModel *self)
{
  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  return dup_tensors (strata_model_peek_inputs (self));
}

/**
 * strata_model_get_outputs:
 * @self: a model
 *
 * Returns the model's output tensors, like `model.outputs`.
 *
 * Returns: (transfer container) (element-type StrataKerasTensor): the model's
 *   output tensors
 */
GPtrArray *
strata_model_get_outputs (StrataModel *self)
{
  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  return dup_tensors (strata_model_peek_outputs (self));
}

/**
 * strata_model_count_params:
 * @self: a model
 * @trainable: (out) (optional): the number of trainable parameters
 * @non_trainable: (out) (optional): the number of non-trainable parameters
 *
 * Counts the scalars in the model's weights, as `model.summary()` does.
 *
 * Returns: the total number of parameters
 */
guint64
strata_model_count_params (StrataModel *self,
                           guint64     *trainable,
                           guint64     *non_trainable)
{
  g_autoptr(GPtrArray) weights = NULL;
  guint64 total = 0, n_trainable = 0;

  g_return_val_if_fail (STRATA_IS_MODEL (self), 0);

  weights = strata_layer_get_trainable_weights (STRATA_LAYER (self));
  for (guint i = 0; i < weights->len; i++)
    n_trainable += strata_tensor_get_n_elements (g_ptr_array_index (weights, i));
  total = strata_layer_count_params (STRATA_LAYER (self));
  if (trainable != NULL)
    *trainable = n_trainable;
  if (non_trainable != NULL)
    *non_trainable = total - n_trainable;
  return total;
}

/**
 * strata_model_get_dialect:
 * @self: a model
 *
 * Returns the Keras dialect the model was read in.
 *
 * Returns: the Keras dialect the model was read in, or
 *   %STRATA_KERAS_DIALECT_AUTO for a model made in code
 */
StrataKerasDialect
strata_model_get_dialect (StrataModel *self)
{
  StrataModelPrivate *priv;

  g_return_val_if_fail (STRATA_IS_MODEL (self), STRATA_KERAS_DIALECT_AUTO);
  priv = strata_model_get_instance_private (self);
  return priv->dialect;
}

/**
 * strata_model_get_keras_version:
 * @self: a model
 *
 * Returns the Keras version recorded with the model.
 *
 * Returns: (nullable): the Keras version recorded in the file, or %NULL
 */
const char *
strata_model_get_keras_version (StrataModel *self)
{
  StrataModelPrivate *priv;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  priv = strata_model_get_instance_private (self);
  return priv->keras_version;
}

/**
 * strata_model_set_keras_version:
 * @self: a model
 * @version: (nullable): a Keras version such as "2.15.0"
 *
 * Sets the Keras version written to files.
 */
void
strata_model_set_keras_version (StrataModel *self,
                                const char  *version)
{
  StrataModelPrivate *priv;

  g_return_if_fail (STRATA_IS_MODEL (self));
  priv = strata_model_get_instance_private (self);
  g_free (priv->keras_version);
  priv->keras_version = g_strdup (version);
}

/**
 * strata_model_get_backend:
 * @self: a model
 *
 * Returns the Keras backend recorded with the model.
 *
 * Returns: (nullable): the Keras backend recorded in the file
 *   ("tensorflow", "theano"...), or %NULL
 */
const char *
strata_model_get_backend (StrataModel *self)
{
  StrataModelPrivate *priv;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  priv = strata_model_get_instance_private (self);
  return priv->backend;
}

/**
 * strata_model_set_backend:
 * @self: a model
 * @backend: (nullable): a backend name
 *
 * Sets the backend written to files.
 */
void
strata_model_set_backend (StrataModel *self,
                          const char  *backend)
{
  StrataModelPrivate *priv;

  g_return_if_fail (STRATA_IS_MODEL (self));
  priv = strata_model_get_instance_private (self);
  g_free (priv->backend);
  priv->backend = g_strdup (backend);
}

/**
 * strata_model_get_optimizer:
 * @self: a model
 *
 * Returns the optimizer of a compiled model.
 *
 * Returns: (transfer none) (nullable): the optimizer, or %NULL when the
 *   model is not compiled
 */
StrataOptimizer *
strata_model_get_optimizer (StrataModel *self)
{
  StrataModelPrivate *priv;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  priv = strata_model_get_instance_private (self);
  return priv->optimizer;
}

/**
 * strata_model_set_optimizer:
 * @self: a model
 * @optimizer: (nullable): an optimizer
 *
 * Sets the optimizer (with its state) saved with the model.
 */
void
strata_model_set_optimizer (StrataModel     *self,
                            StrataOptimizer *optimizer)
{
  StrataModelPrivate *priv;

  g_return_if_fail (STRATA_IS_MODEL (self));
  g_return_if_fail (optimizer == NULL || STRATA_IS_OPTIMIZER (optimizer));
  priv = strata_model_get_instance_private (self);
  g_set_object (&priv->optimizer, optimizer);
}

/**
 * strata_model_get_training_config:
 * @self: a model
 *
 * Returns the training config the model was compiled with.
 *
 * Returns: (transfer none) (nullable): the Keras training config (loss,
 *   metrics, optimizer_config...), or %NULL
 */
JsonObject *
strata_model_get_training_config (StrataModel *self)
{
  StrataModelPrivate *priv;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  priv = strata_model_get_instance_private (self);
  return priv->training_config;
}

/**
 * strata_model_dup_training_config:
 * @self: a model
 * @dialect: the Keras the config is written for; %STRATA_KERAS_DIALECT_AUTO
 *   keeps the one the model was read in
 *
 * Returns the training config the model was compiled with, as the Keras of
 * @dialect reads it: optimizer arguments that Keras refuses are left out
 * and the learning rate has the name it takes. Format writers use it.
 *
 * Returns: (transfer full) (nullable): a copy of the training config, or
 *   %NULL when the model has none
 */
JsonObject *
strata_model_dup_training_config (StrataModel        *self,
                                  StrataKerasDialect  dialect)
{
  StrataModelPrivate *priv;
  JsonObject *copy, *optimizer;
  JsonNode *member;

  g_return_val_if_fail (STRATA_IS_MODEL (self), NULL);
  priv = strata_model_get_instance_private (self);
  if (priv->training_config == NULL)
    return NULL;
  copy = strata_json_object_copy (priv->training_config);
  dialect = strata_model_resolve_dialect (self, dialect);
  member = json_object_get_member (copy, "optimizer_config");
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member) || dialect == strata_model_get_dialect (self))
    return copy;
  optimizer = json_node_get_object (member);
  member = json_object_get_member (optimizer, "config");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    strata_config_convert_optimizer (json_node_get_object (member), dialect);
  return copy;
}

/**
 * strata_model_set_training_config:
 * @self: a model
 * @training_config: (nullable): a training config
 *
 * Stores a training config as is (see [method@Strata.Model.compile] to check it).
 */
void
strata_model_set_training_config (StrataModel *self,
                                  JsonObject  *training_config)
{
  StrataModelPrivate *priv;

  g_return_if_fail (STRATA_IS_MODEL (self));
  priv = strata_model_get_instance_private (self);
  g_clear_pointer (&priv->training_config, json_object_unref);
  if (training_config != NULL)
    priv->training_config = strata_json_object_copy (training_config);
}

/**
 * strata_model_is_compiled:
 * @self: a model
 *
 * Returns whether the model is compiled (`model.compiled` in Keras 3).
 *
 * Returns: whether the model has an optimizer and a training config
 */
gboolean
strata_model_is_compiled (StrataModel *self)
{
  StrataModelPrivate *priv;

  g_return_val_if_fail (STRATA_IS_MODEL (self), FALSE);
  priv = strata_model_get_instance_private (self);
  return priv->optimizer != NULL && priv->training_config != NULL;
}

/**
 * strata_model_compile:
 * @self: a model
 * @training_config: a Keras training config, with at least
 *   `optimizer_config` (`{"class_name", "config"}`) and `loss`
 * @error: return location for a [struct@GLib.Error]
 *
 * Compiles the model as Keras does when it loads a file with a training
 * config: checks the required keys and creates the optimizer.
 *
 * Returns: %TRUE on success
 */
gboolean
strata_model_compile (StrataModel  *self,
                      JsonObject   *training_config,
                      GError      **error)
{
  g_autoptr(StrataOptimizer) optimizer = NULL;
  JsonNode *optimizer_node, *class_node, *config_node;
  JsonObject *optimizer_config;

  g_return_val_if_fail (STRATA_IS_MODEL (self), FALSE);
  g_return_val_if_fail (training_config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!json_object_has_member (training_config, "loss"))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   _("$.training_config: the required key “loss” is missing"));
      return FALSE;
    }
  optimizer_node = json_object_get_member (training_config, "optimizer_config");
  if (optimizer_node == NULL || !JSON_NODE_HOLDS_OBJECT (optimizer_node))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is what was found instead, such as “a string” or “null”. */
                   _("$.training_config.optimizer_config: expected an object, found %s"),
                   optimizer_node != NULL ? strata_json_describe_node (optimizer_node) : _("nothing"));
      return FALSE;
    }
  optimizer_config = json_node_get_object (optimizer_node);
  class_node = json_object_get_member (optimizer_config, "class_name");
  if (class_node == NULL || !JSON_NODE_HOLDS_VALUE (class_node) ||
      json_node_get_value_type (class_node) != G_TYPE_STRING)
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is what was found instead, such as “a string” or “null”. */
                   _("$.training_config.optimizer_config.class_name: expected a string, found %s"),
                   class_node != NULL ? strata_json_describe_node (class_node) : _("nothing"));
      return FALSE;
    }
  config_node = json_object_get_member (optimizer_config, "config");
  if (config_node != NULL && !JSON_NODE_HOLDS_OBJECT (config_node))
    {
      g_set_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                   /* Translators: %s is what was found instead, such as “a string” or “null”. */
                   _("$.training_config.optimizer_config.config: expected an object, found %s"),
                   strata_json_describe_node (config_node));
      return FALSE;
    }

  if (config_node != NULL)
    optimizer = strata_optimizer_new (json_node_get_string (class_node), json_node_get_object (config_node));
  else
    {
      g_autoptr(JsonObject) empty = json_object_new ();
      optimizer = strata_optimizer_new (json_node_get_string (class_node), empty);
    }
  strata_model_set_optimizer (self, optimizer);
  strata_model_set_training_config (self, training_config);
  return TRUE;
}
