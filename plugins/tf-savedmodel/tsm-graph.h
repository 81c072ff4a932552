/* tsm-graph.h: the object graphs of a SavedModel or checkpoint, plain C
 *
 * A SavedModel describes its Python objects twice: the SavedObjectGraph in
 * saved_model.pb (kinds: Keras objects, variables, functions...) and the
 * checkpoint's TrackableObjectGraph (which tensor in the bundle holds each
 * variable). Both are lists of nodes whose children are named edges; node
 * 0 is the root. This file checks them (every edge lands on a node, no
 * cycle) and walks them by edge names, never by guessing from key names.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "tsm_saved_model.pb-c.h"

G_BEGIN_DECLS

/* The edges of either graph. */
typedef struct {
  guint                   n_nodes;
  gsize                  *n_children;   /* [n_nodes] */
  Tsm__ObjectReference ***children;     /* [n_nodes] */
  const char             *file;         /* named in errors */
  const char             *what;         /* "object graph", "checkpoint object graph" */
} TsmGraph;

void     tsm_graph_init_saved     (TsmGraph *graph, Tsm__SavedObjectGraph *sog,
                                   const char *file);
void     tsm_graph_init_trackable (TsmGraph *graph, Tsm__TrackableObjectGraph *tog,
                                   const char *file);
void     tsm_graph_clear          (TsmGraph *graph);

/* Every child and slot reference lands on a node, and no node is its own
 * descendant. Slot references are checked by tsm_graph_check_slots(). */
gboolean tsm_graph_check          (const TsmGraph *graph, GError **error);
gboolean tsm_graph_check_slots    (const TsmGraph *graph, gsize n_slots,
                                   Tsm__SlotVariableReference **slots, guint node,
                                   GError **error);

/* The child of @node named @name, or -1. */
int      tsm_graph_child          (const TsmGraph *graph, guint node, const char *name);

/* Resolves a keras_metadata node path ("root.layer_with_weights-0.cell")
 * by child names from node 0. */
int      tsm_graph_resolve_path   (const TsmGraph *graph, const char *node_path,
                                   GError **error);

/* The path of every node reachable from the root, as tf-keras names them
 * ("root", "root.layer-0", ...): depth first, children in order, each node
 * named by the first path that reaches it; NULL for unreachable nodes.
 * (element-type utf8, owned, length n_nodes) */
GPtrArray *tsm_graph_node_paths   (const TsmGraph *graph);

/* What the nodes of a graph are: the SavedObjectGraph says (kind, the
 * variable's trainable flag); a checkpoint's graph knows only which nodes
 * hold values. */
typedef struct {
  gboolean (*is_variable) (gpointer data, int node);
  gboolean (*is_object)   (gpointer data, int node);   /* may own variables */
  int      (*trainable)   (gpointer data, int node);   /* 1, 0, or -1: unknown */
  gpointer   data;
} TsmNodeKinds;

void     tsm_node_kinds_saved     (TsmNodeKinds *kinds, Tsm__SavedObjectGraph *sog);
void     tsm_node_kinds_trackable (TsmNodeKinds *kinds, Tsm__TrackableObjectGraph *tog);

/* The variables a Keras layer node owns, in Keras's `layer.weights` order:
 * the node's `variables` list when the traces were saved, else its own
 * variables and then those of its sub-layers (depth first, declaration
 * order), trainable ones first when that is known. Returns node ids. */
GArray  *tsm_graph_layer_variables (const TsmGraph *graph, const TsmNodeKinds *kinds, guint node);

/* The variable children of @node in order (ids), or NULL when @node is
 * not a list of variables ("0", "1", ... in any order). */
GArray  *tsm_graph_list_items      (const TsmGraph *graph, const TsmNodeKinds *kinds, int node);

/* The checkpoint key of variable node @node of the TrackableObjectGraph
 * (its VARIABLE_VALUE attribute), or NULL with an error. */
const char *tsm_graph_checkpoint_key (Tsm__TrackableObjectGraph *tog, guint node,
                                      const char *file, GError **error);

/* Escapes one local name as a key component: "." -> "..", "/" -> ".S". */
char    *tsm_graph_escape_local_name (const char *name);

G_END_DECLS
