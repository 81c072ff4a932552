/* test-savedmodel-graph.c: the plain-C parts of the tf-savedmodel format:
 * saved_model.pb parsing, object graph checks and walks, Keras metadata
 * decoding, bounded protobuf unpacking (tf-savedmodel spec §9, 12-16).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "strata.h"
#include "test-utils.h"
#include "tsm-graph.h"
#include "tsm-metadata.h"
#include "tsm-proto.h"
#include "tsm_keras_metadata.pb-c.h"
#include "tsm_saved_model.pb-c.h"

static Tsm__SavedModel *
read_saved_model (const char *relative)
{
  g_autofree char *path = strata_test_real_fixture_path (relative);
  g_autoptr(GError) error = NULL;
  Tsm__SavedModel *sm;

  if (path == NULL)
    return NULL;
  sm = (Tsm__SavedModel *) tsm_proto_read_file (&tsm__saved_model__descriptor, path, "saved_model.pb", &error);
  g_assert_no_error (error);
  g_assert_nonnull (sm);
  return sm;
}

static const char *
child_name (Tsm__SavedObject *o, guint i)
{
  g_assert_cmpuint (i, <, o->n_children);
  return o->children[i]->local_name;
}

/* §9.12 */
static void
test_parse_lso (void)
{
  Tsm__SavedModel *sm = read_saved_model ("tf-keras-testdata/lso_savedmodel_tf2.2/saved_model.pb");
  Tsm__MetaGraphDef *mg;
  Tsm__SavedObject *root;
  Tsm__SignatureDef *serving = NULL;

  if (sm == NULL)
    return;
  g_assert_cmpint (sm->saved_model_schema_version, ==, 1);
  g_assert_cmpuint (sm->n_meta_graphs, ==, 1);
  mg = sm->meta_graphs[0];
  g_assert_cmpuint (mg->meta_info_def->n_tags, ==, 1);
  g_assert_cmpstr (mg->meta_info_def->tags[0], ==, "serve");
  g_assert_cmpstr (mg->meta_info_def->tensorflow_version, ==, "2.2.0-rc2");
  g_assert_cmpint (mg->graph_def->versions->producer, ==, 175);
  g_assert_cmpint (mg->graph_def->versions->min_consumer, ==, 12);
  g_assert_cmpuint (mg->object_graph_def->n_nodes, ==, 45);
  root = mg->object_graph_def->nodes[0];
  g_assert_cmpint (root->kind_case, ==, TSM__SAVED_OBJECT__KIND_USER_OBJECT);
  g_assert_cmpstr (root->user_object->identifier, ==, "_tf_keras_sequential");
  g_assert_cmpstr (child_name (root, 0), ==, "layer_with_weights-0");
  g_assert_cmpint (root->children[0]->node_id, ==, 1);
  g_assert_cmpstr (child_name (root, 1), ==, "layer-0");
  g_assert_cmpint (root->children[1]->node_id, ==, 1);
  g_assert_cmpstr (child_name (root, 2), ==, "optimizer");
  g_assert_cmpint (root->children[2]->node_id, ==, 2);
  for (gsize i = 0; i < mg->n_signature_def; i++)
    if (g_str_equal (mg->signature_def[i]->key, "serving_default"))
      serving = mg->signature_def[i]->value;
  g_assert_nonnull (serving);
  g_assert_cmpuint (serving->n_inputs, ==, 1);
  g_assert_cmpstr (serving->inputs[0]->key, ==, "input_1");
  g_assert_cmpint (serving->inputs[0]->value->dtype, ==, 1);   /* DT_FLOAT */
  g_assert_cmpuint (serving->inputs[0]->value->tensor_shape->n_dim, ==, 2);
  g_assert_cmpint (serving->inputs[0]->value->tensor_shape->dim[0]->size, ==, -1);
  g_assert_cmpint (serving->inputs[0]->value->tensor_shape->dim[1]->size, ==, 2);
  protobuf_c_message_free_unpacked (&sm->base, NULL);
}

static JsonObject *
node_metadata (GPtrArray *nodes, int node_id)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      TsmKerasNode *node = g_ptr_array_index (nodes, i);

      if (node->node_id == node_id)
        return node->metadata;
    }
  return NULL;
}

/* §9.13: no keras_metadata.pb, the JSON is in SavedUserObject.metadata. */
static void
test_legacy_metadata (void)
{
  Tsm__SavedModel *sm = read_saved_model ("tf-keras-testdata/lso_savedmodel_tf2.2/saved_model.pb");
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GError) error = NULL;
  TsmGraph graph;
  TsmMetadataSource source;
  JsonObject *md;
  JsonArray *shape;

  if (sm == NULL)
    return;
  tsm_graph_init_saved (&graph, sm->meta_graphs[0]->object_graph_def, "saved_model.pb");
  g_assert_true (tsm_graph_check (&graph, &error));
  g_assert_no_error (error);
  nodes = tsm_metadata_read ("/nonexistent/keras_metadata.pb", sm->meta_graphs[0]->object_graph_def,
                             &graph, TSM_METADATA_DECODE_ALL, &source, &error);
  g_assert_no_error (error);
  g_assert_cmpint (source, ==, TSM_METADATA_LEGACY);
  md = node_metadata (nodes, 0);
  g_assert_nonnull (md);
  g_assert_cmpstr (json_object_get_string_member (md, "class_name"), ==, "Sequential");
  md = node_metadata (nodes, 1);
  g_assert_nonnull (md);
  g_assert_cmpstr (json_object_get_string_member (md, "class_name"), ==, "Dense");
  /* {"class_name": "TensorShape", "items": [null, 2]} decoded to a list */
  shape = json_object_get_array_member (md, "build_input_shape");
  g_assert_nonnull (shape);
  g_assert_cmpuint (json_array_get_length (shape), ==, 2);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (shape, 0)));
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 2);
  md = node_metadata (nodes, 32);
  g_assert_nonnull (md);
  g_assert_cmpstr (json_object_get_string_member (md, "class_name"), ==, "Mean");
  tsm_graph_clear (&graph);
  protobuf_c_message_free_unpacked (&sm->base, NULL);
}

/* A small object graph: root -layer_with_weights-0-> lstm -cell-> cell
 * -kernel-> variable, and root -variables-> list -0-> the same variable. */
typedef struct {
  Tsm__SavedObjectGraph    sog;
  Tsm__SavedObject        *nodes[5];
  Tsm__SavedObject         storage[5];
  Tsm__SavedUserObject     users[4];
  Tsm__SavedVariable       variable;
  Tsm__ObjectReference     refs[5];
  Tsm__ObjectReference    *children[5][2];
} SmallGraph;

static void
ref_init (SmallGraph *g, guint parent, guint slot, guint ref, int node_id, const char *name)
{
  tsm__object_reference__init (&g->refs[ref]);
  g->refs[ref].node_id = node_id;
  g->refs[ref].local_name = (char *) name;
  g->children[parent][slot] = &g->refs[ref];
  g->storage[parent].n_children = slot + 1;
  g->storage[parent].children = g->children[parent];
}

static void
small_graph_init (SmallGraph *g)
{
  static const char *const identifiers[] = {
    "_tf_keras_network", "_tf_keras_rnn_layer", "_tf_keras_layer", "trackable_list_wrapper",
  };

  memset (g, 0, sizeof *g);
  tsm__saved_object_graph__init (&g->sog);
  for (guint i = 0; i < 5; i++)
    {
      tsm__saved_object__init (&g->storage[i]);
      g->nodes[i] = &g->storage[i];
    }
  for (guint i = 0; i < 4; i++)
    {
      guint node = i < 3 ? i : 4;

      tsm__saved_user_object__init (&g->users[i]);
      g->users[i].identifier = (char *) identifiers[i];
      g->storage[node].kind_case = TSM__SAVED_OBJECT__KIND_USER_OBJECT;
      g->storage[node].user_object = &g->users[i];
    }
  tsm__saved_variable__init (&g->variable);
  g->variable.trainable = TRUE;
  g->storage[3].kind_case = TSM__SAVED_OBJECT__KIND_VARIABLE;
  g->storage[3].variable = &g->variable;
  ref_init (g, 0, 0, 0, 4, "variables");
  ref_init (g, 0, 1, 1, 1, "layer_with_weights-0");
  ref_init (g, 1, 0, 2, 2, "cell");
  ref_init (g, 2, 0, 3, 3, "kernel");
  ref_init (g, 4, 0, 4, 3, "0");
  g->sog.n_nodes = 5;
  g->sog.nodes = g->nodes;
}

/* §9.15: the RNN kernel's key is wherever the checkpoint says
 * (variables/0 here, as TensorFlow writes it): found through the graph. */
static void
test_rnn_kernel_key (void)
{
  SmallGraph g;
  TsmGraph graph;
  TsmNodeKinds kinds;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  Tsm__TrackableObjectGraph tog = TSM__TRACKABLE_OBJECT_GRAPH__INIT;
  Tsm__TrackableObject objects[5], *tnodes[5];
  Tsm__SerializedTensor attribute = TSM__SERIALIZED_TENSOR__INIT;
  Tsm__SerializedTensor *attributes[1] = { &attribute };
  int node;

  small_graph_init (&g);
  tsm_graph_init_saved (&graph, &g.sog, "test.pb");
  g_assert_true (tsm_graph_check (&graph, &error));
  g_assert_no_error (error);
  node = tsm_graph_resolve_path (&graph, "root.layer_with_weights-0.cell.kernel", &error);
  g_assert_no_error (error);
  g_assert_cmpint (node, ==, 3);
  tsm_node_kinds_saved (&kinds, &g.sog);
  ids = tsm_graph_layer_variables (&graph, &kinds, 1);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, int, 0), ==, 3);

  for (guint i = 0; i < 5; i++)
    {
      tsm__trackable_object__init (&objects[i]);
      objects[i].n_children = g.storage[i].n_children;
      objects[i].children = g.storage[i].children;
      tnodes[i] = &objects[i];
    }
  attribute.name = (char *) "VARIABLE_VALUE";
  attribute.checkpoint_key = (char *) "variables/0/.ATTRIBUTES/VARIABLE_VALUE";
  objects[3].n_attributes = 1;
  objects[3].attributes = attributes;
  tog.n_nodes = 5;
  tog.nodes = tnodes;
  g_assert_cmpstr (tsm_graph_checkpoint_key (&tog, (guint) node, "ckpt", &error), ==,
                   "variables/0/.ATTRIBUTES/VARIABLE_VALUE");
  g_assert_null (tsm_graph_checkpoint_key (&tog, 2, "ckpt", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  tsm_graph_clear (&graph);
}

/* The layer's `variables` list (saved with traces) gives Keras's order,
 * else own variables first, trainable ones first. */
static void
test_variable_order (void)
{
  SmallGraph g;
  TsmGraph graph;
  TsmNodeKinds kinds;
  g_autoptr(GArray) ids = NULL;

  small_graph_init (&g);
  tsm_graph_init_saved (&graph, &g.sog, "test.pb");
  tsm_node_kinds_saved (&kinds, &g.sog);
  /* The root's `variables` list is not walked for a layer's own. */
  ids = tsm_graph_layer_variables (&graph, &kinds, 0);
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);
  g.variable.trainable = FALSE;
  ids = tsm_graph_list_items (&graph, &kinds, 4);
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 1);
  tsm_graph_clear (&graph);
}

/* §9.16 */
static void
test_escape (void)
{
  g_autofree char *escaped = tsm_graph_escape_local_name ("a/b.c");

  g_assert_cmpstr (escaped, ==, "a.Sb..c");
}

static void
test_cycle (void)
{
  SmallGraph g;
  TsmGraph graph;
  g_autoptr(GError) error = NULL;

  small_graph_init (&g);
  /* the cell's kernel edge leads back to the layer */
  g.refs[3].node_id = 1;
  tsm_graph_init_saved (&graph, &g.sog, "cyclic/saved_model.pb");
  g_assert_false (tsm_graph_check (&graph, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "cycle"));
  g_assert_nonnull (strstr (error->message, "cyclic/saved_model.pb"));
  g_assert_nonnull (strstr (error->message, "“kernel”"));
  tsm_graph_clear (&graph);
}

static void
test_dangling (void)
{
  SmallGraph g;
  TsmGraph graph;
  g_autoptr(GError) error = NULL;

  small_graph_init (&g);
  g.refs[2].node_id = 17;
  tsm_graph_init_saved (&graph, &g.sog, "dangling/saved_model.pb");
  g_assert_false (tsm_graph_check (&graph, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "“cell” → 17"));
  g_assert_nonnull (strstr (error->message, "dangling/saved_model.pb"));
  tsm_graph_clear (&graph);
}

static void
test_unresolved_path (void)
{
  SmallGraph g;
  TsmGraph graph;
  g_autoptr(GError) error = NULL;

  small_graph_init (&g);
  tsm_graph_init_saved (&graph, &g.sog, "x/saved_model.pb");
  g_assert_cmpint (tsm_graph_resolve_path (&graph, "root.layer_with_weights-0.forward_layer", &error), ==, -1);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "“forward_layer”"));
  g_assert_nonnull (strstr (error->message, "root.layer_with_weights-0.forward_layer"));
  g_clear_error (&error);
  g_assert_cmpint (tsm_graph_resolve_path (&graph, "layer-0", &error), ==, -1);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  tsm_graph_clear (&graph);
}

/* Writes keras_metadata.pb with one entry per (node_id, path, json). */
static char *
write_keras_metadata (const char *json_root, const char *json_layer, const char *layer_path)
{
  Tsm__SavedMetadata md = TSM__SAVED_METADATA__INIT;
  Tsm__KerasSavedObject nodes[2], *pnodes[2] = { &nodes[0], &nodes[1] };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("tsm-md-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    tsm__keras_saved_object__init (&nodes[i]);
  /* node 0 without node_id and node_path on the wire (proto3 defaults) */
  nodes[0].identifier = (char *) "_tf_keras_network";
  nodes[0].metadata = (char *) json_root;
  nodes[1].node_id = 1;
  nodes[1].node_path = (char *) layer_path;
  nodes[1].identifier = (char *) "_tf_keras_rnn_layer";
  nodes[1].metadata = (char *) json_layer;
  md.n_nodes = 2;
  md.nodes = pnodes;
  bytes = tsm_proto_pack (&md.base);
  path = g_build_filename (dir, "keras_metadata.pb", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_free (dir);
  return path;
}

static void
remove_file_and_dir (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_remove (path);
  g_rmdir (dir);
}

/* §9.14 */
static void
test_keras_metadata (void)
{
  SmallGraph g;
  TsmGraph graph;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autofree char *path = write_keras_metadata (
    "{\"class_name\": \"Functional\", \"x\": NaN, \"y\": -Infinity, "
    "\"s\": {\"class_name\": \"__tuple__\", \"items\": [1, {\"class_name\": \"__tuple__\", \"items\": []}]}}",
    "{\"build_input_shape\": {\"class_name\": \"TensorShape\", \"items\": null}}",
    "root.layer_with_weights-0");
  TsmMetadataSource source;
  JsonObject *root;
  JsonArray *tuple;

  small_graph_init (&g);
  tsm_graph_init_saved (&graph, &g.sog, "x/saved_model.pb");
  nodes = tsm_metadata_read (path, &g.sog, &graph, TSM_METADATA_DECODE_ALL, &source, &error);
  g_assert_no_error (error);
  g_assert_cmpint (source, ==, TSM_METADATA_FILE);
  g_assert_cmpuint (nodes->len, ==, 2);
  root = node_metadata (nodes, 0);
  g_assert_nonnull (root);
  g_assert_cmpstr (((TsmKerasNode *) g_ptr_array_index (nodes, 0))->node_path, ==, "root");
  g_assert_true (isnan (json_object_get_double_member (root, "x")));
  g_assert_true (isinf (json_object_get_double_member (root, "y")));
  tuple = json_object_get_array_member (root, "s");
  g_assert_nonnull (tuple);
  g_assert_cmpuint (json_array_get_length (tuple), ==, 2);
  g_assert_cmpint (json_array_get_int_element (tuple, 0), ==, 1);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_array_get_element (tuple, 1)));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (node_metadata (nodes, 1), "build_input_shape")));
  remove_file_and_dir (path);
  tsm_graph_clear (&graph);
}

/* A layer's bad JSON fails unless only the root's is read. */
static void
test_metadata_modes (void)
{
  static const struct { TsmMetadataMode mode; gboolean ok; } cases[] = {
    { TSM_METADATA_DECODE_ALL, FALSE },
    { TSM_METADATA_CHECK_OTHERS, FALSE },
    { TSM_METADATA_ROOT_ONLY, TRUE },
  };
  static const char *const layers[] = { "{\"a\": ", "[1]" };

  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        SmallGraph g;
        TsmGraph graph;
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) nodes = NULL;
        g_autofree char *path = write_keras_metadata (
          "{\"s\": {\"class_name\": \"__tuple__\", \"items\": [1]}}", layers[l],
          "root.layer_with_weights-0");
        TsmMetadataSource source;

        small_graph_init (&g);
        tsm_graph_init_saved (&graph, &g.sog, "x/saved_model.pb");
        nodes = tsm_metadata_read (path, &g.sog, &graph, cases[i].mode, &source, &error);
        if (cases[i].ok)
          {
            g_assert_no_error (error);
            g_assert_cmpuint (nodes->len, ==, 2);
            g_assert_null (node_metadata (nodes, 1));
            g_assert_cmpuint (json_array_get_length (json_object_get_array_member (node_metadata (nodes, 0), "s")), ==, 1);
          }
        else
          {
            g_assert_null (nodes);
            g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
            g_assert_nonnull (strstr (error->message, "root.layer_with_weights-0"));
            g_assert_nonnull (strstr (error->message, "keras_metadata.pb"));
          }
        remove_file_and_dir (path);
        tsm_graph_clear (&graph);
      }
}

static void
test_bad_metadata (void)
{
  static const struct { const char *root, *layer, *path, *expect; } cases[] = {
    { "{\"class_name\": ", "{}", "root.layer_with_weights-0", "not valid JSON" },
    { "[1, 2]", "{}", "root.layer_with_weights-0", "not a JSON object" },
    { "{}", "{}", "root.layer_with_weights-0.cell.nothing", "does not resolve" },
    { "{}", "{}", "root.variables", "leads to node 4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SmallGraph g;
      TsmGraph graph;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) nodes = NULL;
      g_autofree char *path = write_keras_metadata (cases[i].root, cases[i].layer, cases[i].path);
      TsmMetadataSource source;

      small_graph_init (&g);
      tsm_graph_init_saved (&graph, &g.sog, "x/saved_model.pb");
      nodes = tsm_metadata_read (path, &g.sog, &graph, TSM_METADATA_DECODE_ALL, &source, &error);
      g_assert_null (nodes);
      g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      g_assert_nonnull (strstr (error->message, "keras_metadata.pb"));
      remove_file_and_dir (path);
      tsm_graph_clear (&graph);
    }
}

/* A SavedModel nesting length-delimited fields @depth levels deep:
 * meta_graphs -> object_graph_def -> nodes -> user_object -> version, then
 * unknown fields inside unknown fields. */
static GByteArray *
nested_bytes (guint depth)
{
  GByteArray *inner = g_byte_array_new ();

  for (guint i = 0; i < depth; i++)
    {
      GByteArray *outer = g_byte_array_new ();
      guint8 tag = (2 << 3) | 2;   /* field 2, length-delimited */
      guint64 length = inner->len;

      g_byte_array_append (outer, &tag, 1);
      do
        {
          guint8 b = length & 0x7f;
          length >>= 7;
          if (length)
            b |= 0x80;
          g_byte_array_append (outer, &b, 1);
        }
      while (length);
      g_byte_array_append (outer, inner->data, inner->len);
      g_byte_array_unref (inner);
      inner = outer;
    }
  return inner;
}

/* 10,000 levels: the schema has no recursive message, so what nests
 * deeper than it is skipped as unknown fields, never recursed into. */
static void
test_deep_nesting (void)
{
  g_autoptr(GByteArray) bytes = nested_bytes (10000);
  g_autoptr(GError) error = NULL;
  ProtobufCMessage *message;

  message = tsm_proto_unpack (&tsm__saved_model__descriptor, bytes->data, bytes->len,
                              "deep/saved_model.pb", "saved_model.pb", &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpuint (((Tsm__SavedModel *) message)->n_meta_graphs, ==, 1);
  g_assert_null (((Tsm__SavedModel *) message)->meta_graphs[0]->object_graph_def);
  protobuf_c_message_free_unpacked (message, NULL);

}

static void
test_truncated_proto (void)
{
  static const guint8 truncated[] = { 0x12, 0x10, 0x0a, 0x02 };
  static const guint8 group[] = { 0x13, 0x14 };
  g_autoptr(GError) error = NULL;

  g_assert_null (tsm_proto_unpack (&tsm__saved_model__descriptor, truncated, sizeof truncated,
                                   "t/saved_model.pb", "saved_model.pb", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "t/saved_model.pb"));
  g_clear_error (&error);
  g_assert_null (tsm_proto_unpack (&tsm__saved_model__descriptor, group, sizeof group,
                                   "g/saved_model.pb", "saved_model.pb", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_CORRUPT);
}

/* saved_model.pb without its graph_def, unpacked into an arena, as
 * tsm_saved_model_open() reads it. */
static void
test_drop_graph_def (void)
{
  g_autofree char *path = strata_test_real_fixture_path ("tf-keras-testdata/lso_savedmodel_tf2.2/saved_model.pb");
  static const guint8 truncated[] = { 0x12, 0x10, 0x0a, 0x02 };
  static const guint8 no_graph_def[] = { 0x08, 0x01, 0x12, 0x02, 0x0a, 0x00 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsmProtoArena) arena = NULL;
  g_autoptr(GBytes) dropped = NULL;
  g_autofree char *contents = NULL;
  gsize length, dropped_length;
  const guint8 *data;
  Tsm__SavedModel *sm, *full;

  g_assert_null (tsm_proto_drop_nested (truncated, sizeof truncated, 2, 2));
  g_assert_null (tsm_proto_drop_nested (no_graph_def, sizeof no_graph_def, 2, 2));
  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  dropped = tsm_proto_drop_nested ((const guint8 *) contents, length, 2, 2);
  g_assert_nonnull (dropped);
  data = g_bytes_get_data (dropped, &dropped_length);
  g_assert_cmpuint (dropped_length, <, length);
  sm = (Tsm__SavedModel *) tsm_proto_unpack_in_arena (&tsm__saved_model__descriptor, data,
                                                      dropped_length, path, "saved_model.pb",
                                                      &arena, &error);
  g_assert_no_error (error);
  g_assert_nonnull (arena);
  g_assert_cmpint (sm->saved_model_schema_version, ==, 1);
  g_assert_cmpuint (sm->n_meta_graphs, ==, 1);
  g_assert_null (sm->meta_graphs[0]->graph_def);
  g_assert_cmpstr (sm->meta_graphs[0]->meta_info_def->tags[0], ==, "serve");
  g_assert_cmpuint (sm->meta_graphs[0]->object_graph_def->n_nodes, ==, 45);
  full = read_saved_model ("tf-keras-testdata/lso_savedmodel_tf2.2/saved_model.pb");
  g_assert_nonnull (full->meta_graphs[0]->graph_def);
  g_assert_cmpuint (sm->meta_graphs[0]->n_signature_def, ==, full->meta_graphs[0]->n_signature_def);
  g_assert_cmpuint (sm->meta_graphs[0]->n_asset_file_def, ==, full->meta_graphs[0]->n_asset_file_def);
  protobuf_c_message_free_unpacked (&full->base, NULL);
}

/* Many empty records: refused before protobuf-c allocates for them. */
static void
test_allocation_budget (void)
{
  gsize n = 4 << 20;
  g_autofree guint8 *bytes = g_malloc (n);
  g_autoptr(GError) error = NULL;

  /* SavedModel.meta_graphs = empty MetaGraphDef, 2 bytes each */
  for (gsize i = 0; i < n; i += 2)
    {
      bytes[i] = (2 << 3) | 2;
      bytes[i + 1] = 0;
    }
  g_assert_null (tsm_proto_unpack (&tsm__saved_model__descriptor, bytes, n, "many/saved_model.pb",
                                   "saved_model.pb", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "many/saved_model.pb"));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/tsm-graph/parse-lso", test_parse_lso);
  g_test_add_func ("/tsm-graph/legacy-metadata", test_legacy_metadata);
  g_test_add_func ("/tsm-graph/keras-metadata", test_keras_metadata);
  g_test_add_func ("/tsm-graph/rnn-kernel-key", test_rnn_kernel_key);
  g_test_add_func ("/tsm-graph/variable-order", test_variable_order);
  g_test_add_func ("/tsm-graph/escape", test_escape);
  g_test_add_func ("/tsm-graph/cycle", test_cycle);
  g_test_add_func ("/tsm-graph/dangling", test_dangling);
  g_test_add_func ("/tsm-graph/unresolved-path", test_unresolved_path);
  g_test_add_func ("/tsm-graph/bad-metadata", test_bad_metadata);
  g_test_add_func ("/tsm-graph/metadata-modes", test_metadata_modes);
  g_test_add_func ("/tsm-graph/drop-graph-def", test_drop_graph_def);
  g_test_add_func ("/tsm-graph/deep-nesting", test_deep_nesting);
  g_test_add_func ("/tsm-graph/truncated", test_truncated_proto);
  g_test_add_func ("/tsm-graph/allocation-budget", test_allocation_budget);
  return g_test_run ();
}
