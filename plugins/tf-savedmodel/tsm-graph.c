/* tsm-graph.c: checking and walking SavedModel object graphs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-graph.h"

#include <stdlib.h>
#include <string.h>

#include "strata.h"
#include "strata-i18n-private.h"

void
tsm_graph_init_saved (TsmGraph *graph, Tsm__SavedObjectGraph *sog, const char *file)
{
  memset (graph, 0, sizeof *graph);
  graph->n_nodes = sog != NULL ? (guint) MIN (sog->n_nodes, G_MAXINT) : 0;
  graph->n_children = g_new0 (gsize, MAX (graph->n_nodes, 1));
  graph->children = g_new0 (Tsm__ObjectReference **, MAX (graph->n_nodes, 1));
  for (guint i = 0; i < graph->n_nodes; i++)
    {
      graph->n_children[i] = sog->nodes[i]->n_children;
      graph->children[i] = sog->nodes[i]->children;
    }
  graph->file = file;
  graph->what = "saved_model.pb";
}

void
tsm_graph_init_trackable (TsmGraph *graph, Tsm__TrackableObjectGraph *tog, const char *file)
{
  memset (graph, 0, sizeof *graph);
  graph->n_nodes = tog != NULL ? (guint) MIN (tog->n_nodes, G_MAXINT) : 0;
  graph->n_children = g_new0 (gsize, MAX (graph->n_nodes, 1));
  graph->children = g_new0 (Tsm__ObjectReference **, MAX (graph->n_nodes, 1));
  for (guint i = 0; i < graph->n_nodes; i++)
    {
      graph->n_children[i] = tog->nodes[i]->n_children;
      graph->children[i] = tog->nodes[i]->children;
    }
  graph->file = file;
  graph->what = "_CHECKPOINTABLE_OBJECT_GRAPH";
}

void
tsm_graph_clear (TsmGraph *graph)
{
  g_clear_pointer (&graph->n_children, g_free);
  g_clear_pointer (&graph->children, g_free);
  graph->n_nodes = 0;
}

static gboolean
dangling (const TsmGraph *graph, guint node, const char *name, int target, GError **error)
{
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the object graph's name (saved_model.pb), a file, a node number, an
                * edge name, the node number it leads to, then the number of nodes */
               _("The object graph of %s in “%s”: node %u has a child “%s” → %d, but the graph "
                 "has %u nodes"), graph->what, graph->file, node, name, target, graph->n_nodes);
  return FALSE;
}

gboolean
tsm_graph_check (const TsmGraph *graph, GError **error)
{
  g_autofree guint8 *color = NULL;   /* 0 new, 1 on the path, 2 done */
  g_autoptr(GArray) stack = NULL;    /* pairs (node, next child) */

  if (graph->n_nodes == 0)
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first placeholder is the graph's name, the second the file.
                    * */
                   _("The object graph of %s in “%s” has no nodes"), graph->what, graph->file);
      return FALSE;
    }
  for (guint i = 0; i < graph->n_nodes; i++)
    for (gsize c = 0; c < graph->n_children[i]; c++)
      {
        Tsm__ObjectReference *ref = graph->children[i][c];

        if (ref->node_id < 0 || (guint) ref->node_id >= graph->n_nodes)
          return dangling (graph, i, ref->local_name, ref->node_id, error);
      }

  /* Depth first from every node, with an explicit stack: no recursion. */
  color = g_new0 (guint8, graph->n_nodes);
  stack = g_array_new (FALSE, FALSE, sizeof (gsize) * 2);
  for (guint start = 0; start < graph->n_nodes; start++)
    {
      gsize top[2] = { start, 0 };

      if (color[start] != 0)
        continue;
      color[start] = 1;
      g_array_append_val (stack, top);
      while (stack->len > 0)
        {
          gsize *frame = &g_array_index (stack, gsize, (stack->len - 1) * 2);
          guint node = (guint) frame[0];

          if (frame[1] < graph->n_children[node])
            {
              Tsm__ObjectReference *ref = graph->children[node][frame[1]++];
              gsize next[2] = { (gsize) ref->node_id, 0 };

              /* tf.train.Checkpoint(root=model), as save_weights uses it,
               * gives the root a child “root” that is the root itself;
               * the walks keep a seen set, so such a self-edge is harmless. */
              if ((guint) ref->node_id == node)
                continue;
              if (color[ref->node_id] == 1)
                {
                  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                               /* Translators: the object graph's name (saved_model.pb), a file, a
                                * node number, an edge name, the node number it leads to, then the
                                * first node number again */
                               _("The object graph of %s in “%s” has a cycle: node %u has a "
                                 "child “%s” → %d, which contains node %u"),
                               graph->what, graph->file, node, ref->local_name, ref->node_id, node);
                  return FALSE;
                }
              if (color[ref->node_id] == 0)
                {
                  color[ref->node_id] = 1;
                  g_array_append_val (stack, next);
                }
            }
          else
            {
              color[node] = 2;
              g_array_set_size (stack, stack->len - 1);
            }
        }
    }
  return TRUE;
}

gboolean
tsm_graph_check_slots (const TsmGraph *graph, gsize n_slots, Tsm__SlotVariableReference **slots,
                       guint node, GError **error)
{
  for (gsize i = 0; i < n_slots; i++)
    {
      Tsm__SlotVariableReference *s = slots[i];

      if (s->original_variable_node_id < 0 || (guint) s->original_variable_node_id >= graph->n_nodes)
        return dangling (graph, node, s->slot_name, s->original_variable_node_id, error);
      if (s->slot_variable_node_id < 0 || (guint) s->slot_variable_node_id >= graph->n_nodes)
        return dangling (graph, node, s->slot_name, s->slot_variable_node_id, error);
    }
  return TRUE;
}

int
tsm_graph_child (const TsmGraph *graph, guint node, const char *name)
{
  if (node >= graph->n_nodes)
    return -1;
  for (gsize c = 0; c < graph->n_children[node]; c++)
    if (g_strcmp0 (graph->children[node][c]->local_name, name) == 0)
      return graph->children[node][c]->node_id;
  return -1;
}

int
tsm_graph_resolve_path (const TsmGraph *graph, const char *node_path, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (node_path, ".", -1);
  int node = 0;

  if (parts[0] == NULL || !g_str_equal (parts[0], "root"))
    {
      g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                   /* Translators: the first placeholder is a node path such as “root.layer-0”, the
                    * second a file. */
                   _("The Keras node path “%s” in “%s” does not start at “root”"),
                   node_path, graph->file);
      return -1;
    }
  for (guint i = 1; parts[i] != NULL; i++)
    {
      int next = tsm_graph_child (graph, (guint) node, parts[i]);

      if (next < 0)
        {
          g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
                       /* Translators: the placeholders are: a node path, a file, an edge name, a
                        * node number. */
                       _("The Keras node path “%s” in “%s” does not resolve: node %d has no "
                         "child “%s”"), node_path, graph->file, node, parts[i]);
          return -1;
        }
      node = next;
    }
  return node;
}

GPtrArray *
tsm_graph_node_paths (const TsmGraph *graph)
{
  GPtrArray *paths = g_ptr_array_new_full (graph->n_nodes, g_free);
  g_autoptr(GArray) to_visit = g_array_new (FALSE, FALSE, sizeof (guint));
  guint root = 0;

  g_ptr_array_set_size (paths, graph->n_nodes);
  if (graph->n_nodes == 0)
    return paths;
  /* tf-keras _generate_object_paths: a stack, children named when their
   * parent is taken off it. */
  g_ptr_array_index (paths, 0) = g_strdup ("root");
  g_array_append_val (to_visit, root);
  while (to_visit->len > 0)
    {
      guint node = g_array_index (to_visit, guint, to_visit->len - 1);

      g_array_set_size (to_visit, to_visit->len - 1);
      for (gsize c = 0; c < graph->n_children[node]; c++)
        {
          Tsm__ObjectReference *ref = graph->children[node][c];
          guint child = (guint) ref->node_id;

          if (child >= graph->n_nodes || g_ptr_array_index (paths, child) != NULL)
            continue;
          g_ptr_array_index (paths, child) = g_strconcat (g_ptr_array_index (paths, node), ".",
                                                         ref->local_name, NULL);
          g_array_append_val (to_visit, child);
        }
    }
  return paths;
}

/* Edges of a Keras layer that lead to copies of its variables or to
 * traced functions, never to variables of its own. */
static gboolean
is_attribute_edge (const char *name)
{
  static const char *const names[] = {
    "variables", "trainable_variables", "non_trainable_variables", "regularization_losses",
    "keras_api", "_random_generator", "signatures", "__call__", "_default_save_signature",
    "call_and_return_all_conditional_losses", "call_and_return_conditional_losses",
    "layer_regularization_losses", "layer_metrics",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      return TRUE;
  return FALSE;
}

static Tsm__SavedObject *
saved_node (Tsm__SavedObjectGraph *sog, int id)
{
  return id >= 0 && (gsize) id < sog->n_nodes ? sog->nodes[id] : NULL;
}

static gboolean
saved_is_variable (gpointer data, int node)
{
  Tsm__SavedObject *o = saved_node (data, node);

  return o != NULL && o->kind_case == TSM__SAVED_OBJECT__KIND_VARIABLE;
}

static gboolean
saved_is_object (gpointer data, int node)
{
  Tsm__SavedObject *o = saved_node (data, node);

  return o != NULL && o->kind_case == TSM__SAVED_OBJECT__KIND_USER_OBJECT;
}

static int
saved_trainable (gpointer data, int node)
{
  Tsm__SavedObject *o = saved_node (data, node);

  return o != NULL && o->kind_case == TSM__SAVED_OBJECT__KIND_VARIABLE ? o->variable->trainable : -1;
}

void
tsm_node_kinds_saved (TsmNodeKinds *kinds, Tsm__SavedObjectGraph *sog)
{
  kinds->is_variable = saved_is_variable;
  kinds->is_object = saved_is_object;
  kinds->trainable = saved_trainable;
  kinds->data = sog;
}

static gboolean
trackable_is_variable (gpointer data, int node)
{
  Tsm__TrackableObjectGraph *tog = data;

  if (node < 0 || (gsize) node >= tog->n_nodes)
    return FALSE;
  for (gsize i = 0; i < tog->nodes[node]->n_attributes; i++)
    if (g_strcmp0 (tog->nodes[node]->attributes[i]->name, "VARIABLE_VALUE") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
trackable_is_object (gpointer data, int node)
{
  Tsm__TrackableObjectGraph *tog = data;

  return node >= 0 && (gsize) node < tog->n_nodes && !trackable_is_variable (data, node);
}

static int
trackable_trainable (gpointer data, int node)
{
  return -1;
}

void
tsm_node_kinds_trackable (TsmNodeKinds *kinds, Tsm__TrackableObjectGraph *tog)
{
  kinds->is_variable = trackable_is_variable;
  kinds->is_object = trackable_is_object;
  kinds->trainable = trackable_trainable;
  kinds->data = tog;
}

static int
compare_index_names (gconstpointer a, gconstpointer b)
{
  const Tsm__ObjectReference *ra = *(Tsm__ObjectReference *const *) a;
  const Tsm__ObjectReference *rb = *(Tsm__ObjectReference *const *) b;
  guint64 ia = g_ascii_strtoull (ra->local_name, NULL, 10);
  guint64 ib = g_ascii_strtoull (rb->local_name, NULL, 10);

  return ia < ib ? -1 : ia > ib;
}

GArray *
tsm_graph_list_items (const TsmGraph *graph, const TsmNodeKinds *kinds, int node)
{
  g_autoptr(GPtrArray) refs = NULL;
  GArray *ids;

  if (node < 0 || (guint) node >= graph->n_nodes || !kinds->is_object (kinds->data, node))
    return NULL;
  refs = g_ptr_array_new ();
  for (gsize c = 0; c < graph->n_children[node]; c++)
    {
      Tsm__ObjectReference *ref = graph->children[node][c];
      gsize len = strlen (ref->local_name);

      if (!kinds->is_variable (kinds->data, ref->node_id) || len == 0 || len > 9 ||
          strspn (ref->local_name, "0123456789") != len)
        return NULL;
      g_ptr_array_add (refs, ref);
    }
  g_ptr_array_sort (refs, compare_index_names);
  ids = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < refs->len; i++)
    g_array_append_val (ids, ((Tsm__ObjectReference *) g_ptr_array_index (refs, i))->node_id);
  return ids;
}

GArray *
tsm_graph_layer_variables (const TsmGraph *graph, const TsmNodeKinds *kinds, guint node)
{
  g_autoptr(GArray) found = tsm_graph_list_items (graph, kinds, tsm_graph_child (graph, node, "variables"));
  g_autoptr(GArray) stack = NULL;
  g_autoptr(GHashTable) seen = NULL;
  GArray *ordered;

  if (found != NULL)
    return g_steal_pointer (&found);

  /* Keras gathers a layer's own variables, then its sub-layers' (depth
   * first, in declaration order). Objects are pushed in reverse so that
   * the first child is taken first. The graph has been checked: no cycle,
   * every edge lands on a node. */
  found = g_array_new (FALSE, FALSE, sizeof (int));
  stack = g_array_new (FALSE, FALSE, sizeof (int));
  seen = g_hash_table_new (NULL, NULL);
  g_array_append_val (stack, node);
  g_hash_table_add (seen, GINT_TO_POINTER ((int) node));
  while (stack->len > 0)
    {
      int id = g_array_index (stack, int, stack->len - 1);

      g_array_set_size (stack, stack->len - 1);
      for (gsize c = 0; c < graph->n_children[id]; c++)
        {
          Tsm__ObjectReference *ref = graph->children[id][c];

          if (!is_attribute_edge (ref->local_name) && kinds->is_variable (kinds->data, ref->node_id) &&
              !g_hash_table_contains (seen, GINT_TO_POINTER (ref->node_id)))
            {
              g_hash_table_add (seen, GINT_TO_POINTER (ref->node_id));
              g_array_append_val (found, ref->node_id);
            }
        }
      for (gsize c = graph->n_children[id]; c-- > 0;)
        {
          Tsm__ObjectReference *ref = graph->children[id][c];

          if (!kinds->is_object (kinds->data, ref->node_id) || is_attribute_edge (ref->local_name) ||
              g_hash_table_contains (seen, GINT_TO_POINTER (ref->node_id)))
            continue;
          g_hash_table_add (seen, GINT_TO_POINTER (ref->node_id));
          g_array_append_val (stack, ref->node_id);
        }
    }

  /* Keras's layer.weights: trainable variables first, each group in order. */
  ordered = g_array_sized_new (FALSE, FALSE, sizeof (int), found->len);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < found->len; i++)
      {
        int id = g_array_index (found, int, i);
        int trainable = kinds->trainable (kinds->data, id);

        if ((trainable != 0) == (pass == 0))
          g_array_append_val (ordered, id);
      }
  return ordered;
}

const char *
tsm_graph_checkpoint_key (Tsm__TrackableObjectGraph *tog, guint node, const char *file,
                          GError **error)
{
  Tsm__TrackableObject *o = node < tog->n_nodes ? tog->nodes[node] : NULL;

  for (gsize i = 0; o != NULL && i < o->n_attributes; i++)
    if (g_strcmp0 (o->attributes[i]->name, "VARIABLE_VALUE") == 0 &&
        o->attributes[i]->checkpoint_key[0] != '\0')
      return o->attributes[i]->checkpoint_key;
  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT,
               /* Translators: the first placeholder is a node number, the second a file. */
               _("Node %u of the checkpoint object graph in “%s” is a variable without a "
                 "VARIABLE_VALUE checkpoint key"), node, file);
  return NULL;
}

char *
tsm_graph_escape_local_name (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '.')
        g_string_append (out, "..");
      else if (*p == '/')
        g_string_append (out, ".S");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}
