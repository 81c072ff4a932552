/* fuzz-object-graph.c: libFuzzer target for the SavedModel object graph
 * walk (tsm-graph.c behind tsm-proto.c)
 *
 * An input is a saved_model.pb (bit 0 of the first byte clear) or a
 * checkpoint's TrackableObjectGraph (bit 0 set), after that byte. It is
 * unpacked with the bounded unpacker (a saved_model.pb with bit 1 set as
 * tsm_saved_model_open() reads it: without graph_def, into an arena); a graph that passes the checks is
 * walked as the loader walks it: tf-keras node paths, each path resolved
 * again, every node's Keras variables, `variables` lists, checkpoint keys
 * and the child names a model's layers have. Any outcome but a crash, a
 * sanitizer report or a leak is fine.
 *
 * Seeds: tests/tf-savedmodel/fuzz-object-graph-corpus (object graphs of
 * small SavedModels Strata wrote), plus real files:
 *
 *   /work/build-fuzz/tests/tf-savedmodel/fuzz-object-graph -max_total_time=600 \
 *     /work/build-fuzz/corpus-graph tests/tf-savedmodel/fuzz-object-graph-corpus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "tsm-graph.h"
#include "tsm-proto.h"
#include "tsm_saved_model.pb-c.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
walk (const TsmGraph *graph, const TsmNodeKinds *kinds, Tsm__TrackableObjectGraph *tog)
{
  g_autoptr(GPtrArray) paths = tsm_graph_node_paths (graph);

  for (guint i = 0; i < graph->n_nodes; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GArray) variables = NULL;
      g_autoptr(GArray) items = NULL;

      if (path != NULL)
        {
          g_autoptr(GError) error = NULL;
          int node = tsm_graph_resolve_path (graph, path, &error);

          /* the first path to a node resolves to it, unless an edge name
           * holds a dot */
          g_assert (node >= 0 || error != NULL);
        }
      if (kinds->is_object (kinds->data, (int) i))
        variables = tsm_graph_layer_variables (graph, kinds, i);
      items = tsm_graph_list_items (graph, kinds, (int) i);
      for (guint j = 0; variables != NULL && j < variables->len; j++)
        {
          int id = g_array_index (variables, int, j);
          g_autoptr(GError) error = NULL;

          g_assert (id >= 0 && (guint) id < graph->n_nodes);
          if (tog != NULL)
            (void) tsm_graph_checkpoint_key (tog, (guint) id, "fuzz", &error);
        }
      (void) tsm_graph_child (graph, i, "layer-0");
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  TsmGraph graph = { 0 };
  TsmNodeKinds kinds;

  if (size < 1)
    return 0;
  if ((data[0] & 1) == 0)
    {
      /* Bit 1: as tsm_saved_model_open() reads it, without graph_def, into an arena. */
      gboolean as_open = (data[0] & 2) != 0;
      g_autoptr(GBytes) dropped = as_open ? tsm_proto_drop_nested (data + 1, size - 1, 2, 2) : NULL;
      g_autoptr(TsmProtoArena) arena = NULL;
      const guint8 *bytes = data + 1;
      gsize length = size - 1;
      Tsm__SavedModel *sm;
      Tsm__SavedObjectGraph *sog;

      if (dropped != NULL)
        bytes = g_bytes_get_data (dropped, &length);
      if (as_open)
        sm = (Tsm__SavedModel *) tsm_proto_unpack_in_arena (&tsm__saved_model__descriptor, bytes, length,
                                                            "fuzz", "saved_model.pb", &arena, &error);
      else
        sm = (Tsm__SavedModel *) tsm_proto_unpack (&tsm__saved_model__descriptor, bytes, length,
                                                   "fuzz", "saved_model.pb", &error);

      if (sm == NULL)
        return 0;
      sog = sm->n_meta_graphs > 0 ? sm->meta_graphs[0]->object_graph_def : NULL;
      if (sog != NULL)
        {
          tsm_graph_init_saved (&graph, sog, "fuzz");
          if (tsm_graph_check (&graph, NULL))
            {
              gboolean slots_ok = TRUE;

              for (guint i = 0; i < graph.n_nodes && slots_ok; i++)
                slots_ok = tsm_graph_check_slots (&graph, sog->nodes[i]->n_slot_variables,
                                                  sog->nodes[i]->slot_variables, i, NULL);
              tsm_node_kinds_saved (&kinds, sog);
              if (slots_ok)
                walk (&graph, &kinds, NULL);
            }
          tsm_graph_clear (&graph);
        }
      if (!as_open)
        protobuf_c_message_free_unpacked (&sm->base, NULL);
    }
  else
    {
      Tsm__TrackableObjectGraph *tog = (Tsm__TrackableObjectGraph *)
        tsm_proto_unpack (&tsm__trackable_object_graph__descriptor, data + 1, size - 1, "fuzz",
                          "object graph", &error);

      if (tog == NULL)
        return 0;
      tsm_graph_init_trackable (&graph, tog, "fuzz");
      if (tsm_graph_check (&graph, NULL))
        {
          tsm_node_kinds_trackable (&kinds, tog);
          walk (&graph, &kinds, tog);
        }
      tsm_graph_clear (&graph);
      protobuf_c_message_free_unpacked (&tog->base, NULL);
    }
  return 0;
}
