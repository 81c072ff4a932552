/* tsm-savedmodel.h: opening SavedModel folders and TF checkpoints, plain C
 *
 * A SavedModel folder holds saved_model.pb (one MetaGraphDef with the
 * SavedObjectGraph for TF 2 files), variables/variables.{index,data-*}
 * (a TensorBundle whose _CHECKPOINTABLE_OBJECT_GRAPH entry is the
 * TrackableObjectGraph) and, from tf-keras 2.5 on, keras_metadata.pb. A TF
 * checkpoint (model.save_weights("ckpt")) is the bundle alone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "tsm-bundle.h"
#include "tsm-graph.h"
#include "tsm-proto.h"
#include "tsm_saved_model.pb-c.h"

G_BEGIN_DECLS

#define TSM_OBJECT_GRAPH_KEY "_CHECKPOINTABLE_OBJECT_GRAPH"

/* A bundle with its object graph. */
typedef struct {
  TsmBundle                 *bundle;
  TsmProtoArena             *arena;    /* holds @tog */
  Tsm__TrackableObjectGraph *tog;      /* NULL for a TF 1 bundle without one */
  TsmGraph                   graph;    /* edges of @tog, checked */
} TsmCheckpoint;

/* Opens PREFIX.index and reads and checks its object graph. A bundle
 * without one (TF 1) opens when @need_graph is FALSE. */
TsmCheckpoint *tsm_checkpoint_open (const char *prefix, gboolean need_graph, GError **error);
void           tsm_checkpoint_free (TsmCheckpoint *ckpt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmCheckpoint, tsm_checkpoint_free)

/* The checkpoint prefix a user means by @path, as tf-keras load_weights
 * takes it: PREFIX itself (PREFIX.index exists), a folder or a `checkpoint`
 * file naming the latest checkpoint (model_checkpoint_path), or a
 * SavedModel folder (its variables/variables). NULL when @path is none of
 * these (no error set then). */
char          *tsm_checkpoint_resolve_prefix (const char *path);

typedef struct {
  char                  *dir;
  char                  *pb_path;          /* DIR/saved_model.pb */
  TsmProtoArena         *arena;            /* holds @sm */
  Tsm__SavedModel       *sm;               /* graph_def left out: see tsm_saved_model_open() */
  Tsm__MetaGraphDef     *meta_graph;       /* the one with the object graph, else the first */
  Tsm__SavedObjectGraph *sog;              /* NULL for a TF 1 export */
  TsmGraph               graph;            /* edges of @sog, checked */
} TsmSavedModel;

/* Reads and checks DIR/saved_model.pb. The MetaGraphDefs' graph_def (the
 * traced functions, most of the file) is left out: Strata runs none of
 * it, and protobuf-c would copy it whole as unknown fields. */
TsmSavedModel *tsm_saved_model_open (const char *dir, GError **error);
void           tsm_saved_model_free (TsmSavedModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsmSavedModel, tsm_saved_model_free)

/* DIR/variables/variables. */
char          *tsm_saved_model_variables_prefix (TsmSavedModel *model);

/* For every SavedObjectGraph node, the TrackableObjectGraph node reached
 * from the root by the same child names, or -1 (functions and other nodes
 * the checkpoint does not hold). (element-type int, length sog n_nodes) */
GArray        *tsm_saved_model_map_nodes (TsmSavedModel *model, TsmCheckpoint *ckpt);

/* The value of SavedObjectGraph variable node @node, checked against its
 * SavedVariable and the bundle entry (dtype, shape). @tog_node is its node
 * in the checkpoint graph. With @metadata_only the tensor has no data and
 * no weight byte is read. */
StrataTensor  *tsm_read_variable (TsmCheckpoint *ckpt, guint tog_node,
                                  const Tsm__SavedVariable *variable,
                                  gboolean metadata_only, GError **error);

G_END_DECLS
