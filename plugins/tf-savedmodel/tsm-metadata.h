/* tsm-metadata.h: the Keras metadata of a SavedModel, plain C
 *
 * tf-keras describes each Keras object (model, layer, metric) of a
 * SavedModel with a JSON document: in keras_metadata.pb (TF >= 2.5), or
 * before that in SavedUserObject.metadata of saved_model.pb. The JSON is
 * Python's (NaN, Infinity) with tf-keras json_utils encodings: tuples as
 * {"class_name": "__tuple__", "items": [...]}, shapes as
 * {"class_name": "TensorShape", "items": [...]}, which are decoded into
 * the plain lists Keras configs hold everywhere else.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "tsm-graph.h"

G_BEGIN_DECLS

typedef struct {
  int         node_id;      /* SavedObjectGraph node */
  char       *node_path;    /* "root.layer_with_weights-0" */
  char       *identifier;   /* "_tf_keras_layer" ... */
  JsonObject *metadata;     /* decoded; NULL when the mode skipped it */
} TsmKerasNode;

void tsm_keras_node_free (TsmKerasNode *node);

typedef enum {
  TSM_METADATA_NONE,        /* no Keras object at all */
  TSM_METADATA_FILE,        /* keras_metadata.pb */
  TSM_METADATA_LEGACY,      /* SavedUserObject.metadata (TF < 2.5) */
} TsmMetadataSource;

/* How much of the metadata JSON tsm_metadata_read() reads. Only the
 * root's (node 0: the model, with its whole config) is needed to build a
 * model; a layer's repeats its part of the root's. The root's JSON is about
 * half of keras_metadata.pb, the layers' the other half. */
typedef enum {
  TSM_METADATA_DECODE_ALL,    /* every node's JSON decoded */
  TSM_METADATA_CHECK_OTHERS,  /* the root's decoded; the others' parsed to check
                               * that they are JSON objects (a corrupt one
                               * fails, as in tf-keras), metadata left NULL */
  TSM_METADATA_ROOT_ONLY,     /* the root's decoded; the others' not read at
                               * all (metadata-only opens, inspection) */
} TsmMetadataMode;

/* The Keras nodes of a SavedModel, root first when there is one.
 * @keras_metadata_path is the path of keras_metadata.pb (read when it
 * exists), @sog the SavedObjectGraph and @graph its checked edges.
 * Returns (element-type TsmKerasNode) or NULL with an error; *@source says
 * where they came from. Keras objects without metadata fail. Every node's
 * id and path are checked whatever @mode says. */
GPtrArray *tsm_metadata_read   (const char             *keras_metadata_path,
                                Tsm__SavedObjectGraph  *sog,
                                const TsmGraph         *graph,
                                TsmMetadataMode         mode,
                                TsmMetadataSource      *source,
                                GError                **error);

/* Decodes one metadata JSON text: Python JSON, json_utils encodings
 * replaced by plain values; must be an object. @what and @where name it. */
JsonObject *tsm_metadata_decode (const char  *text,
                                 gsize        length,
                                 const char  *what,
                                 const char  *where,
                                 GError     **error);

/* Whether @identifier names a Keras object (tf-keras "_tf_keras_*"). */
gboolean   tsm_metadata_is_keras_identifier (const char *identifier);

/* A new node that takes over @object / @array (json_node_init_object()
 * and json_node_init_array() take a reference of their own). */
static inline JsonNode *
tsm_json_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static inline JsonNode *
tsm_json_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

G_END_DECLS
