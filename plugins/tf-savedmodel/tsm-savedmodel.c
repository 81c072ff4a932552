/* tsm-savedmodel.c: opening SavedModel folders and TF checkpoints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-savedmodel.h"

#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"
#include "tsm-proto.h"

/* ---- checkpoints ---- */

void
tsm_checkpoint_free (TsmCheckpoint *ckpt)
{
  if (ckpt == NULL)
    return;
  tsm_graph_clear (&ckpt->graph);
  g_clear_pointer (&ckpt->arena, tsm_proto_arena_free);
  g_clear_pointer (&ckpt->bundle, tsm_bundle_free);
  g_free (ckpt);
}

TsmCheckpoint *
tsm_checkpoint_open (const char *prefix, gboolean need_graph, GError **error)
{
  g_autoptr(TsmCheckpoint) ckpt = g_new0 (TsmCheckpoint, 1);
  g_autofree char *index = g_strconcat (prefix, ".index", NULL);
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  const TsmEntry *entry;
  GBytes *payload;
  gsize length;
  const guint8 *data;

  ckpt->bundle = tsm_bundle_open (prefix, error);
  if (ckpt->bundle == NULL)
    return NULL;
  entry = tsm_bundle_lookup (ckpt->bundle, TSM_OBJECT_GRAPH_KEY, &local);
  if (entry == NULL)
    {
      if (!need_graph)
        return g_steal_pointer (&ckpt);
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the placeholder is a file name. */
                   _("The checkpoint “%s” has no object graph (_CHECKPOINTABLE_OBJECT_GRAPH): it "
                     "was not written by TensorFlow 2"), index);
      return NULL;
    }
  if (entry->dtype != TSM_DT_STRING || entry->rank != 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the placeholder is a file name. */
                   _("The object graph entry of the checkpoint “%s” is not a string scalar"), index);
      return NULL;
    }
  strings = tsm_bundle_read_strings (ckpt->bundle, entry, error);
  if (strings == NULL)
    return NULL;
  payload = g_ptr_array_index (strings, 0);
  data = g_bytes_get_data (payload, &length);
  ckpt->tog = (Tsm__TrackableObjectGraph *)
    tsm_proto_unpack_in_arena (&tsm__trackable_object_graph__descriptor,
                               data != NULL ? data : (const guint8 *) "", length, index,
                               TSM_OBJECT_GRAPH_KEY, &ckpt->arena, error);
  if (ckpt->tog == NULL)
    return NULL;
  tsm_graph_init_trackable (&ckpt->graph, ckpt->tog, index);
  if (!tsm_graph_check (&ckpt->graph, error))
    return NULL;
  for (guint i = 0; i < ckpt->graph.n_nodes; i++)
    if (!tsm_graph_check_slots (&ckpt->graph, ckpt->tog->nodes[i]->n_slot_variables,
                                ckpt->tog->nodes[i]->slot_variables, i, error))
      return NULL;
  return g_steal_pointer (&ckpt);
}

/* model_checkpoint_path of a `checkpoint` file (a CheckpointState text
 * proto), relative to the file's folder. */
static char *
checkpoint_state_path (const char *state_file)
{
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length;

  if (!g_file_get_contents (state_file, &text, &length, NULL) || length > (1 << 20))
    return NULL;
  dir = g_path_get_dirname (state_file);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      const char *key = "model_checkpoint_path:";
      char *start, *end;
      g_autofree char *value = NULL;

      if (!g_str_has_prefix (line, key))
        continue;
      start = strchr (line + strlen (key), '"');
      end = start != NULL ? strrchr (start + 1, '"') : NULL;
      if (end == NULL)
        return NULL;
      *end = '\0';
      value = g_strcompress (start + 1);
      if (g_path_is_absolute (value))
        return g_steal_pointer (&value);
      return g_build_filename (dir, value, NULL);
    }
  return NULL;
}

static gboolean
has_index (const char *prefix)
{
  g_autofree char *index = g_strconcat (prefix, ".index", NULL);

  return g_file_test (index, G_FILE_TEST_IS_REGULAR);
}

char *
tsm_checkpoint_resolve_prefix (const char *path)
{
  g_autofree char *state = NULL;
  g_autofree char *from_state = NULL;

  if (has_index (path))
    return g_strdup (path);
  if (g_str_has_suffix (path, ".index"))
    {
      g_autofree char *prefix = g_strndup (path, strlen (path) - strlen (".index"));

      if (has_index (prefix))
        return g_steal_pointer (&prefix);
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *variables = g_build_filename (path, "variables", "variables", NULL);
      g_autofree char *pb = g_build_filename (path, "saved_model.pb", NULL);

      if (g_file_test (pb, G_FILE_TEST_IS_REGULAR) && has_index (variables))
        return g_steal_pointer (&variables);
      state = g_build_filename (path, "checkpoint", NULL);
    }
  else
    {
      g_autofree char *basename = g_path_get_basename (path);

      if (g_str_equal (basename, "checkpoint"))
        state = g_strdup (path);
    }
  if (state != NULL && g_file_test (state, G_FILE_TEST_IS_REGULAR))
    from_state = checkpoint_state_path (state);
  if (from_state != NULL && has_index (from_state))
    return g_steal_pointer (&from_state);
  return NULL;
}

/* ---- SavedModel folders ---- */

void
tsm_saved_model_free (TsmSavedModel *model)
{
  if (model == NULL)
    return;
  tsm_graph_clear (&model->graph);
  g_clear_pointer (&model->arena, tsm_proto_arena_free);
  g_free (model->dir);
  g_free (model->pb_path);
  g_free (model);
}

TsmSavedModel *
tsm_saved_model_open (const char *dir, GError **error)
{
  g_autoptr(TsmSavedModel) model = g_new0 (TsmSavedModel, 1);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) stripped = NULL;
  const guint8 *data;
  gsize length;

  model->dir = g_strdup (dir);
  model->pb_path = g_build_filename (dir, "saved_model.pb", NULL);
  if (!g_file_test (model->pb_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *pbtxt = g_build_filename (dir, "saved_model.pbtxt", NULL);

      if (g_file_test (pbtxt, G_FILE_TEST_IS_REGULAR))
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                     /* Translators: the placeholder is a folder. */
                     _("The SavedModel “%s” is stored as text (saved_model.pbtxt), which Strata "
                       "does not read"), dir);
      else
        g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                     /* Translators: the placeholder is a folder. */
                     _("“%s” has no saved_model.pb"), dir);
      return NULL;
    }
  mapped = tsm_proto_map_file (model->pb_path, "saved_model.pb", error);
  if (mapped == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);
  /* SavedModel.meta_graphs (2) without MetaGraphDef.graph_def (2). */
  stripped = tsm_proto_drop_nested (data, length, 2, 2);
  if (stripped != NULL)
    data = g_bytes_get_data (stripped, &length);
  model->sm = (Tsm__SavedModel *) tsm_proto_unpack_in_arena (&tsm__saved_model__descriptor,
                                                             data, length, model->pb_path,
                                                             "saved_model.pb", &model->arena,
                                                             error);
  if (model->sm == NULL)
    return NULL;
  if (model->sm->n_meta_graphs == 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the placeholder is a file. */
                   _("“%s” holds no MetaGraphDef"), model->pb_path);
      return NULL;
    }
  /* TF 2 loads the object graph of the single MetaGraphDef; TF 1 exports
   * may hold several graphs, and none has an object graph. */
  model->meta_graph = model->sm->meta_graphs[0];
  if (model->sm->n_meta_graphs == 1 && model->meta_graph->object_graph_def != NULL &&
      model->meta_graph->object_graph_def->n_nodes > 0)
    {
      model->sog = model->meta_graph->object_graph_def;
      tsm_graph_init_saved (&model->graph, model->sog, model->pb_path);
      if (!tsm_graph_check (&model->graph, error))
        return NULL;
      for (guint i = 0; i < model->graph.n_nodes; i++)
        if (!tsm_graph_check_slots (&model->graph, model->sog->nodes[i]->n_slot_variables,
                                    model->sog->nodes[i]->slot_variables, i, error))
          return NULL;
    }
  return g_steal_pointer (&model);
}

char *
tsm_saved_model_variables_prefix (TsmSavedModel *model)
{
  return g_build_filename (model->dir, "variables", "variables", NULL);
}

GArray *
tsm_saved_model_map_nodes (TsmSavedModel *model, TsmCheckpoint *ckpt)
{
  guint n = model->graph.n_nodes;
  GArray *map = g_array_sized_new (FALSE, FALSE, sizeof (int), n);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  guint root = 0;

  g_array_set_size (map, n);
  for (guint i = 0; i < n; i++)
    g_array_index (map, int, i) = -1;
  if (n == 0 || ckpt->tog == NULL || ckpt->graph.n_nodes == 0)
    return map;
  g_array_index (map, int, 0) = 0;
  g_array_append_val (queue, root);
  for (guint q = 0; q < queue->len; q++)
    {
      guint node = g_array_index (queue, guint, q);
      int tnode = g_array_index (map, int, node);

      for (gsize c = 0; c < model->graph.n_children[node]; c++)
        {
          Tsm__ObjectReference *ref = model->graph.children[node][c];
          int tchild;

          if (g_array_index (map, int, ref->node_id) >= 0)
            continue;
          tchild = tsm_graph_child (&ckpt->graph, (guint) tnode, ref->local_name);
          if (tchild < 0)
            continue;
          g_array_index (map, int, ref->node_id) = tchild;
          g_array_append_val (queue, ref->node_id);
        }
    }
  /* Optimizer slots are no children: match them by their variable and name. */
  for (guint node = 0; node < n; node++)
    {
      Tsm__SavedObject *o = model->sog->nodes[node];
      int tnode = g_array_index (map, int, node);
      Tsm__TrackableObject *t = tnode >= 0 ? ckpt->tog->nodes[tnode] : NULL;

      for (gsize i = 0; t != NULL && i < o->n_slot_variables; i++)
        {
          Tsm__SlotVariableReference *s = o->slot_variables[i];
          int original = g_array_index (map, int, s->original_variable_node_id);

          for (gsize j = 0; original >= 0 && j < t->n_slot_variables; j++)
            if (t->slot_variables[j]->original_variable_node_id == original &&
                g_strcmp0 (t->slot_variables[j]->slot_name, s->slot_name) == 0 &&
                g_array_index (map, int, s->slot_variable_node_id) < 0)
              g_array_index (map, int, s->slot_variable_node_id) = t->slot_variables[j]->slot_variable_node_id;
        }
    }
  return map;
}

static char *
dims_string (guint rank, const gint64 *dims)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; i < rank; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", dims[i]);
  if (rank == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

static gboolean
check_declared (TsmCheckpoint *ckpt, const TsmEntry *entry, guint tog_node,
                const Tsm__SavedVariable *variable, GError **error)
{
  const char *index = tsm_bundle_get_prefix (ckpt->bundle);
  gint64 dims[TSM_MAX_RANK];
  guint rank;
  gboolean same;

  if (variable == NULL)
    return TRUE;
  /* TF 2.2 left dtype and shape out of SavedVariable: nothing to compare. */
  if (variable->dtype != 0 && variable->dtype != entry->dtype)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a variable name, a node number, a checkpoint prefix, the declared
                    * dtype, a checkpoint key, then the stored dtype; dtypes look like float32 */
                   _("The variable “%s” (node %u) of the SavedModel at “%s” is declared %s, but "
                     "its value “%s” in the checkpoint is %s"),
                   variable->name, tog_node, index, tsm_dtype_name (variable->dtype),
                   entry->key, tsm_dtype_name (entry->dtype));
      return FALSE;
    }
  if (variable->shape == NULL || variable->shape->unknown_rank)
    return TRUE;
  rank = (guint) MIN (variable->shape->n_dim, TSM_MAX_RANK);
  same = variable->shape->n_dim == entry->rank;
  for (guint i = 0; i < rank; i++)
    {
      dims[i] = variable->shape->dim[i]->size;
      same = same && (dims[i] < 0 || dims[i] == entry->dims[i]);
    }
  if (!same)
    {
      g_autofree char *declared = dims_string (rank, dims);
      g_autofree char *stored = dims_string (entry->rank, entry->dims);

      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: a variable name, a node number, a checkpoint prefix, the declared
                    * shape, a checkpoint key, then the stored shape; shapes look like (None, 3) */
                   _("The variable “%s” (node %u) of the SavedModel at “%s” is declared with "
                     "shape %s, but its value “%s” in the checkpoint has shape %s"),
                   variable->name, tog_node, index, declared, entry->key, stored);
      return FALSE;
    }
  return TRUE;
}

StrataTensor *
tsm_read_variable (TsmCheckpoint *ckpt, guint tog_node, const Tsm__SavedVariable *variable,
                   gboolean metadata_only, GError **error)
{
  const char *index = tsm_bundle_get_prefix (ckpt->bundle);
  const char *key = tsm_graph_checkpoint_key (ckpt->tog, tog_node, index, error);
  const TsmEntry *entry;
  g_autoptr(StrataShape) shape = NULL;
  g_autoptr(GBytes) bytes = NULL;
  StrataDType dtype;

  if (key == NULL)
    return NULL;
  entry = tsm_bundle_lookup (ckpt->bundle, key, error);
  if (entry == NULL || !check_declared (ckpt, entry, tog_node, variable, error))
    return NULL;
  dtype = tsm_dtype_to_strata (entry->dtype);
  if (dtype == STRATA_DTYPE_INVALID)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
                   /* Translators: a checkpoint key, a checkpoint prefix, then a TensorFlow dtype
                    * name such as string */
                   _("The value “%s” in the checkpoint “%s” has the dtype %s, which Keras weights "
                     "do not use"), key, index, tsm_dtype_name (entry->dtype));
      return NULL;
    }
  shape = strata_shape_new (entry->rank, entry->dims);
  if (metadata_only)
    return strata_tensor_new_metadata (dtype, shape);
  bytes = tsm_bundle_read_tensor (ckpt->bundle, entry, error);
  if (bytes == NULL)
    return NULL;
  return strata_tensor_new (dtype, shape, bytes, error);
}
