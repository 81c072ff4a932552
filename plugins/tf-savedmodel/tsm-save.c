/* tsm-save.c: Strata models into SavedModel folders and TF checkpoints
 *
 * What tf-keras writes with model.save(dir, save_traces=False), less what
 * only TensorFlow can make (traced functions, the graph, signatures): one
 * object graph node per model, layer, sub-layer (an RNN's cell, a
 * wrapper's layer), variable and list, the same nodes and edges in
 * saved_model.pb and in the checkpoint, Keras metadata for every model
 * and layer in tf-keras's dialect, and each variable's value under the key
 * of the first breadth-first path that reaches it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-save.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "strata-atomic-private.h"
#include "strata-mapped-private.h"
#include "strata-i18n-private.h"
#include "tsm-bundle.h"
#include "tsm-graph.h"
#include "tsm-metadata.h"
#include "tsm-proto.h"
#include "tsm-savedmodel.h"
#include "tsm_keras_metadata.pb-c.h"

typedef struct {
  char  *name;
  guint  child;
} Edge;

/* A legacy optimizer's slot variable and the weight it belongs to. */
typedef struct {
  guint  original;
  char  *slot_name;
  guint  slot;
} SlotLink;

typedef struct {
  gboolean      is_variable;
  const char   *identifier;
  int           producer;
  GArray       *edges;           /* Edge */
  StrataTensor *tensor;          /* variables */
  char         *var_name;
  gboolean      trainable;
  int           synchronization;
  int           aggregation;
  char         *key;             /* its checkpoint path ("layer-0/kernel"), "" for the root */
  char         *node_path;       /* "root.layer-0" */
  GArray       *slots;           /* SlotLink, a legacy optimizer's; NULL for others */
} WNode;

typedef struct {
  guint       node;
  const char *identifier;
  JsonObject *metadata;
} WMeta;

/* Deepest nesting of models written. */
#define MAX_NESTING 64

typedef struct {
  GPtrArray          *nodes;     /* WNode */
  GPtrArray          *metas;     /* WMeta */
  GHashTable         *layers;    /* StrataLayer -> node + 1 */
  GHashTable         *variables; /* StrataTensor -> node + 1 */
  gboolean            with_metadata;
  StrataKerasDialect  dialect;
} Writer;

static void
wnode_free (WNode *node)
{
  for (guint i = 0; i < node->edges->len; i++)
    g_free (g_array_index (node->edges, Edge, i).name);
  g_array_unref (node->edges);
  for (guint i = 0; node->slots != NULL && i < node->slots->len; i++)
    g_free (g_array_index (node->slots, SlotLink, i).slot_name);
  g_clear_pointer (&node->slots, g_array_unref);
  g_clear_object (&node->tensor);
  g_free (node->var_name);
  g_free (node->key);
  g_free (node->node_path);
  g_free (node);
}

static void
wmeta_free (WMeta *meta)
{
  json_object_unref (meta->metadata);
  g_free (meta);
}

static void
writer_clear (Writer *w)
{
  g_clear_pointer (&w->nodes, g_ptr_array_unref);
  g_clear_pointer (&w->metas, g_ptr_array_unref);
  g_clear_pointer (&w->layers, g_hash_table_unref);
  g_clear_pointer (&w->variables, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Writer, writer_clear)

static void
writer_init (Writer *w, gboolean with_metadata)
{
  w->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) wnode_free);
  w->metas = g_ptr_array_new_with_free_func ((GDestroyNotify) wmeta_free);
  w->layers = g_hash_table_new (NULL, NULL);
  w->variables = g_hash_table_new (NULL, NULL);
  w->with_metadata = with_metadata;
  w->dialect = STRATA_KERAS_DIALECT_KERAS2;
}

static WNode *
node_at (Writer *w, guint id)
{
  return g_ptr_array_index (w->nodes, id);
}

static guint
add_object (Writer *w, const char *identifier, int producer)
{
  WNode *node = g_new0 (WNode, 1);

  node->identifier = identifier;
  node->producer = producer;
  node->edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  g_ptr_array_add (w->nodes, node);
  return w->nodes->len - 1;
}

static void
add_edge (Writer *w, guint parent, const char *name, guint child)
{
  Edge edge = { g_strdup (name), child };

  g_array_append_val (node_at (w, parent)->edges, edge);
}

static guint
add_variable (Writer *w, StrataTensor *tensor, const char *name, gboolean trainable)
{
  guint id = add_object (w, NULL, 0);
  WNode *node = node_at (w, id);
  const char *leaf = strrchr (name, '/');

  node->is_variable = TRUE;
  node->tensor = g_object_ref (tensor);
  node->var_name = g_str_has_suffix (name, ":0") ? g_strndup (name, strlen (name) - 2) : g_strdup (name);
  node->trainable = trainable;
  if (!g_hash_table_contains (w->variables, tensor))
    g_hash_table_insert (w->variables, tensor, GUINT_TO_POINTER (id + 1));
  leaf = leaf != NULL ? leaf + 1 : name;
  /* BatchNormalization's moving statistics, as TensorFlow declares them. */
  if (!trainable && (g_str_has_prefix (leaf, "moving_mean") || g_str_has_prefix (leaf, "moving_variance")))
    {
      node->synchronization = 3;   /* ON_READ */
      node->aggregation = 2;       /* MEAN */
    }
  return id;
}

/* ---- where each weight lives below its layer (tf-keras attribute names) ---- */

static gboolean
is_rnn_class (const char *class_name)
{
  static const char *const classes[] = {
    "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "RNN",
  };

  for (guint i = 0; class_name != NULL && i < G_N_ELEMENTS (classes); i++)
    if (g_str_equal (class_name, classes[i]))
      return TRUE;
  return FALSE;
}

static JsonObject *
member_object (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
member_string (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING ?
         json_node_get_string (node) : NULL;
}

/* One step of a weight's path below its layer: a sub-layer (its edge name,
 * Keras class and name), or the variable itself (class NULL). */
typedef struct {
  char *edge;
  char *class_name;
  char *name;
} PathPart;

static void
path_part_clear (gpointer data)
{
  PathPart *part = data;

  g_free (part->edge);
  g_free (part->class_name);
  g_free (part->name);
}

static void
add_part (GArray *out, const char *edge, const char *class_name, const char *name)
{
  PathPart part = { g_strdup (edge), g_strdup (class_name), g_strdup (name) };

  g_array_append_val (out, part);
}

/* The cell class an RNN layer builds (LSTM -> LSTMCell). */
static char *
cell_class (const char *class_name)
{
  return g_str_equal (class_name, "RNN") ? g_strdup ("Cell") : g_strconcat (class_name, "Cell", NULL);
}

/* Appends to @out the attribute path of the weight @rest of a layer of
 * @class_name with @config (@rest is the weight's name below the layer's,
 * "lstm_cell/kernel", "forward_lstm/lstm_cell/kernel", "query/kernel";
 * weight @index of @n in get_weights order): "cell" for an RNN's weights,
 * "forward_layer"/"backward_layer" for Bidirectional, "layer" for
 * TimeDistributed, "_query_dense"... for MultiHeadAttention, then the
 * weight's own name ("kernel"). */
static void
slot_path (const char *class_name, JsonObject *config, const char *rest, guint index, guint n,
           guint depth, GArray *out)
{
  const char *leaf = strrchr (rest, '/');
  const char *slash = strchr (rest, '/');

  leaf = leaf != NULL ? leaf + 1 : rest;
  if (depth < 8 && is_rnn_class (class_name))
    {
      g_autofree char *cell = cell_class (class_name);
      g_autofree char *cell_name = slash != NULL ? g_strndup (rest, slash - rest) : g_strdup ("cell");

      add_part (out, "cell", cell, cell_name);
    }
  else if (depth < 8 && g_strcmp0 (class_name, "Bidirectional") == 0)
    {
      /* tf-keras names the copies forward_<name> and backward_<name>. */
      gboolean forward = g_str_has_prefix (rest, "forward_") ? TRUE :
                         g_str_has_prefix (rest, "backward_") ? FALSE : index < n / 2;
      JsonObject *inner = member_object (config, forward ? "layer" : "backward_layer");
      g_autofree char *inner_name = slash != NULL ? g_strndup (rest, slash - rest) : NULL;

      if (inner == NULL)
        inner = member_object (config, "layer");
      add_part (out, forward ? "forward_layer" : "backward_layer", member_string (inner, "class_name"),
                inner_name);
      slot_path (member_string (inner, "class_name"), member_object (inner, "config"),
                 slash != NULL ? slash + 1 : rest, index, n, depth + 1, out);
      return;
    }
  else if (depth < 8 && g_strcmp0 (class_name, "TimeDistributed") == 0)
    {
      JsonObject *inner = member_object (config, "layer");

      add_part (out, "layer", member_string (inner, "class_name"),
                member_string (member_object (inner, "config"), "name"));
      slot_path (member_string (inner, "class_name"), member_object (inner, "config"),
                 rest, index, n, depth + 1, out);
      return;
    }
  else if (g_strcmp0 (class_name, "MultiHeadAttention") == 0)
    {
      static const char *const parts[][2] = {
        { "query", "_query_dense" }, { "key", "_key_dense" },
        { "value", "_value_dense" }, { "attention_output", "_output_dense" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        if (slash != NULL && (gsize) (slash - rest) == strlen (parts[i][0]) &&
            strncmp (rest, parts[i][0], slash - rest) == 0)
          add_part (out, parts[i][1], "EinsumDense", parts[i][0]);
    }
  add_part (out, leaf, NULL, NULL);
}

/* ---- metadata ---- */

static JsonNode *
tensor_shape_json (StrataShape *shape)
{
  JsonObject *object = json_object_new ();
  JsonArray *items = json_array_new ();
  guint rank = strata_shape_get_rank (shape);

  for (guint i = 0; i < rank; i++)
    {
      gint64 dim = strata_shape_get_dim (shape, i);

      if (dim == STRATA_DIM_UNKNOWN)
        json_array_add_null_element (items);
      else
        json_array_add_int_element (items, dim);
    }
  json_object_set_string_member (object, "class_name", "TensorShape");
  json_object_set_array_member (object, "items", items);
  return tsm_json_take_object (object);
}

/* tf-keras's _build_input_shape: one TensorShape, or a list of them.
 * @shapes: (element-type StrataShape) (nullable) */
static JsonNode *
build_input_shape (GPtrArray *shapes)
{
  JsonArray *list;

  if (shapes == NULL || shapes->len == 0)
    return NULL;
  if (shapes->len == 1)
    return tensor_shape_json (g_ptr_array_index (shapes, 0));
  list = json_array_new ();
  for (guint i = 0; i < shapes->len; i++)
    json_array_add_element (list, tensor_shape_json (g_ptr_array_index (shapes, i)));
  return tsm_json_take_array (list);
}


/* The training config in tf-keras's dialect. A model read from a Keras 3
 * file holds Keras 3's optimizer object ({"module", "class_name",
 * "config", "registered_name"}); tf-keras takes {"class_name", "config"},
 * refuses the arguments only Keras 3 has, and revives a legacy optimizer
 * (with other variables) unless is_legacy_optimizer is false. */
/* A copy of @object without the members named in @dropped; the values
 * are shared. */
static JsonObject *
object_without (JsonObject *object, const char *const *dropped)
{
  JsonObject *out = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (dropped, l->data))
      json_object_set_member (out, l->data, json_node_copy (json_object_get_member (object, l->data)));
  return out;
}

static JsonObject *
keras2_training_config (JsonObject *tc)
{
  static const char *const keras3_only[] = { "loss_scale_factor", "gradient_accumulation_steps", NULL };
  static const char *const keras3_keys[] = { "module", "registered_name", "config", NULL };
  static const char *const optimizer_key[] = { "optimizer_config", NULL };
  JsonNode *node = json_object_get_member (tc, "optimizer_config");
  JsonObject *out, *opt, *src;
  JsonNode *config;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !json_object_has_member (json_node_get_object (node), "module"))
    return json_object_ref (tc);
  src = json_node_get_object (node);
  out = object_without (tc, optimizer_key);
  opt = object_without (src, keras3_keys);
  config = json_object_get_member (src, "config");
  if (config != NULL && JSON_NODE_HOLDS_OBJECT (config))
    {
      JsonObject *c = object_without (json_node_get_object (config), keras3_only);

      json_object_set_boolean_member (c, "is_legacy_optimizer", FALSE);
      json_object_set_object_member (opt, "config", c);
    }
  json_object_set_object_member (out, "optimizer_config", opt);
  return out;
}

/* The shapes of a model's inputs. */
static GPtrArray *
input_shapes (StrataModel *model)
{
  g_autoptr(GPtrArray) inputs = strata_model_get_inputs (model);
  GPtrArray *shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);

  for (guint i = 0; inputs != NULL && i < inputs->len; i++)
    g_ptr_array_add (shapes, strata_shape_ref (strata_keras_tensor_get_shape (g_ptr_array_index (inputs, i))));
  return shapes;
}

static void
set_copy (JsonObject *to, const char *member, JsonObject *from, const char *from_member)
{
  JsonNode *node = from != NULL ? json_object_get_member (from, from_member) : NULL;

  if (node != NULL)
    json_object_set_member (to, member, json_node_copy (node));
  else
    json_object_set_null_member (to, member);
}

static JsonObject *
layer_metadata (StrataLayer *layer, JsonObject *entry, gboolean is_input)
{
  JsonObject *md = json_object_new ();
  JsonObject *config = member_object (entry, "config");
  const char *class_name = member_string (entry, "class_name");

  if (is_input)
    {
      json_object_set_string_member (md, "class_name", class_name != NULL ? class_name : "InputLayer");
      json_object_set_string_member (md, "name", strata_layer_get_name (layer));
      set_copy (md, "dtype", config, "dtype");
      set_copy (md, "sparse", config, "sparse");
      set_copy (md, "ragged", config, "ragged");
      set_copy (md, "batch_input_shape", config, "batch_input_shape");
      set_copy (md, "config", entry, "config");
      return md;
    }
  json_object_set_string_member (md, "name", strata_layer_get_name (layer));
  json_object_set_boolean_member (md, "trainable", strata_layer_get_trainable (layer));
  json_object_set_boolean_member (md, "expects_training_arg", FALSE);
  set_copy (md, "dtype", config, "dtype");
  set_copy (md, "batch_input_shape", config, "batch_input_shape");
  json_object_set_boolean_member (md, "stateful", FALSE);
  json_object_set_boolean_member (md, "must_restore_from_config", FALSE);
  json_object_set_boolean_member (md, "preserve_input_structure_in_config", FALSE);
  json_object_set_boolean_member (md, "autocast", TRUE);
  json_object_set_string_member (md, "class_name", class_name != NULL ? class_name : strata_layer_get_class_name (layer));
  set_copy (md, "config", entry, "config");
  if (strata_layer_is_built (layer))
    {
      g_autoptr(GPtrArray) shapes = strata_layer_get_build_input_shapes (layer);
      JsonNode *shape = build_input_shape (shapes);

      if (shape != NULL)
        json_object_set_member (md, "build_input_shape", shape);
    }
  return md;
}

static JsonObject *
model_metadata (Writer *w, StrataModel *model, JsonObject *entry, gboolean is_root,
                StrataSaveOptions *options)
{
  JsonObject *md = json_object_new ();
  JsonObject *config = member_object (entry, "config");
  JsonObject *model_config = json_object_new ();
  g_autoptr(GPtrArray) shapes = input_shapes (model);
  const char *version = strata_model_get_keras_version (model);
  JsonNode *shape;

  json_object_set_string_member (md, "name", strata_layer_get_name (STRATA_LAYER (model)));
  json_object_set_boolean_member (md, "trainable", strata_layer_get_trainable (STRATA_LAYER (model)));
  json_object_set_boolean_member (md, "expects_training_arg", TRUE);
  set_copy (md, "dtype", config, "dtype");
  if (JSON_NODE_HOLDS_NULL (json_object_get_member (md, "dtype")))
    json_object_set_string_member (md, "dtype", "float32");
  json_object_set_null_member (md, "batch_input_shape");
  json_object_set_boolean_member (md, "must_restore_from_config", FALSE);
  json_object_set_boolean_member (md, "preserve_input_structure_in_config", FALSE);
  json_object_set_boolean_member (md, "autocast", FALSE);
  set_copy (md, "class_name", entry, "class_name");
  set_copy (md, "config", entry, "config");
  shape = build_input_shape (shapes);
  if (shape != NULL)
    json_object_set_member (md, "build_input_shape", shape);
  json_object_set_boolean_member (md, "is_graph_network", TRUE);
  /* A Keras 2 version is kept (as the h5 format does); others are ours. */
  json_object_set_string_member (md, "keras_version",
                                 version != NULL && g_str_has_prefix (version, "2.") ? version :
                                 TSM_WRITER_KERAS_VERSION);
  json_object_set_string_member (md, "backend", "tensorflow");
  set_copy (model_config, "class_name", entry, "class_name");
  set_copy (model_config, "config", entry, "config");
  json_object_set_object_member (md, "model_config", model_config);
  if (is_root && strata_model_is_compiled (model) && strata_model_get_training_config (model) != NULL &&
      (options == NULL || strata_save_options_get_include_optimizer (options)))
    json_object_set_object_member (md, "training_config",
                                   keras2_training_config (strata_model_get_training_config (model)));
  return md;
}

static void
add_meta (Writer *w, guint node, const char *identifier, JsonObject *metadata)
{
  WMeta *meta;

  if (!w->with_metadata)
    {
      json_object_unref (metadata);
      return;
    }
  meta = g_new0 (WMeta, 1);
  meta->node = node;
  meta->identifier = identifier;
  meta->metadata = metadata;
  g_ptr_array_add (w->metas, meta);
}

/* ---- the object graph ---- */

/* {"class_name": "TensorShape", "items": @dims} from a JSON list. */
static JsonNode *
tensor_shape_from_list (JsonArray *dims)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "class_name", "TensorShape");
  json_object_set_array_member (object, "items", json_array_ref (dims));
  return tsm_json_take_object (object);
}

static JsonArray *
shape_list (StrataShape *shape)
{
  JsonArray *dims = json_array_new ();

  for (guint i = 0; i < strata_shape_get_rank (shape); i++)
    {
      gint64 dim = strata_shape_get_dim (shape, i);

      if (dim == STRATA_DIM_UNKNOWN)
        json_array_add_null_element (dims);
      else
        json_array_add_int_element (dims, dim);
    }
  return dims;
}

/* The shape a MultiHeadAttention builds its projection @edge for: from
 * the query_shape/value_shape/key_shape tf-keras keeps in the config, else
 * from the layer's inputs (query, value, key). tf-keras builds them only
 * when first called, so the loader needs these to restore their values. */
static JsonNode *
attention_build_shape (StrataLayer *layer, JsonObject *config, const char *edge)
{
  g_autoptr(GPtrArray) inputs = strata_layer_get_build_input_shapes (layer);
  g_autoptr(JsonArray) query = NULL;
  g_autoptr(JsonArray) value = NULL;
  g_autoptr(JsonArray) key = NULL;
  JsonNode *node;
  gint64 heads, dim;

  node = json_object_get_member (config, "query_shape");
  query = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_array_ref (json_node_get_array (node)) :
          inputs != NULL && inputs->len > 0 ? shape_list (g_ptr_array_index (inputs, 0)) : NULL;
  node = json_object_get_member (config, "value_shape");
  value = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_array_ref (json_node_get_array (node)) :
          inputs != NULL && inputs->len > 1 ? shape_list (g_ptr_array_index (inputs, 1)) :
          query != NULL ? json_array_ref (query) : NULL;
  node = json_object_get_member (config, "key_shape");
  key = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_array_ref (json_node_get_array (node)) :
        inputs != NULL && inputs->len > 2 ? shape_list (g_ptr_array_index (inputs, 2)) :
        value != NULL ? json_array_ref (value) : NULL;
  if (query == NULL)
    return NULL;
  if (g_str_equal (edge, "_query_dense"))
    return tensor_shape_from_list (query);
  if (g_str_equal (edge, "_value_dense"))
    return value != NULL ? tensor_shape_from_list (value) : NULL;
  if (g_str_equal (edge, "_key_dense"))
    return key != NULL ? tensor_shape_from_list (key) : NULL;
  /* _output_dense: the query's shape, its features replaced by heads x value_dim. */
  heads = json_object_get_int_member_with_default (config, "num_heads", 0);
  node = json_object_get_member (config, "value_dim");
  dim = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) :
        json_object_get_int_member_with_default (config, "key_dim", 0);
  if (heads <= 0 || dim <= 0 || json_array_get_length (query) < 1)
    return NULL;
  {
    g_autoptr(JsonArray) out = json_array_new ();

    for (guint i = 0; i + 1 < json_array_get_length (query); i++)
      json_array_add_element (out, json_node_copy (json_array_get_element (query, i)));
    json_array_add_int_element (out, heads);
    json_array_add_int_element (out, dim);
    return tensor_shape_from_list (out);
  }
}

/* The sub-layer @part of @parent (an RNN's cell, a wrapper's layer, a
 * MultiHeadAttention's projections), made when missing. Its metadata has
 * no config: tf-keras reaches it through the layer that makes it, and
 * only looks there for how to build it when that layer left it unbuilt. */
static guint
sub_layer (Writer *w, guint parent, PathPart *part, StrataLayer *layer, JsonObject *config)
{
  GArray *edges = node_at (w, parent)->edges;
  const char *identifier = is_rnn_class (part->class_name) ? "_tf_keras_rnn_layer" : "_tf_keras_layer";
  JsonObject *md;
  guint id;

  for (guint i = 0; i < edges->len; i++)
    if (g_str_equal (g_array_index (edges, Edge, i).name, part->edge))
      return g_array_index (edges, Edge, i).child;
  id = add_object (w, identifier, 1);
  add_edge (w, parent, part->edge, id);
  md = json_object_new ();
  json_object_set_string_member (md, "name", part->name != NULL ? part->name : part->edge);
  json_object_set_boolean_member (md, "trainable", strata_layer_get_trainable (layer));
  json_object_set_string_member (md, "dtype", strata_layer_get_dtype (layer) != NULL ?
                                 strata_layer_get_dtype (layer) : "float32");
  json_object_set_string_member (md, "class_name", part->class_name != NULL ? part->class_name : "Layer");
  if (g_strcmp0 (part->class_name, "EinsumDense") == 0 && config != NULL)
    {
      JsonNode *shape = attention_build_shape (layer, config, part->edge);

      if (shape != NULL)
        json_object_set_member (md, "build_input_shape", shape);
    }
  add_meta (w, id, identifier, md);
  return id;
}

static gboolean add_model (Writer *w, StrataModel *model, JsonObject *entry, guint depth,
                           gboolean is_root, StrataSaveOptions *options, guint *out, GError **error);

static gboolean
add_layer (Writer *w, StrataLayer *layer, JsonObject *entry, guint depth, guint *out, GError **error)
{
  gpointer known = g_hash_table_lookup (w->layers, layer);
  g_autoptr(GPtrArray) weights = NULL;
  g_autoptr(GPtrArray) trainable = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *prefix = NULL;
  gboolean is_input = STRATA_IS_INPUT_LAYER (layer);
  const char *class_name = member_string (entry, "class_name");
  const char *identifier;
  guint id;

  if (known != NULL)
    {
      *out = GPOINTER_TO_UINT (known) - 1;
      return TRUE;
    }
  if (STRATA_IS_MODEL (layer))
    return add_model (w, STRATA_MODEL (layer), entry, depth + 1, FALSE, NULL, out, error);
  /* tf-keras rebuilds every layer from its class: a layer read from a
   * weights-only file has none */
  if (class_name == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the placeholder is a layer name. */
                   _("The layer “%s” has no class (it was read from a file without a model config) and cannot be written to a SavedModel"),
                   strata_layer_get_name (layer));
      return FALSE;
    }
  if (class_name == NULL)
    class_name = strata_layer_get_class_name (layer);
  identifier = is_input ? "_tf_keras_input_layer" :
               is_rnn_class (class_name) ? "_tf_keras_rnn_layer" : "_tf_keras_layer";
  id = add_object (w, identifier, 1);
  g_hash_table_insert (w->layers, layer, GUINT_TO_POINTER (id + 1));
  add_meta (w, id, identifier, layer_metadata (layer, entry, is_input));

  weights = strata_layer_get_weights (layer);
  trainable = strata_layer_get_trainable_weights (layer);
  names = strata_layer_get_weight_names (layer);
  prefix = g_strconcat (strata_layer_get_name (layer), "/", NULL);
  for (guint k = 0; k < weights->len; k++)
    {
      StrataTensor *tensor = g_ptr_array_index (weights, k);
      g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (PathPart));
      g_autofree char *fallback = g_strdup_printf ("%svariable_%u", prefix, k);
      const char *name = names != NULL && k < g_strv_length (names) ? names[k] : fallback;
      g_autofree char *rest = g_strdup (g_str_has_prefix (name, prefix) ? name + strlen (prefix) : name);
      char *colon = strrchr (rest, ':');
      gboolean is_trainable;
      guint parent = id, variable;

      if (!strata_tensor_has_data (tensor))
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                       /* Translators: the first placeholder is a weight name, the second a layer
                        * name. */
                       _("The weight “%s” of “%s” has no data (the model was loaded with metadata "
                         "only); it cannot be saved"), name, strata_layer_get_name (layer));
          return FALSE;
        }
      g_array_set_clear_func (path, path_part_clear);
      if (colon != NULL)
        *colon = '\0';
      /* A frozen layer lists no trainable weights: its variables keep the
       * flag they were made with (only BatchNormalization's statistics are
       * made non-trainable). */
      is_trainable = strata_layer_get_trainable (layer) ?
                     g_ptr_array_find (trainable, tensor, NULL) :
                     strstr (rest, "moving_") == NULL;
      slot_path (class_name, member_object (entry, "config"), rest, k, weights->len, 0, path);
      for (guint p = 0; p + 1 < path->len; p++)
        {
          PathPart *part = &g_array_index (path, PathPart, p);

          parent = sub_layer (w, parent, part, layer, member_object (entry, "config"));
        }
      variable = add_variable (w, tensor, name, is_trainable);
      add_edge (w, parent, g_array_index (path, PathPart, path->len - 1).edge, variable);
    }
  *out = id;
  return TRUE;
}

/* The entries of a model config's "layers", by layer name. */
static GHashTable *
entries_by_name (JsonObject *entry)
{
  GHashTable *map = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *config = member_object (entry, "config");
  JsonNode *layers = config != NULL ? json_object_get_member (config, "layers") : NULL;

  if (layers == NULL || !JSON_NODE_HOLDS_ARRAY (layers))
    return map;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (layers)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (layers), i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      const char *name = member_string (member_object (object, "config"), "name");

      if (name == NULL)
        name = member_string (object, "name");
      if (name != NULL)
        g_hash_table_insert (map, (gpointer) name, object);
    }
  return map;
}

/* Keras before 2.2.3 wrote a Sequential's config as the bare list of its
 * layers; tf-keras writes {"name", "layers"}, which the SavedModel loader
 * (and the layer entries here) look for. */
static void
sequential_config_as_object (JsonObject *entry, StrataModel *model)
{
  JsonNode *config = entry != NULL ? json_object_get_member (entry, "config") : NULL;
  JsonObject *object;

  if (config == NULL || !JSON_NODE_HOLDS_ARRAY (config))
    return;
  object = json_object_new ();
  json_object_set_string_member (object, "name", strata_layer_get_name (STRATA_LAYER (model)));
  json_object_set_array_member (object, "layers", json_array_ref (json_node_get_array (config)));
  json_object_set_object_member (entry, "config", object);
}

static gboolean
add_model (Writer *w, StrataModel *model, JsonObject *entry, guint depth, gboolean is_root,
           StrataSaveOptions *options, guint *out, GError **error)
{
  g_autoptr(GHashTable) entries = NULL;
  const char *identifier = STRATA_IS_SEQUENTIAL (model) ? "_tf_keras_sequential" : "_tf_keras_network";
  guint n = strata_model_get_n_layers (model), with_weights = 0;
  guint id;

  if (depth > MAX_NESTING)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT,
                   /* Translators: the placeholder is a model name. */
                   _("The model “%s” nests models too deeply to be saved"),
                   strata_layer_get_name (STRATA_LAYER (model)));
      return FALSE;
    }
  sequential_config_as_object (entry, model);
  entries = entries_by_name (entry);
  id = add_object (w, identifier, 1);
  g_hash_table_insert (w->layers, model, GUINT_TO_POINTER (id + 1));
  add_meta (w, id, identifier, model_metadata (w, model, entry, is_root, options));
  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      JsonObject *layer_entry = g_hash_table_lookup (entries, strata_layer_get_name (layer));
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);
      g_autofree char *edge = g_strdup_printf ("layer-%u", i);
      guint child;

      if (!add_layer (w, layer, layer_entry, depth, &child, error))
        return FALSE;
      /* tf-keras tracks layers with weights under a second counter, first. */
      if (weights->len > 0)
        {
          g_autofree char *weighted = g_strdup_printf ("layer_with_weights-%u", with_weights++);

          add_edge (w, id, weighted, child);
        }
      add_edge (w, id, edge, child);
    }
  *out = id;
  return TRUE;
}

static gboolean
is_scalar_of (StrataTensor *tensor, StrataDType dtype)
{
  return strata_tensor_get_dtype (tensor) == dtype &&
         strata_shape_get_rank (strata_tensor_get_shape (tensor)) == 0;
}

/* Keras 3 keeps a constant learning rate as optimizer variable 1, after
 * the iteration count; tf-keras (the dialect written here) has no such
 * variable and refuses a SavedModel whose optimizer holds one more. */
static gboolean
has_keras3_learning_rate (StrataModel *model, StrataOptimizer *optimizer)
{
  GPtrArray *weights = strata_optimizer_get_weights (optimizer);
  const char *version = strata_model_get_keras_version (model);
  JsonObject *config = strata_optimizer_get_config (optimizer);
  JsonNode *lr = config != NULL ? json_object_get_member (config, "learning_rate") : NULL;

  return version != NULL && g_str_has_prefix (version, "3.") && weights->len >= 2 &&
         is_scalar_of (g_ptr_array_index (weights, 0), STRATA_DTYPE_INT64) &&
         is_scalar_of (g_ptr_array_index (weights, 1), STRATA_DTYPE_FLOAT32) &&
         lr != NULL && JSON_NODE_HOLDS_VALUE (lr);
}

/* Whether tf-keras revives the optimizer of the training config written
 * for @model as a legacy OptimizerV2: tf_keras.optimizers.deserialize does
 * when a non-empty config has no is_legacy_optimizer or sets it. A
 * LossScaleOptimizer keeps its state as it was read (base optimizer only). */
static gboolean
revives_legacy_optimizer (StrataModel *model)
{
  JsonObject *tc = strata_model_get_training_config (model);
  g_autoptr(JsonObject) written = tc != NULL ? keras2_training_config (tc) : NULL;
  JsonObject *opt = member_object (written, "optimizer_config");
  JsonObject *config = member_object (opt, "config");
  const char *class_name = member_string (opt, "class_name");
  JsonNode *flag = config != NULL ? json_object_get_member (config, "is_legacy_optimizer") : NULL;

  if (config == NULL || json_object_get_size (config) == 0 ||
      class_name == NULL || g_str_has_suffix (class_name, "LossScaleOptimizer"))
    return FALSE;
  return flag == NULL ||
         (JSON_NODE_HOLDS_VALUE (flag) && json_node_get_value_type (flag) == G_TYPE_BOOLEAN &&
          json_node_get_boolean (flag));
}

/* The last component of a state tensor's name, without ":0"
 * ("Adam/dense/kernel/m:0" -> "m"); NULL for a name with no scope. */
static char *
name_leaf (StrataTensor *tensor)
{
  const char *name = strata_tensor_get_name (tensor);
  const char *slash = name != NULL ? strrchr (name, '/') : NULL;

  if (slash == NULL || slash[1] == '\0')
    return NULL;
  return g_str_has_suffix (slash + 1, ":0") ? g_strndup (slash + 1, strlen (slash + 1) - 2) :
         g_strdup (slash + 1);
}

/* The slot names of legacy OptimizerV2 state @weights as Strata keeps it:
 * the iteration count, then one group per slot name holding the slot of
 * each of @trainable in order ("Adam/dense/kernel/m:0"...). NULL when the
 * state has another form. */
static GPtrArray *
legacy_slot_names (GPtrArray *weights, GPtrArray *trainable)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint n = trainable->len;

  if (weights->len == 0 || !is_scalar_of (g_ptr_array_index (weights, 0), STRATA_DTYPE_INT64) ||
      (weights->len > 1 && (n == 0 || (weights->len - 1) % n != 0)))
    return NULL;
  for (guint s = 0; n > 0 && s < (weights->len - 1) / n; s++)
    {
      g_autofree char *slot = NULL;

      for (guint k = 0; k < n; k++)
        {
          StrataTensor *tensor = g_ptr_array_index (weights, 1 + s * n + k);
          g_autofree char *leaf = name_leaf (tensor);

          if (leaf == NULL || (slot != NULL && !g_str_equal (slot, leaf)) ||
              !strata_shape_equal (strata_tensor_get_shape (tensor),
                                   strata_tensor_get_shape (g_ptr_array_index (trainable, k))))
            return NULL;
          if (slot == NULL)
            slot = g_steal_pointer (&leaf);
        }
      if (g_ptr_array_find_with_equal_func (names, slot, g_str_equal, NULL))
        return NULL;
      g_ptr_array_add (names, g_steal_pointer (&slot));
    }
  return g_steal_pointer (&names);
}

/* A variable OptimizerV2.add_weight makes (the count, the hyperparameters). */
static guint
add_optimizer_weight (Writer *w, StrataTensor *tensor, const char *name)
{
  guint id = add_variable (w, tensor, name, FALSE);

  node_at (w, id)->aggregation = 3;   /* ONLY_FIRST_REPLICA */
  return id;
}

/* Legacy OptimizerV2 state, as TF 2.0-2.10 write it: the optimizer tracks
 * `iter` and a variable per numeric hyperparameter (_create_hypers, sorted
 * by name), and lists its slot variables, each with the weight it belongs
 * to; slots are keyed below their weight. Returns FALSE, adding nothing,
 * when @weights is not legacy state of @model's trainable weights. */
static gboolean
add_legacy_optimizer (Writer *w, StrataModel *model, StrataOptimizer *optimizer, GPtrArray *weights)
{
  /* every hyperparameter of tf-keras's legacy optimizers, sorted */
  static const char *const hypers[] = {
    "beta", "beta_1", "beta_2", "decay", "l1_regularization_strength",
    "l2_regularization_strength", "learning_rate", "learning_rate_power", "momentum", "rho",
  };
  g_autoptr(GPtrArray) trainable = strata_layer_get_trainable_weights (STRATA_LAYER (model));
  g_autoptr(GPtrArray) slot_names = legacy_slot_names (weights, trainable);
  JsonObject *config = strata_optimizer_get_config (optimizer);
  StrataTensor *iter;
  const char *iter_name;
  g_autofree char *scope = NULL;
  g_autofree char *iter_fallback = NULL;
  guint id, n = trainable->len;
  GArray *links;

  if (slot_names == NULL)
    return FALSE;
  for (guint k = 0; k < n; k++)
    if (!g_hash_table_contains (w->variables, g_ptr_array_index (trainable, k)))
      return FALSE;
  iter = g_ptr_array_index (weights, 0);
  iter_name = strata_tensor_get_name (iter);
  scope = iter_name != NULL && strrchr (iter_name, '/') != NULL ?
          g_strndup (iter_name, strrchr (iter_name, '/') - iter_name) :
          g_strdup (strata_optimizer_get_class_name (optimizer));
  iter_fallback = g_strconcat (scope, "/iter", NULL);
  id = add_object (w, "optimizer", 2);
  add_edge (w, 0, "optimizer", id);
  add_edge (w, id, "iter", add_optimizer_weight (w, iter, iter_name != NULL ? iter_name : iter_fallback));
  for (guint i = 0; i < G_N_ELEMENTS (hypers); i++)
    {
      JsonNode *value = config != NULL ? json_object_get_member (config, hypers[i]) : NULL;
      g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
      g_autoptr(StrataTensor) tensor = NULL;
      g_autofree char *name = g_strconcat (scope, "/", hypers[i], NULL);
      double number;
      float f;

      /* Keras before 2.3 wrote the learning rate as "lr", which tf-keras takes */
      if (value == NULL && g_str_equal (hypers[i], "learning_rate") && config != NULL)
        value = json_object_get_member (config, "lr");
      /* a schedule (an object) is no variable */
      if (value == NULL || !strata_json_node_get_double (value, &number))
        continue;
      f = (float) number;
      tensor = strata_tensor_new_from_floats (scalar, &f, 1, NULL);
      if (tensor != NULL)
        add_edge (w, id, hypers[i], add_optimizer_weight (w, tensor, name));
    }
  links = node_at (w, id)->slots = g_array_new (FALSE, FALSE, sizeof (SlotLink));
  for (guint s = 0; s < slot_names->len; s++)
    for (guint k = 0; k < n; k++)
      {
        StrataTensor *tensor = g_ptr_array_index (weights, 1 + s * n + k);
        SlotLink link = {
          GPOINTER_TO_UINT (g_hash_table_lookup (w->variables, g_ptr_array_index (trainable, k))) - 1,
          g_strdup (g_ptr_array_index (slot_names, s)),
          add_variable (w, tensor, strata_tensor_get_name (tensor), FALSE),
        };

        g_array_append_val (links, link);
      }
  return TRUE;
}

/* tf-keras >= 2.11 optimizers keep their variables in `_variables`
 * (iterations first); legacy state that tf-keras revives as such is
 * written as TF 2.0-2.10 did (add_legacy_optimizer), other state in the
 * first layout, in Keras's optimizer.weights order. */
static void
add_optimizer (Writer *w, StrataModel *model, StrataOptimizer *optimizer)
{
  g_autoptr(GPtrArray) weights = g_ptr_array_copy (strata_optimizer_get_weights (optimizer),
                                                      (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  guint id, list;

  if (has_keras3_learning_rate (model, optimizer))
    g_ptr_array_remove_index (weights, 1);
  if (weights->len == 0)
    return;
  if (revives_legacy_optimizer (model) && add_legacy_optimizer (w, model, optimizer, weights))
    return;
  id = add_object (w, "experimentalOptimizer", 2);
  add_edge (w, 0, "optimizer", id);
  list = add_object (w, "trackable_list_wrapper", 1);
  add_edge (w, id, "_variables", list);
  for (guint i = 0; i < weights->len; i++)
    {
      StrataTensor *tensor = g_ptr_array_index (weights, i);
      const char *name = strata_tensor_get_name (tensor);
      g_autofree char *fallback = g_strdup_printf ("%s/variable_%u",
                                                   strata_optimizer_get_class_name (optimizer), i);
      g_autofree char *index = g_strdup_printf ("%u", i);
      guint variable = add_variable (w, tensor, name != NULL && *name != '\0' ? name : fallback, FALSE);

      add_edge (w, list, index, variable);
      /* the count, whatever its name ("iter", Keras 3's "0") */
      if (i == 0 && is_scalar_of (tensor, STRATA_DTYPE_INT64))
        add_edge (w, id, "_iterations", variable);
    }
}

/* Checkpoint keys and node paths: the first path of a breadth-first walk
 * from the root, as TensorFlow names objects. */
static void
assign_paths (Writer *w)
{
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  guint root = 0;

  node_at (w, 0)->key = g_strdup ("");
  node_at (w, 0)->node_path = g_strdup ("root");
  g_array_append_val (queue, root);
  for (guint q = 0; q < queue->len; q++)
    {
      WNode *node = node_at (w, g_array_index (queue, guint, q));

      for (guint e = 0; e < node->edges->len; e++)
        {
          Edge *edge = &g_array_index (node->edges, Edge, e);
          WNode *child = node_at (w, edge->child);
          g_autofree char *escaped = NULL;

          if (child->key != NULL)
            continue;
          escaped = tsm_graph_escape_local_name (edge->name);
          child->key = *node->key != '\0' ? g_strconcat (node->key, "/", escaped, NULL) : g_strdup (escaped);
          child->node_path = g_strconcat (node->node_path, ".", edge->name, NULL);
          g_array_append_val (queue, edge->child);
        }
    }
}

/* Slot variables hang from no edge: TensorFlow keys each below its
 * weight, "<weight>/.OPTIMIZER_SLOT/<optimizer>/<slot name>". */
static void
assign_slot_paths (Writer *w)
{
  for (guint i = 0; i < w->nodes->len; i++)
    {
      WNode *node = node_at (w, i);

      for (guint s = 0; node->slots != NULL && s < node->slots->len; s++)
        {
          SlotLink *link = &g_array_index (node->slots, SlotLink, s);
          g_autofree char *escaped = tsm_graph_escape_local_name (link->slot_name);

          g_free (node_at (w, link->slot)->key);
          node_at (w, link->slot)->key = g_strdup_printf ("%s/.OPTIMIZER_SLOT/%s/%s",
                                                          node_at (w, link->original)->key,
                                                          node->key, escaped);
        }
    }
}

static gboolean
build_graph (Writer *w, StrataModel *model, StrataSaveOptions *options, gboolean with_signatures,
             GError **error)
{
  g_autoptr(JsonObject) entry = strata_model_to_config_object (model, w->dialect);
  StrataOptimizer *optimizer = strata_model_get_optimizer (model);
  guint root;

  if (entry == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the placeholder is a model name. */
                   _("The config of the model “%s” cannot be written"),
                   strata_layer_get_name (STRATA_LAYER (model)));
      return FALSE;
    }
  if (!add_model (w, model, entry, 0, TRUE, options, &root, error))
    return FALSE;
  g_assert (root == 0);
  if (optimizer != NULL && strata_model_is_compiled (model) &&
      (options == NULL || strata_save_options_get_include_optimizer (options)))
    add_optimizer (w, model, optimizer);
  if (with_signatures)
    add_edge (w, 0, "signatures", add_object (w, "signature_map", 1));
  assign_paths (w);
  assign_slot_paths (w);
  return TRUE;
}

/* ---- protocol buffers ---- */

/* Allocations of one proto tree, freed together. */
typedef struct {
  GPtrArray *blocks;
} Arena;

static gpointer
arena_new (Arena *a, gsize size)
{
  gpointer p = g_malloc0 (size);

  g_ptr_array_add (a->blocks, p);
  return p;
}

static Tsm__ObjectReference **
references (Writer *w, Arena *a, WNode *node)
{
  Tsm__ObjectReference **refs = arena_new (a, sizeof *refs * MAX (node->edges->len, 1));

  for (guint e = 0; e < node->edges->len; e++)
    {
      Edge *edge = &g_array_index (node->edges, Edge, e);

      refs[e] = arena_new (a, sizeof **refs);
      tsm__object_reference__init (refs[e]);
      refs[e]->node_id = (int32_t) edge->child;
      refs[e]->local_name = edge->name;
    }
  return refs;
}

/* A legacy optimizer's slot_variables (none for other nodes). */
static Tsm__SlotVariableReference **
slot_references (Arena *a, WNode *node, size_t *n)
{
  guint len = node->slots != NULL ? node->slots->len : 0;
  Tsm__SlotVariableReference **refs = arena_new (a, sizeof *refs * MAX (len, 1));

  for (guint s = 0; s < len; s++)
    {
      SlotLink *link = &g_array_index (node->slots, SlotLink, s);

      refs[s] = arena_new (a, sizeof **refs);
      tsm__slot_variable_reference__init (refs[s]);
      refs[s]->original_variable_node_id = (int32_t) link->original;
      refs[s]->slot_name = link->slot_name;
      refs[s]->slot_variable_node_id = (int32_t) link->slot;
    }
  *n = len;
  return refs;
}

static Tsm__TensorShapeProto *
shape_proto (Arena *a, StrataShape *shape)
{
  Tsm__TensorShapeProto *proto = arena_new (a, sizeof *proto);
  guint rank = strata_shape_get_rank (shape);

  tsm__tensor_shape_proto__init (proto);
  proto->n_dim = rank;
  proto->dim = arena_new (a, sizeof (Tsm__TensorShapeProto__Dim *) * MAX (rank, 1));
  for (guint i = 0; i < rank; i++)
    {
      proto->dim[i] = arena_new (a, sizeof (Tsm__TensorShapeProto__Dim));
      tsm__tensor_shape_proto__dim__init (proto->dim[i]);
      proto->dim[i]->size = strata_shape_get_dim (shape, i);
    }
  return proto;
}

static Tsm__VersionDef *
version_proto (Arena *a, int producer, int min_consumer)
{
  Tsm__VersionDef *v = arena_new (a, sizeof *v);

  tsm__version_def__init (v);
  v->producer = producer;
  v->min_consumer = min_consumer;
  return v;
}

static GBytes *
pack_trackable_graph (Writer *w)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  Arena a = { blocks };
  Tsm__TrackableObjectGraph tog = TSM__TRACKABLE_OBJECT_GRAPH__INIT;

  tog.n_nodes = w->nodes->len;
  tog.nodes = arena_new (&a, sizeof (Tsm__TrackableObject *) * w->nodes->len);
  for (guint i = 0; i < w->nodes->len; i++)
    {
      WNode *node = node_at (w, i);
      Tsm__TrackableObject *o = arena_new (&a, sizeof *o);

      tsm__trackable_object__init (o);
      o->n_children = node->edges->len;
      o->children = references (w, &a, node);
      o->slot_variables = slot_references (&a, node, &o->n_slot_variables);
      o->has_checkpoint_values = arena_new (&a, sizeof (Tsm__BoolValue));
      tsm__bool_value__init (o->has_checkpoint_values);
      o->has_checkpoint_values->value = TRUE;
      if (node->is_variable)
        {
          Tsm__SerializedTensor *t = arena_new (&a, sizeof *t);

          tsm__serialized_tensor__init (t);
          t->name = (char *) "VARIABLE_VALUE";
          t->full_name = node->var_name;
          t->checkpoint_key = g_strconcat (node->key, "/.ATTRIBUTES/VARIABLE_VALUE", NULL);
          g_ptr_array_add (blocks, t->checkpoint_key);
          o->n_attributes = 1;
          o->attributes = arena_new (&a, sizeof (Tsm__SerializedTensor *));
          o->attributes[0] = t;
        }
      tog.nodes[i] = o;
    }
  return tsm_proto_pack (&tog.base);
}

static GBytes *
pack_saved_model (Writer *w)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  Arena a = { blocks };
  Tsm__SavedModel sm = TSM__SAVED_MODEL__INIT;
  Tsm__MetaGraphDef mg = TSM__META_GRAPH_DEF__INIT;
  Tsm__MetaInfoDef info = TSM__META_INFO_DEF__INIT;
  Tsm__GraphDef graph = TSM__GRAPH_DEF__INIT;
  Tsm__SavedObjectGraph sog = TSM__SAVED_OBJECT_GRAPH__INIT;
  Tsm__MetaGraphDef *graphs[1] = { &mg };
  char *tags[1] = { (char *) "serve" };

  sm.saved_model_schema_version = 1;
  sm.n_meta_graphs = 1;
  sm.meta_graphs = graphs;
  info.n_tags = 1;
  info.tags = tags;
  info.tensorflow_version = (char *) TSM_WRITER_TF_VERSION;
  info.tensorflow_git_version = (char *) "unknown";
  info.stripped_default_attrs = TRUE;
  mg.meta_info_def = &info;
  graph.versions = version_proto (&a, TSM_WRITER_GRAPH_PRODUCER, 12);
  mg.graph_def = &graph;
  mg.object_graph_def = &sog;
  sog.n_nodes = w->nodes->len;
  sog.nodes = arena_new (&a, sizeof (Tsm__SavedObject *) * w->nodes->len);
  for (guint i = 0; i < w->nodes->len; i++)
    {
      WNode *node = node_at (w, i);
      Tsm__SavedObject *o = arena_new (&a, sizeof *o);

      tsm__saved_object__init (o);
      o->n_children = node->edges->len;
      o->children = references (w, &a, node);
      o->slot_variables = slot_references (&a, node, &o->n_slot_variables);
      if (node->is_variable)
        {
          Tsm__SavedVariable *v = arena_new (&a, sizeof *v);

          tsm__saved_variable__init (v);
          v->dtype = tsm_dtype_from_strata (strata_tensor_get_dtype (node->tensor));
          v->shape = shape_proto (&a, strata_tensor_get_shape (node->tensor));
          v->trainable = node->trainable;
          v->synchronization = node->synchronization;
          v->aggregation = node->aggregation;
          v->name = node->var_name;
          o->kind_case = TSM__SAVED_OBJECT__KIND_VARIABLE;
          o->variable = v;
        }
      else
        {
          Tsm__SavedUserObject *u = arena_new (&a, sizeof *u);

          tsm__saved_user_object__init (u);
          u->identifier = (char *) node->identifier;
          u->version = version_proto (&a, node->producer, 1);
          o->kind_case = TSM__SAVED_OBJECT__KIND_USER_OBJECT;
          o->user_object = u;
        }
      sog.nodes[i] = o;
    }
  return tsm_proto_pack (&sm.base);
}

static GBytes *
pack_keras_metadata (Writer *w)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  Arena a = { blocks };
  Tsm__SavedMetadata md = TSM__SAVED_METADATA__INIT;

  md.n_nodes = w->metas->len;
  md.nodes = arena_new (&a, sizeof (Tsm__KerasSavedObject *) * MAX (w->metas->len, 1));
  for (guint i = 0; i < w->metas->len; i++)
    {
      WMeta *meta = g_ptr_array_index (w->metas, i);
      Tsm__KerasSavedObject *o = arena_new (&a, sizeof *o);
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), meta->metadata);

      tsm__keras_saved_object__init (o);
      o->node_id = (int32_t) meta->node;
      o->node_path = node_at (w, meta->node)->node_path;
      o->identifier = (char *) meta->identifier;
      o->metadata = strata_json_to_string (node, FALSE);
      g_ptr_array_add (blocks, o->metadata);
      o->version = version_proto (&a, 2, 1);
      md.nodes[i] = o;
    }
  return tsm_proto_pack (&md.base);
}

/* ---- files ---- */

/* Writes the variables through @bundle (NULL after an error). */
static gboolean
write_bundle (Writer *w, TsmBundleWriter *bundle, StrataSaveOptions *options,
              GCancellable *cancellable, GError **error)
{
  g_autoptr(GBytes) graph = NULL;
  gsize length;
  const void *data;

  if (bundle == NULL)
    return FALSE;
  for (guint i = 0; i < w->nodes->len; i++)
    {
      WNode *node = node_at (w, i);
      g_autofree char *key = NULL;
      GBytes *bytes;
      guint rank;
      const gint64 *dims;
      int dtype;

      if (!node->is_variable)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      strata_save_options_report_progress (options, (double) i / w->nodes->len, _("Writing variables"));
      key = g_strconcat (node->key, "/.ATTRIBUTES/VARIABLE_VALUE", NULL);
      bytes = strata_tensor_get_data (node->tensor);
      dims = strata_shape_get_dims (strata_tensor_get_shape (node->tensor), &rank);
      dtype = tsm_dtype_from_strata (strata_tensor_get_dtype (node->tensor));
      if (bytes == NULL)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                       /* Translators: the placeholder is a variable name. */
                       _("The variable “%s” has no data (the model was loaded with metadata only); "
                         "it cannot be saved"), node->var_name);
          return FALSE;
        }
      data = g_bytes_get_data (bytes, &length);
      if (!tsm_bundle_writer_add_tensor (bundle, key, dtype, rank, dims, data, length, error))
        return FALSE;
      /* Each variable is read once: a model larger than memory streams. */
      strata_mapped_release (data, length);
    }
  graph = pack_trackable_graph (w);
  data = g_bytes_get_data (graph, &length);
  return tsm_bundle_writer_add_string (bundle, TSM_OBJECT_GRAPH_KEY, data, length, error) &&
         tsm_bundle_writer_finish (bundle, error);
}

/* Writes a whole file of the save's temporary: the save flushes it to
 * disk and moves it into place. */
static gboolean
write_bytes (const char *path, GBytes *bytes, GError **error)
{
  gsize length;
  const void *data = g_bytes_get_data (bytes, &length);

  return tsm_write_file (path, data, length, error);
}

static gboolean
make_dir (const char *path, GError **error)
{
  if (g_mkdir (path, 0777) == 0 || errno == EEXIST)
    return TRUE;
  /* Translators: the first placeholder is a folder, the second an error message. */
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _("Could not create “%s”: %s"),
               path, g_strerror (errno));
  return FALSE;
}

gboolean
tsm_save_model (StrataModel *model, const char *dir, StrataSaveOptions *options,
                GCancellable *cancellable, GError **error)
{
  g_auto(Writer) w = { 0 };
  g_autofree char *variables = g_build_filename (dir, "variables", NULL);
  g_autofree char *prefix = g_build_filename (dir, "variables", "variables", NULL);
  g_autofree char *assets = g_build_filename (dir, "assets", NULL);
  g_autofree char *metadata_path = g_build_filename (dir, "keras_metadata.pb", NULL);
  g_autofree char *pb_path = g_build_filename (dir, "saved_model.pb", NULL);
  g_autoptr(GBytes) metadata = NULL;
  g_autoptr(GBytes) saved_model = NULL;
  g_autoptr(TsmBundleWriter) bundle = NULL;

  writer_init (&w, TRUE);
  strata_save_options_report_progress (options, 0.0, _("Building the object graph"));
  if (!build_graph (&w, model, options, TRUE, error))
    return FALSE;
  metadata = pack_keras_metadata (&w);
  saved_model = pack_saved_model (&w);
  /* TensorFlow's order: variables, assets, then saved_model.pb last (the
   * caller makes the whole folder appear at once). */
  if (!make_dir (variables, error))
    return FALSE;
  bundle = tsm_bundle_writer_new (prefix, error);
  return bundle != NULL &&
         write_bundle (&w, bundle, options, cancellable, error) &&
         make_dir (assets, error) &&
         write_bytes (metadata_path, metadata, error) &&
         !g_cancellable_set_error_if_cancelled (cancellable, error) &&
         write_bytes (pb_path, saved_model, error);
}

/* The temporary of one file of a checkpoint, beside it. */
static StrataSaveTarget *
file_target (const char *path, GError **error)
{
  GStatBuf st;

  return strata_save_target_new (path, FALSE, g_stat (path, &st) == 0 ? &st : NULL, error);
}

static const char *
target_path (StrataSaveTarget *target)
{
  return g_file_peek_path (strata_save_target_get_file (target));
}

/* Messages name the checkpoint's files, not their temporaries. */
static void
name_targets_in (StrataSaveTarget **targets, guint n, GError **error)
{
  for (guint i = 0; error != NULL && *error != NULL && i < n; i++)
    if (targets[i] != NULL)
      strata_save_target_name_target_in (targets[i], *error);
}

/* A second name, in a temporary folder beside them, for those of @paths
 * that exist, so that a failure between two moves can put the old files
 * back. The folder goes when @aside is freed (or, after a kill, with the
 * next save's clean-up). */
static StrataSaveTarget *
keep_old_files (const char *prefix, const char *const *paths, guint n, GError **error)
{
  g_autoptr(StrataSaveTarget) aside = strata_save_target_new (prefix, TRUE, NULL, error);

  for (guint i = 0; aside != NULL && i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);
      g_autofree char *link_path = g_build_filename (target_path (aside), name, NULL);

      if (link (paths[i], link_path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          /* Translators: the first placeholder is a file, the second an error message. */
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Could not replace “%s”: %s"),
                       paths[i], g_strerror (saved));
          return NULL;
        }
    }
  return g_steal_pointer (&aside);
}

/* Puts back the first @n of @paths as keep_old_files kept them; one that
 * did not exist is removed again. Best effort. */
static void
put_back_old_files (StrataSaveTarget *aside, const char *const *paths, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);
      g_autofree char *link_path = g_build_filename (target_path (aside), name, NULL);

      if (g_rename (link_path, paths[i]) != 0 && errno == ENOENT)
        g_unlink (paths[i]);
    }
}

gboolean
tsm_save_weights (StrataModel *model, const char *prefix, StrataSaveOptions *options,
                  GCancellable *cancellable, GError **error)
{
  g_auto(Writer) w = { 0 };
  g_autofree char *dir = g_path_get_dirname (prefix);
  g_autofree char *base = g_path_get_basename (prefix);
  g_autofree char *index = g_strconcat (prefix, ".index", NULL);
  g_autofree char *data = g_strconcat (prefix, ".data-00000-of-00001", NULL);
  g_autofree char *state_path = g_build_filename (dir, "checkpoint", NULL);
  const char *const paths[] = { data, index, state_path };
  g_autofree char *quoted = NULL;
  g_autofree char *state = NULL;
  StrataSaveTarget *targets[G_N_ELEMENTS (paths)] = { NULL };
  g_autoptr(StrataSaveTarget) aside = NULL;
  g_autoptr(TsmBundleWriter) bundle = NULL;
  guint committed = 0;
  gboolean ok;

  if (g_file_test (index, G_FILE_TEST_EXISTS) && options != NULL &&
      !strata_save_options_get_overwrite (options))
    {
      /* Translators: the placeholder is a file. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("“%s” already exists and overwriting is off"),
                   index);
      return FALSE;
    }
  writer_init (&w, FALSE);
  if (!build_graph (&w, model, options, FALSE, error))
    return FALSE;

  /* Each file is written to a temporary beside it (which a kill leaves
   * for the next save to remove), then each is flushed and moved into
   * place: the data shard, its index, then the state file that names
   * them, as tf-keras does. A failure in between puts the old files back.
   * No file system replaces two files at once: a kill between the moves
   * leaves the new data under the old index, whose tensor checksums then
   * fail to match. */
  /* tf-keras: update_checkpoint_state_internal(save_relative_paths=True). */
  quoted = g_strescape (base, NULL);
  state = g_strdup_printf ("model_checkpoint_path: \"%s\"\nall_model_checkpoint_paths: \"%s\"\n",
                           quoted, quoted);
  ok = TRUE;
  for (guint i = 0; ok && i < G_N_ELEMENTS (paths); i++)
    ok = (targets[i] = file_target (paths[i], error)) != NULL;
  ok = ok &&
       (bundle = tsm_bundle_writer_new_for_files (target_path (targets[0]),
                                                  target_path (targets[1]), error)) != NULL &&
       write_bundle (&w, bundle, options, cancellable, error) &&
       tsm_write_file (target_path (targets[2]), state, strlen (state), error) &&
       !g_cancellable_set_error_if_cancelled (cancellable, error) &&
       (aside = keep_old_files (prefix, paths, G_N_ELEMENTS (paths), error)) != NULL;
  while (ok && committed < G_N_ELEMENTS (paths))
    ok = strata_save_target_commit (targets[committed++], FALSE, error);
  /* Including the one that failed, which may have been moved. */
  if (!ok && committed > 0)
    put_back_old_files (aside, paths, committed);
  name_targets_in (targets, G_N_ELEMENTS (targets), error);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    g_clear_pointer (&targets[i], strata_save_target_free);
  return ok;
}
