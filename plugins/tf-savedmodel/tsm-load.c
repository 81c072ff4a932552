/* tsm-load.c: SavedModels and TF checkpoints into Strata models
 *
 * The model comes from the root's Keras metadata (its config), built with
 * the core's config reader. Weights are found as tf-keras finds them: the
 * model's layers are its `layer-<i>` children in the object graph, a
 * layer's variables are the variable nodes below it (tsm-graph.c), and the
 * checkpoint object graph gives each variable's key in the bundle.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-load.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "tsm-metadata.h"

/* The checkpoint of a SavedModel, opened on a second thread while the
 * first reads saved_model.pb and the Keras metadata: neither needs the
 * other until the weights are looked up. */
typedef struct {
  GThread             *thread;
  char                *prefix;
  TsmCheckpoint       *ckpt;
  GError              *error;
} CheckpointOpening;

typedef struct {
  const char          *where;          /* the folder or prefix, for messages */
  TsmSavedModel       *sm;             /* NULL when loading a checkpoint alone */
  TsmCheckpoint       *ckpt;
  GArray              *map;            /* SavedObjectGraph node -> checkpoint node */
  const TsmGraph      *graph;          /* the graph walked: sm's, else the checkpoint's */
  TsmNodeKinds         kinds;
  gboolean             metadata_only;
  StrataWeightsReport *report;         /* load_weights only */
  StrataLoadOptions   *options;
  GCancellable        *cancellable;
  guint                done, total;    /* progress, in layers */
  GHashTable          *weight_rank;    /* variable node -> 1 + its place in model.weights */
  CheckpointOpening    opening;
} TsmLoad;

static gpointer
opening_main (gpointer data)
{
  CheckpointOpening *opening = data;

  opening->ckpt = tsm_checkpoint_open (opening->prefix, TRUE, &opening->error);
  return NULL;
}

static void
start_opening_checkpoint (TsmLoad *ld, const char *dir)
{
  ld->opening.prefix = g_build_filename (dir, "variables", "variables", NULL);
  /* without a thread, open_checkpoint() opens it */
  ld->opening.thread = g_thread_try_new ("strata-checkpoint", opening_main, &ld->opening, NULL);
}

/* Waits for the checkpoint opened on the second thread, if one was started. */
static void
finish_opening_checkpoint (TsmLoad *ld)
{
  if (ld->opening.thread != NULL)
    g_thread_join (g_steal_pointer (&ld->opening.thread));
}

static void
tsm_load_clear (TsmLoad *ld)
{
  finish_opening_checkpoint (ld);
  g_clear_pointer (&ld->opening.ckpt, tsm_checkpoint_free);
  g_clear_error (&ld->opening.error);
  g_clear_pointer (&ld->opening.prefix, g_free);
  g_clear_pointer (&ld->map, g_array_unref);
  g_clear_pointer (&ld->weight_rank, g_hash_table_unref);
  g_clear_pointer (&ld->ckpt, tsm_checkpoint_free);
  g_clear_pointer (&ld->sm, tsm_saved_model_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TsmLoad, tsm_load_clear)

/* The value of variable node @node of the walked graph. */
static StrataTensor *
read_node (TsmLoad *ld, int node, GError **error)
{
  const Tsm__SavedVariable *variable = NULL;
  int tog_node = node;
  StrataTensor *tensor;

  if (ld->sm != NULL)
    {
      Tsm__SavedObject *o = ld->sm->sog->nodes[node];

      variable = o->kind_case == TSM__SAVED_OBJECT__KIND_VARIABLE ? o->variable : NULL;
      tog_node = g_array_index (ld->map, int, node);
      if (tog_node < 0)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the placeholders are: a variable name, a node number, a
                        * folder. */
                       _("The variable “%s” (node %d) of the SavedModel “%s” has no value in "
                         "variables/: the checkpoint's object graph does not reach it"),
                       variable != NULL ? variable->name : "", node, ld->where);
          return NULL;
        }
    }
  tensor = tsm_read_variable (ld->ckpt, (guint) tog_node, variable, ld->metadata_only, error);
  if (tensor != NULL && variable != NULL && variable->name[0] != '\0')
    {
      g_autofree char *name = g_strconcat (variable->name, ":0", NULL);

      strata_tensor_set_name (tensor, name);
    }
  return tensor;
}

static const char *
last_component (const char *name)
{
  const char *slash = strrchr (name, '/');

  return slash != NULL ? slash + 1 : name;
}

/* A layer Strata cannot build (an unknown class) takes the variables as
 * they are. */
static gboolean
adopt_variables (TsmLoad *ld, StrataLayer *layer, GArray *ids, GError **error)
{
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < ids->len; i++)
    {
      int id = g_array_index (ids, int, i);
      StrataTensor *tensor = read_node (ld, id, error);
      const char *name;
      g_autofree char *fallback = NULL;

      if (tensor == NULL)
        return FALSE;
      g_ptr_array_add (tensors, tensor);
      name = strata_tensor_get_name (tensor);
      if (name == NULL)
        name = fallback = g_strdup_printf ("variable_%u", i);
      {
        g_autofree char *short_name = g_strdup (last_component (name));
        char *colon = strrchr (short_name, ':');

        if (colon != NULL)
          *colon = '\0';
        if (strata_layer_add_weight (layer, short_name, strata_tensor_get_shape (tensor),
                                     strata_tensor_get_dtype (tensor), NULL,
                                     strata_layer_get_trainable (layer), error) == NULL)
          return FALSE;
      }
    }
  return strata_layer_set_weights (layer, tensors, error);
}

static gboolean
assign_layer (TsmLoad *ld, StrataLayer *layer, guint node, const char *path, GError **error)
{
  const char *name = strata_layer_get_name (layer);
  g_autoptr(GArray) ids = tsm_graph_layer_variables (ld->graph, &ld->kinds, node);
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);

  for (guint i = 0; i < ids->len; i++)
    {
      gpointer key = GINT_TO_POINTER (g_array_index (ids, int, i));

      if (!g_hash_table_contains (ld->weight_rank, key))
        g_hash_table_insert (ld->weight_rank, key,
                             GUINT_TO_POINTER (g_hash_table_size (ld->weight_rank) + 1));
    }
  if (weights->len == 0 && ids->len == 0)
    return TRUE;
  if (weights->len == 0 && !STRATA_IS_MODEL (layer) &&
      (STRATA_IS_OPAQUE_LAYER (layer) || !strata_layer_is_built (layer)))
    return adopt_variables (ld, layer, ids, error);
  if (weights->len != ids->len)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: a layer name, its node path such as root.layer-0, a folder, the
                    * number of weights, then the number of variables */
                   _("Layer “%s” (“%s” in “%s”) has %u weight(s), but the object graph holds %u "
                     "variable(s) for it"), name, path, ld->where, weights->len, ids->len);
      return FALSE;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      StrataTensor *expected = g_ptr_array_index (weights, i);
      g_autoptr(StrataTensor) tensor = read_node (ld, g_array_index (ids, int, i), error);

      if (tensor == NULL)
        return FALSE;
      if (!strata_shape_equal (strata_tensor_get_shape (expected), strata_tensor_get_shape (tensor)))
        {
          g_autofree char *e = strata_shape_to_string (strata_tensor_get_shape (expected));
          g_autofree char *f = strata_shape_to_string (strata_tensor_get_shape (tensor));

          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                       /* Translators: a layer name, its node path such as root.layer-0, a folder, a
                        * weight number, the expected shape, a variable name, then its shape */
                       _("Layer “%s” (“%s” in “%s”): weight %u expects shape %s, but the variable "
                         "“%s” has shape %s"), name, path, ld->where, i, e,
                       strata_tensor_get_name (tensor) != NULL ? strata_tensor_get_name (tensor) : "",
                       f);
          return FALSE;
        }
      if (strata_tensor_get_dtype (tensor) != strata_tensor_get_dtype (expected))
        {
          StrataTensor *cast = strata_tensor_cast (tensor, strata_tensor_get_dtype (expected), error);

          if (cast == NULL)
            return FALSE;
          g_object_unref (tensor);
          tensor = cast;
        }
      g_object_unref (g_ptr_array_index (weights, i));
      g_ptr_array_index (weights, i) = g_steal_pointer (&tensor);
    }
  if (!strata_layer_set_weights (layer, weights, error))
    {
      /* Translators: the first placeholder is a layer name, the second a folder. */
      g_prefix_error (error, _("Layer “%s” of “%s”: "), name, ld->where);
      return FALSE;
    }
  if (ld->report != NULL)
    strata_weights_report_add_matched (ld->report, name);
  return TRUE;
}

/* A Sequential's `layer-<i>` edges number its tracked `_layers`. From TF 2.0
 * to 2.1 that list starts with the auto-generated InputLayer, which
 * `model.layers` omits; then the graph holds one `layer-` edge more than the
 * model has layers, and model.layers[i] is `layer-<i+1>`. */
static guint
sequential_edge_offset (TsmLoad *ld, StrataModel *model, guint node)
{
  g_autofree char *extra = NULL;

  if (!STRATA_IS_SEQUENTIAL (model))
    return 0;
  extra = g_strdup_printf ("layer-%u", strata_model_get_n_layers (model));
  return tsm_graph_child (ld->graph, node, extra) >= 0 ? 1 : 0;
}

/* model.layers[i] is the object graph's child `layer-<i>` (Sequential and
 * Functional track every layer under that name). */
static gboolean
assign_model (TsmLoad *ld, StrataModel *model, guint node, const char *path, guint depth,
              GError **error)
{
  guint n = strata_model_get_n_layers (model);
  guint offset = sequential_edge_offset (ld, model, node);

  for (guint i = 0; i < n; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);
      g_autofree char *edge = g_strdup_printf ("layer-%u", i + offset);
      g_autofree char *child_path = g_strconcat (path, ".", edge, NULL);
      int child = tsm_graph_child (ld->graph, node, edge);
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
        return FALSE;
      strata_load_options_report_progress (ld->options, (double) ld->done++ / MAX (ld->total, 1),
                                           _("Reading weights"));
      if (child < 0)
        {
          g_autoptr(GPtrArray) weights = strata_layer_get_weights (layer);

          if (ld->report != NULL)
            {
              if (weights->len > 0)
                strata_weights_report_add_missing (ld->report, strata_layer_get_name (layer));
              continue;
            }
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the placeholders are: a node path, a folder, a layer name. */
                       _("The object graph of “%s” has no node “%s” for the layer “%s”"),
                       ld->where, child_path, strata_layer_get_name (layer));
          return FALSE;
        }
      if (STRATA_IS_MODEL (layer) && depth < 64)
        ok = assign_model (ld, STRATA_MODEL (layer), (guint) child, child_path, depth + 1, error);
      else
        ok = assign_layer (ld, layer, (guint) child, child_path, error);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static guint
count_layers (StrataModel *model, guint depth)
{
  guint n = strata_model_get_n_layers (model), total = n;

  for (guint i = 0; i < n && depth < 64; i++)
    {
      StrataLayer *layer = strata_model_get_layer_at (model, i);

      if (STRATA_IS_MODEL (layer))
        total += count_layers (STRATA_MODEL (layer), depth + 1);
    }
  return total;
}

/* Ends the metadata-only build: every weight must have its data. */
static gboolean
finish_model (TsmLoad *ld, StrataModel *model, GError **error)
{
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

  for (guint i = 0; i < weights->len; i++)
    if (!strata_tensor_has_data (g_ptr_array_index (weights, i)))
      {
        g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                     /* Translators: the placeholders are: a folder, a weight name, a model name. */
                     _("“%s” holds no value for the weight “%s” of the model “%s”"), ld->where,
                     strata_tensor_get_name (g_ptr_array_index (weights, i)),
                     strata_layer_get_name (STRATA_LAYER (model)));
        return FALSE;
      }
  return strata_layer_set_weights (STRATA_LAYER (model), weights, error);
}

/* ---- optimizer state ---- */

typedef struct {
  guint rank;      /* of the slot's variable in model.weights; G_MAXUINT: not the model's */
  guint listed;    /* its place in the object graph's list */
  int   node;
} SlotRef;

static int
compare_slots (gconstpointer a, gconstpointer b)
{
  const SlotRef *x = a, *y = b;

  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  return x->listed < y->listed ? -1 : x->listed > y->listed;
}

/* Appends the slot variables named @slot_name of optimizer @o in the order
 * of their variables in model.trainable_weights, the order in which Keras
 * creates them and lists them in optimizer.weights (and .h5 files). The
 * object graph lists slots by node instead (TF 2.0-2.8 put the layers of a
 * nested model after the outer model's own), so the order is taken from
 * each slot's original_variable_node_id, which keeps every slot attached
 * to its variable; slots of variables outside the model come last. */
static void
append_slots (TsmLoad *ld, gsize n_slots, Tsm__SlotVariableReference **slots, const char *slot_name,
              GArray *ids)
{
  g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (SlotRef));

  for (gsize i = 0; i < n_slots; i++)
    {
      Tsm__SlotVariableReference *ref = slots[i];
      gpointer rank = g_hash_table_lookup (ld->weight_rank, GINT_TO_POINTER (ref->original_variable_node_id));
      SlotRef r = { rank != NULL ? GPOINTER_TO_UINT (rank) : G_MAXUINT, (guint) i, ref->slot_variable_node_id };

      if (g_str_equal (ref->slot_name, slot_name) && ld->kinds.is_variable (ld->kinds.data, r.node))
        g_array_append_val (refs, r);
    }
  g_array_sort (refs, compare_slots);
  for (guint i = 0; i < refs->len; i++)
    g_array_append_val (ids, g_array_index (refs, SlotRef, i).node);
}

/* The optimizer's variables in Keras's optimizer.variables() order: new
 * optimizers (tf-keras >= 2.11) list them in `_variables`; legacy
 * OptimizerV2 has `iter` and slot variables, which Keras creates one slot
 * name at a time for all variables. */
static GArray *
optimizer_variables (TsmLoad *ld, int node)
{
  gsize n_slots;
  Tsm__SlotVariableReference **slots;
  GArray *ids;
  int base = tsm_graph_child (ld->graph, (guint) node, "base_optimizer");
  int iter;
  g_autoptr(GPtrArray) slot_names = NULL;

  if (base >= 0)
    return optimizer_variables (ld, base);   /* LossScaleOptimizer */
  ids = tsm_graph_list_items (ld->graph, &ld->kinds, tsm_graph_child (ld->graph, (guint) node, "_variables"));
  if (ids != NULL)
    return ids;
  ids = g_array_new (FALSE, FALSE, sizeof (int));
  iter = tsm_graph_child (ld->graph, (guint) node, "iter");
  if (iter >= 0 && ld->kinds.is_variable (ld->kinds.data, iter))
    g_array_append_val (ids, iter);
  /* a SavedModel's or a checkpoint's graph (load_weights) */
  n_slots = ld->sm != NULL ? ld->sm->sog->nodes[node]->n_slot_variables : ld->ckpt->tog->nodes[node]->n_slot_variables;
  slots = ld->sm != NULL ? ld->sm->sog->nodes[node]->slot_variables : ld->ckpt->tog->nodes[node]->slot_variables;
  slot_names = g_ptr_array_new ();
  for (gsize i = 0; i < n_slots; i++)
    if (!g_ptr_array_find_with_equal_func (slot_names, slots[i]->slot_name, g_str_equal, NULL))
      g_ptr_array_add (slot_names, slots[i]->slot_name);
  for (guint s = 0; s < slot_names->len; s++)
    append_slots (ld, n_slots, slots, g_ptr_array_index (slot_names, s), ids);
  return ids;
}

/* A LossScaleOptimizer's own variables (tf-keras, any version: its
 * `loss_scale` object's current_loss_scale and good_steps), which Keras 3
 * keeps as dynamic_scale and step_counter. */
static GArray *
loss_scale_variables (TsmLoad *ld, int node)
{
  static const char *const names[] = { "current_loss_scale", "good_steps" };
  int scale = tsm_graph_child (ld->graph, (guint) node, "loss_scale");
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; scale >= 0 && i < G_N_ELEMENTS (names); i++)
    {
      int id = tsm_graph_child (ld->graph, (guint) scale, names[i]);

      if (id >= 0 && ld->kinds.is_variable (ld->kinds.data, id))
        g_array_append_val (ids, id);
    }
  return ids;
}

static GPtrArray *
read_nodes (TsmLoad *ld, GArray *ids, GError **error)
{
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < ids->len; i++)
    {
      StrataTensor *tensor = read_node (ld, g_array_index (ids, int, i), error);

      if (tensor == NULL)
        {
          /* Translators: a folder or checkpoint name */
          g_prefix_error (error, _("The optimizer state of “%s”: "), ld->where);
          return NULL;
        }
      /* a checkpoint's variables have the name their object graph gives */
      if (strata_tensor_get_name (tensor) == NULL && ld->sm == NULL)
        {
          Tsm__TrackableObject *o = ld->ckpt->tog->nodes[g_array_index (ids, int, i)];

          if (o->n_attributes > 0 && o->attributes[0]->full_name[0] != '\0')
            {
              g_autofree char *name = g_strconcat (o->attributes[0]->full_name, ":0", NULL);

              strata_tensor_set_name (tensor, name);
            }
        }
      g_ptr_array_add (tensors, tensor);
    }
  return g_steal_pointer (&tensors);
}

/* Whether @tensors have the count, dtypes and shapes of @current. */
static gboolean
same_layout (GPtrArray *current, GPtrArray *tensors)
{
  if (current->len != tensors->len)
    return FALSE;
  for (guint i = 0; i < current->len; i++)
    {
      StrataTensor *a = g_ptr_array_index (current, i), *b = g_ptr_array_index (tensors, i);

      if (strata_tensor_get_dtype (a) != strata_tensor_get_dtype (b) ||
          !strata_shape_equal (strata_tensor_get_shape (a), strata_tensor_get_shape (b)))
        return FALSE;
    }
  return TRUE;
}

/* Reads the optimizer state into the model's optimizer. With @restore
 * (load_weights), only into state of the same layout, as TensorFlow
 * restores a checkpoint into the optimizer's variables: a model compiled
 * with another optimizer keeps its own. */
static gboolean
load_optimizer_state (TsmLoad *ld, StrataModel *model, gboolean restore, GError **error)
{
  StrataOptimizer *optimizer = strata_model_get_optimizer (model);
  int node = tsm_graph_child (ld->graph, 0, "optimizer");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) wrapper_ids = NULL;
  g_autoptr(GPtrArray) tensors = NULL;
  g_autoptr(GPtrArray) wrapper = NULL;

  if (optimizer == NULL || node < 0 || !ld->kinds.is_object (ld->kinds.data, node))
    return TRUE;
  ids = optimizer_variables (ld, node);
  wrapper_ids = loss_scale_variables (ld, node);
  if ((tensors = read_nodes (ld, ids, error)) == NULL ||
      (wrapper = read_nodes (ld, wrapper_ids, error)) == NULL)
    return FALSE;
  if (restore && !same_layout (strata_optimizer_get_weights (optimizer), tensors))
    return TRUE;
  strata_optimizer_clear_weights (optimizer);
  for (guint i = 0; i < tensors->len; i++)
    strata_optimizer_add_weight (optimizer, g_ptr_array_index (tensors, i));
  for (guint i = 0; i < wrapper->len; i++)
    strata_optimizer_add_wrapper_weight (optimizer, g_ptr_array_index (wrapper, i));
  return TRUE;
}

/* ---- load_model ---- */

char *
tsm_describe_contents (TsmSavedModel *model)
{
  Tsm__MetaGraphDef *mg = model->meta_graph;
  Tsm__MetaInfoDef *info = mg->meta_info_def;
  GString *s = g_string_new (NULL);
  const char *version = info != NULL && info->tensorflow_version[0] != '\0' ? info->tensorflow_version : NULL;
  guint n_sigs = 0;

  if (model->sog == NULL)
    {
      if (version != NULL)
        /* Translators: the placeholder is a TensorFlow version. */
        g_string_append_printf (s, _("a TensorFlow %s graph export"), version);
      else
        g_string_append (s, _("a TensorFlow graph export"));
    }
  else
    {
      Tsm__SavedObject *root = model->sog->nodes[0];
      const char *identifier = root->kind_case == TSM__SAVED_OBJECT__KIND_USER_OBJECT ?
                               root->user_object->identifier : "";

      /* Translators: the first placeholder is a TensorFlow version, the
       * second a TensorFlow object type such as “_generic_user_object”. */
      g_string_append_printf (s, _("a TensorFlow %s object graph whose root is a “%s” (tf.Module)"),
                              version != NULL ? version : "2", identifier);
    }
  for (gsize i = 0; info != NULL && i < info->n_tags; i++)
    g_string_append_printf (s, "%s“%s”", i == 0 ? _(", tags ") : ", ", info->tags[i]);
  for (gsize i = 0; i < mg->n_signature_def; i++)
    {
      const char *name = mg->signature_def[i]->key;

      if (g_str_has_prefix (name, "__"))
        continue;
      g_string_append_printf (s, "%s“%s”", n_sigs++ == 0 ? _(", signatures ") : ", ", name);
    }
  return g_string_free (s, FALSE);
}

static gboolean
no_keras_model (TsmSavedModel *sm, GError **error)
{
  g_autofree char *contents = tsm_describe_contents (sm);

  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
               /* Translators: the first placeholder is a folder, the second describes what it holds
                * (“a TensorFlow 1.14.0 graph export, tags “serve”, …”). */
               _("The SavedModel “%s” holds no Keras model: it holds %s. “strata info” shows its "
                 "signatures and variables"), sm->dir, contents);
  return FALSE;
}

static TsmKerasNode *
find_root (GPtrArray *nodes)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      TsmKerasNode *node = g_ptr_array_index (nodes, i);

      if (node->node_id == 0)
        return node;
    }
  return NULL;
}

/* {"class_name", "config"} of the root's metadata. */
static JsonObject *
model_config (TsmKerasNode *root, const char *dir, GError **error)
{
  JsonObject *object;
  JsonNode *class_name = json_object_get_member (root->metadata, "class_name");
  JsonNode *config = json_object_get_member (root->metadata, "config");

  if (class_name == NULL || config == NULL || !JSON_NODE_HOLDS_OBJECT (config) ||
      json_object_has_member (json_node_get_object (config), "layer was saved without config"))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the first placeholder is a folder, the second an identifier. */
                   _("The Keras model in “%s” (%s) was saved without its config; only its traced "
                     "functions could revive it, which Strata does not run"), dir, root->identifier);
      return NULL;
    }
  if (g_str_equal (root->identifier, "_tf_keras_layer") || g_str_equal (root->identifier, "_tf_keras_input_layer") ||
      g_str_equal (root->identifier, "_tf_keras_rnn_layer") || g_str_equal (root->identifier, "_tf_keras_metric"))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the first placeholder is a folder, the second an identifier. */
                   _("The SavedModel “%s” holds a single Keras layer (%s), not a model"), dir,
                   root->identifier);
      return NULL;
    }
  object = json_object_new ();
  json_object_set_member (object, "class_name", json_node_copy (class_name));
  json_object_set_member (object, "config", json_node_copy (config));
  return object;
}

static gboolean
open_checkpoint (TsmLoad *ld, GError **error)
{
  g_autofree char *prefix = tsm_saved_model_variables_prefix (ld->sm);

  if (ld->opening.prefix != NULL)
    {
      finish_opening_checkpoint (ld);
      if (ld->opening.ckpt == NULL && ld->opening.error == NULL)
        ld->opening.ckpt = tsm_checkpoint_open (prefix, TRUE, &ld->opening.error);
      ld->ckpt = g_steal_pointer (&ld->opening.ckpt);
      if (ld->ckpt == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&ld->opening.error));
          return FALSE;
        }
    }
  else if ((ld->ckpt = tsm_checkpoint_open (prefix, TRUE, error)) == NULL)
    return FALSE;
  ld->map = tsm_saved_model_map_nodes (ld->sm, ld->ckpt);
  return TRUE;
}

StrataModel *
tsm_load_model (const char *dir, StrataLoadOptions *options, GCancellable *cancellable,
                GError **error)
{
  g_auto(TsmLoad) ld = { 0 };
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autofree char *metadata_path = g_build_filename (dir, "keras_metadata.pb", NULL);
  TsmMetadataSource source;
  TsmKerasNode *root;
  StrataLoadFlags flags = strata_load_options_get_flags (options);
  JsonNode *tc;

  ld.where = dir;
  ld.weight_rank = g_hash_table_new (NULL, NULL);
  ld.options = options;
  ld.cancellable = cancellable;
  ld.metadata_only = (flags & STRATA_LOAD_METADATA_ONLY) != 0;
  strata_load_options_report_progress (options, 0.0, _("Reading the model config"));
  start_opening_checkpoint (&ld, dir);
  ld.sm = tsm_saved_model_open (dir, error);
  if (ld.sm == NULL)
    return NULL;
  if (ld.sm->sog == NULL)
    return no_keras_model (ld.sm, error), NULL;
  nodes = tsm_metadata_read (metadata_path, ld.sm->sog, &ld.sm->graph,
                            ld.metadata_only ? TSM_METADATA_ROOT_ONLY : TSM_METADATA_CHECK_OTHERS,
                            &source, error);
  if (nodes == NULL)
    return NULL;
  if (source == TSM_METADATA_NONE)
    return no_keras_model (ld.sm, error), NULL;
  root = find_root (nodes);
  if (root == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: the placeholder is a folder. */
                   _("The SavedModel “%s” holds Keras layers, but its root object is not a Keras "
                     "model"), dir);
      return NULL;
    }
  config = model_config (root, dir, error);
  if (config == NULL)
    return NULL;
  /* Nothing changes the parsed metadata from here on: sealed, the layers
   * keep their configs by reference instead of deep copies (see
   * strata_layer_set_stored_config()). */
  json_object_seal (config);
  model = strata_model_from_config (config, strata_load_options_get_registry (options),
                                    flags | STRATA_LOAD_METADATA_ONLY, error);
  if (model == NULL)
    {
      /* Translators: the placeholder is a folder. */
      g_prefix_error (error, _("In the Keras metadata of “%s”: "), dir);
      return NULL;
    }
  if (json_object_has_member (root->metadata, "keras_version") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (root->metadata, "keras_version")))
    strata_model_set_keras_version (model, json_object_get_string_member (root->metadata, "keras_version"));
  if (json_object_has_member (root->metadata, "backend") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (root->metadata, "backend")))
    strata_model_set_backend (model, json_object_get_string_member (root->metadata, "backend"));

  if (!open_checkpoint (&ld, error))
    return NULL;
  /* The model is new: its tensors may be checked after they are all read
   * (on other cores meanwhile), as nobody sees them before. */
  if (!ld.metadata_only)
    tsm_bundle_defer_checks (ld.ckpt->bundle);
  ld.graph = &ld.sm->graph;
  tsm_node_kinds_saved (&ld.kinds, ld.sm->sog);
  ld.total = count_layers (model, 0);
  if (!assign_model (&ld, model, 0, "root", 0, error) ||
      (!ld.metadata_only && !finish_model (&ld, model, error)))
    return NULL;

  tc = json_object_get_member (root->metadata, "training_config");
  if (strata_load_options_get_compile (options) && tc != NULL && JSON_NODE_HOLDS_OBJECT (tc))
    {
      if (!strata_model_compile (model, json_node_get_object (tc), error))
        {
          /* Translators: the placeholder is a folder. */
          g_prefix_error (error, _("Cannot compile the model from the training config of “%s”: "), dir);
          return NULL;
        }
      if (!load_optimizer_state (&ld, model, FALSE, error))
        return NULL;
    }
  if (!tsm_bundle_finish_checks (ld.ckpt->bundle, error))
    return NULL;
  strata_load_options_report_progress (options, 1.0, NULL);
  return g_steal_pointer (&model);
}

/* ---- load_weights ---- */

StrataWeightsReport *
tsm_load_weights (StrataModel *model, const char *path, StrataLoadOptions *options,
                  GCancellable *cancellable, GError **error)
{
  g_auto(TsmLoad) ld = { 0 };
  g_autoptr(StrataWeightsReport) report = strata_weights_report_new ();
  g_autofree char *prefix = tsm_checkpoint_resolve_prefix (path);

  if (strata_load_options_get_by_name (options))
    {
      /* tf-keras refuses it too (Model.load_weights, TensorFlow format). */
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: the placeholder is a path. */
                   _("Weights may only be loaded based on topology into Models when loading "
                     "TensorFlow-formatted weights (got by_name=True to load_weights for “%s”)"),
                   path);
      return NULL;
    }
  if (strata_load_options_get_skip_mismatch (options))
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                   /* Translators: the placeholder is a path. */
                   _("When calling model.load_weights, skip_mismatch can only be set to True when "
                     "by_name is True (“%s”)"), path);
      return NULL;
    }
  if (prefix == NULL)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the placeholder is a path. */
                   _("“%s” is not a TensorFlow checkpoint: there is no “%s.index”, no “checkpoint” "
                     "file naming one, and no SavedModel variables/ folder"), path, path);
      return NULL;
    }
  ld.where = prefix;
  ld.weight_rank = g_hash_table_new (NULL, NULL);
  ld.options = options;
  ld.cancellable = cancellable;
  ld.report = report;
  ld.ckpt = tsm_checkpoint_open (prefix, TRUE, error);
  if (ld.ckpt == NULL)
    return NULL;
  ld.graph = &ld.ckpt->graph;
  tsm_node_kinds_trackable (&ld.kinds, ld.ckpt->tog);
  ld.total = count_layers (model, 0);
  if (!assign_model (&ld, model, 0, "root", 0, error))
    return NULL;
  if (strata_weights_report_get_matched (report) == NULL ||
      g_strv_length ((GStrv) strata_weights_report_get_matched (report)) == 0)
    {
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (STRATA_LAYER (model));

      if (weights->len > 0)
        {
          /* tf-keras: status.assert_nontrivial_match(). */
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT,
                       /* Translators: the first placeholder is a checkpoint prefix, the second a
                        * model name. */
                       _("The checkpoint “%s” holds no value for any weight of the model “%s”"),
                       prefix, strata_layer_get_name (STRATA_LAYER (model)));
          return NULL;
        }
    }
  /* tf-keras's load_weights restores a compiled model's optimizer too */
  if (strata_model_is_compiled (model) && !load_optimizer_state (&ld, model, TRUE, error))
    return NULL;
  strata_load_options_report_progress (options, 1.0, NULL);
  return g_steal_pointer (&report);
}
