/* test-keyword-tensors.c: tensors passed to a call by keyword
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MultiHeadAttention's value/key/attention_mask and an RNN's initial_state
 * may be passed by keyword: tf-keras records them as [name, node, tensor]
 * lists in the node's kwargs, Keras 3 as __keras_tensor__ objects. Both
 * make them inputs of the call. The configs of tests/fixtures/generated
 * were written by real tf-keras 2.21 and Keras 3.15 (generate.py).
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-model-private.h"

static char *
read_text (const char *relative)
{
  g_autofree char *path = strata_test_src_path (relative);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static StrataModel *
model_from_text (const char *json)
{
  g_autoptr(GError) error = NULL;
  StrataModel *model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root = strata_json_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  return root;
}

/* The model of tests/fixtures/generated/@toolkit/@name.config.json, which
 * it writes back unchanged in the dialect of @toolkit ("tf_keras" or
 * "keras"); @other_root is set to what it writes in the other dialect. */
static StrataModel *
model_written_back (const char  *toolkit,
                    const char  *name,
                    JsonNode   **other_root)
{
  gboolean keras2 = g_str_equal (toolkit, "tf_keras");
  g_autofree char *relative = g_strdup_printf ("fixtures/generated/%s/%s.config.json", toolkit, name);
  g_autofree char *json = read_text (relative);
  g_autoptr(StrataModel) model = model_from_text (json);
  g_autofree char *same = strata_model_to_json (model, keras2 ? STRATA_KERAS_DIALECT_KERAS2
                                                              : STRATA_KERAS_DIALECT_KERAS3, FALSE);
  g_autofree char *converted = strata_model_to_json (model, keras2 ? STRATA_KERAS_DIALECT_KERAS3
                                                                   : STRATA_KERAS_DIALECT_KERAS2, FALSE);

  g_assert_cmpstr (same, ==, json);
  *other_root = parse (converted);
  return g_steal_pointer (&model);
}

/* The only call of layer @name. */
static StrataNode *
only_node (StrataModel *model,
           const char  *name)
{
  StrataLayer *layer = strata_model_get_layer (model, name);
  GPtrArray *nodes;

  g_assert_nonnull (layer);
  nodes = strata_layer_peek_nodes (layer);
  g_assert_cmpuint (nodes->len, ==, 1);
  return g_ptr_array_index (nodes, 0);
}

/* Asserts the names of the layers that made @node's inputs. */
static void
assert_inputs (StrataNode         *node,
               const char * const *names)
{
  g_assert_cmpuint (node->inputs->len, ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (strata_layer_get_name (strata_keras_tensor_get_layer (g_ptr_array_index (node->inputs, i))),
                     ==, names[i]);
}

static void
assert_shape (StrataShape *shape,
              const char  *expected)
{
  g_autofree char *text = strata_shape_to_string (shape);

  g_assert_cmpstr (text, ==, expected);
}

/* The entry of layer @name in a written config. */
static JsonObject *
entry_of (JsonNode   *root,
          const char *name)
{
  JsonArray *layers = json_object_get_array_member (json_object_get_object_member (json_node_get_object (root),
                                                                                   "config"), "layers");

  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = json_array_get_object_element (layers, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (entry, "name", NULL), name) == 0)
        return entry;
    }
  g_assert_not_reached ();
}

static JsonArray *
inbound_of (JsonNode   *root,
            const char *name)
{
  return json_object_get_array_member (entry_of (root, name), "inbound_nodes");
}

static void
assert_triple (JsonArray  *triple,
               const char *name,
               gint64      node_index)
{
  g_assert_nonnull (triple);
  g_assert_cmpuint (json_array_get_length (triple), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (triple, 0), ==, name);
  g_assert_cmpint (json_array_get_int_element (triple, 1), ==, node_index);
  g_assert_cmpint (json_array_get_int_element (triple, 2), ==, 0);
}

static void
assert_keras3_tensor (JsonObject *object,
                      const char *name)
{
  JsonObject *config = json_object_get_object_member (object, "config");

  g_assert_cmpstr (json_object_get_string_member (object, "class_name"), ==, "__keras_tensor__");
  assert_triple (json_object_get_array_member (config, "keras_history"), name, 0);
}

/* The MultiHeadAttention's projections are built from the query, value and
 * key shapes: (4, 2, 3) for the query and value (4 features), (3, 2, 3)
 * for the key (3 features). */
static void
assert_attention_built (StrataModel *model)
{
  StrataLayer *attention = strata_model_get_layer (model, "attention");
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (attention);
  g_autoptr(GPtrArray) outputs = strata_model_get_outputs (model);

  g_assert_cmpuint (weights->len, ==, 8);
  assert_shape (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), "(4, 2, 3)");
  assert_shape (strata_tensor_get_shape (g_ptr_array_index (weights, 2)), "(3, 2, 3)");
  assert_shape (strata_tensor_get_shape (g_ptr_array_index (weights, 4)), "(4, 2, 3)");
  g_assert_cmpuint (outputs->len, ==, 1);
  assert_shape (strata_keras_tensor_get_shape (g_ptr_array_index (outputs, 0)), "(None, 5, 2)");
}

static void
test_attention_tf_keras (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(StrataModel) model = model_written_back ("tf_keras", "attention_keywords", &root);
  JsonObject *call = json_array_get_object_element (inbound_of (root, "attention"), 0);
  JsonObject *kwargs = json_object_get_object_member (call, "kwargs");
  g_autoptr(GPtrArray) inputs = strata_model_get_inputs (model);
  StrataNode *node = only_node (model, "attention");

  /* tf-keras's Node takes keyword tensors in call order. */
  assert_inputs (node, (const char *[]) { "query", "values", "keys", NULL });
  g_assert_cmpuint (strata_node_n_positional (node), ==, 1);
  g_assert_cmpuint (inputs->len, ==, 3);
  assert_attention_built (model);

  {
    /* tf-keras's summary connects a layer to every input of its call. */
    g_autofree char *summary = strata_model_summary (model);
    const char *attention = strstr (summary, "attention (MultiHeadAttention)");
    const char *head = strstr (summary, "head (Dense)");
    const char *values = attention != NULL ? strstr (attention, "values[0][0]") : NULL;
    const char *keys = values != NULL ? strstr (values, "keys[0][0]") : NULL;

    g_test_message ("%s", summary);
    g_assert_nonnull (head);
    g_assert_nonnull (keys);
    g_assert_true (keys < head);
  }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (call, "args")), ==, 1);
  assert_keras3_tensor (json_array_get_object_element (json_object_get_array_member (call, "args"), 0), "query");
  assert_keras3_tensor (json_object_get_object_member (kwargs, "value"), "values");
  assert_keras3_tensor (json_object_get_object_member (kwargs, "key"), "keys");

  /* Keras 3 builds it from all three shapes (tf-keras: the query's, and
   * the others in the config). */
  {
    JsonObject *build = json_object_get_object_member (entry_of (root, "attention"), "build_config");
    g_autoptr(JsonNode) shapes = json_node_init_object (json_node_alloc (),
                                                        json_object_get_object_member (build, "shapes_dict"));
    g_autofree char *text = json_to_string (shapes, FALSE);

    g_assert_false (json_object_has_member (build, "input_shape"));
    g_assert_cmpstr (text, ==, "{\"query_shape\":[null,5,4],\"value_shape\":[null,6,4],"
                               "\"key_shape\":[null,6,3]}");
  }
}

static void
test_attention_keras3 (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(StrataModel) model = model_written_back ("keras", "attention_keywords", &root);
  JsonArray *call = json_array_get_array_element (inbound_of (root, "attention"), 0);
  JsonArray *entry = json_array_get_array_element (call, 0);
  JsonObject *kwargs = json_array_get_object_element (entry, 3);
  StrataNode *node = only_node (model, "attention");
  g_autoptr(StrataLayer) second = g_list_model_get_item (G_LIST_MODEL (model), 1);

  /* Keras 3 flattens kwargs with their keys sorted (and orders layers so). */
  assert_inputs (node, (const char *[]) { "query", "keys", "values", NULL });
  g_assert_cmpstr (strata_layer_get_name (second), ==, "keys");
  assert_attention_built (model);

  g_assert_cmpuint (json_array_get_length (call), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (entry, 0), ==, "query");
  assert_triple (json_object_get_array_member (kwargs, "value"), "values", 0);
  assert_triple (json_object_get_array_member (kwargs, "key"), "keys", 0);
}

/* A Keras 3 LSTM given its states by keyword; tf-keras reads
 * initial_state=[[name, node, tensor], ...]. */
static void
test_initial_state_keras3 (void)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(StrataModel) model = model_written_back ("keras", "lstm_initial_state", &root);
  JsonArray *entry = json_array_get_array_element (json_array_get_array_element (inbound_of (root, "lstm"), 0), 0);
  JsonArray *states = json_object_get_array_member (json_array_get_object_element (entry, 3), "initial_state");
  StrataNode *node = only_node (model, "lstm");
  g_autoptr(GPtrArray) weights = strata_layer_get_weights (strata_model_get_layer (model, "lstm"));

  assert_inputs (node, (const char *[]) { "sequence", "state_h", "state_c", NULL });
  g_assert_cmpstr (node->keywords[0], ==, "initial_state");
  g_assert_cmpstr (node->keywords[1], ==, "initial_state");
  g_assert_cmpuint (weights->len, ==, 3);
  assert_shape (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), "(3, 8)");
  g_assert_cmpuint (json_array_get_length (states), ==, 2);
  assert_triple (json_array_get_array_element (states, 0), "state_h", 0);
  assert_triple (json_array_get_array_element (states, 1), "state_c", 0);
}

/* tf-keras -> Keras 3 -> tf-keras (and the other way) gives the calls
 * back as each toolkit wrote them. */
static void
assert_there_and_back (const char         *relative,
                       StrataKerasDialect  dialect,
                       StrataKerasDialect  other,
                       const char         *layer)
{
  g_autofree char *json = read_text (relative);
  g_autoptr(StrataModel) model = model_from_text (json);
  g_autofree char *converted = strata_model_to_json (model, other, FALSE);
  g_autoptr(StrataModel) again = model_from_text (converted);
  g_autofree char *back = strata_model_to_json (again, dialect, FALSE);
  g_autoptr(JsonNode) original = parse (json);
  g_autoptr(JsonNode) returned = parse (back);
  g_autoptr(JsonNode) a = json_node_init_array (json_node_alloc (), inbound_of (original, layer));
  g_autoptr(JsonNode) b = json_node_init_array (json_node_alloc (), inbound_of (returned, layer));
  g_autofree char *a_text = json_to_string (a, FALSE);
  g_autofree char *b_text = json_to_string (b, FALSE);

  g_assert_cmpstr (b_text, ==, a_text);
  g_assert_cmpuint (only_node (again, layer)->inputs->len, ==, only_node (model, layer)->inputs->len);
}

static void
test_there_and_back (void)
{
  assert_there_and_back ("fixtures/generated/tf_keras/attention_keywords.config.json",
                         STRATA_KERAS_DIALECT_KERAS2, STRATA_KERAS_DIALECT_KERAS3, "attention");
  assert_there_and_back ("fixtures/generated/keras/attention_keywords.config.json",
                         STRATA_KERAS_DIALECT_KERAS3, STRATA_KERAS_DIALECT_KERAS2, "attention");
  assert_there_and_back ("fixtures/generated/keras/lstm_initial_state.config.json",
                         STRATA_KERAS_DIALECT_KERAS3, STRATA_KERAS_DIALECT_KERAS2, "lstm");
}

/* A renamed layer is written under its new name in the kwargs too. */
static void
test_renamed (void)
{
  g_autofree char *json = read_text ("fixtures/generated/tf_keras/attention_keywords.config.json");
  g_autoptr(StrataModel) model = model_from_text (json);
  g_autofree char *written = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *entry;

  strata_layer_set_name (strata_model_get_layer (model, "values"), "renamed_values");
  written = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  root = parse (written);
  entry = json_array_get_array_element (json_array_get_array_element (inbound_of (root, "attention"), 0), 0);
  assert_triple (json_object_get_array_member (json_array_get_object_element (entry, 3), "value"),
                 "renamed_values", 0);
  assert_triple (json_object_get_array_member (json_array_get_object_element (entry, 3), "key"), "keys", 0);
}

/* An attention_mask is an input of the call (an edge of the graph) but not
 * a tensor argument the layer is built from. The mask's layer comes after
 * the attention in the config: the call waits for it. */
static const char tf_keras_mask[] =
  "{\"class_name\": \"Functional\", \"config\": {\"name\": \"masked\", \"layers\": ["
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 5, 4],"
  "  \"dtype\": \"float32\", \"name\": \"q\"}, \"name\": \"q\", \"inbound_nodes\": []},"
  " {\"class_name\": \"MultiHeadAttention\", \"config\": {\"name\": \"attention\", \"num_heads\": 2,"
  "  \"key_dim\": 3}, \"name\": \"attention\", \"inbound_nodes\": [[[\"q\", 0, 0,"
  "  {\"value\": [\"q\", 0, 0], \"attention_mask\": [\"m\", 0, 0]}]]]},"
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 5, 5],"
  "  \"dtype\": \"bool\", \"name\": \"m\"}, \"name\": \"m\", \"inbound_nodes\": []}"
  " ], \"input_layers\": [[\"q\", 0, 0], [\"m\", 0, 0]], \"output_layers\": [[\"attention\", 0, 0]]},"
  " \"keras_version\": \"2.21.0\", \"backend\": \"tensorflow\"}";

static void
test_mask (void)
{
  g_autoptr(StrataModel) model = model_from_text (tf_keras_mask);
  g_autoptr(StrataModel) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *copy_written = NULL;
  StrataNode *node = only_node (model, "attention");

  assert_inputs (node, (const char *[]) { "q", "q", "m", NULL });
  g_assert_cmpstr (node->keywords[0], ==, "value");
  g_assert_cmpstr (node->keywords[1], ==, "attention_mask");
  assert_shape (strata_keras_tensor_get_shape (g_ptr_array_index (node->outputs, 0)), "(None, 5, 4)");

  /* A clone makes the same call. */
  copy = strata_model_clone (model, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_inputs (only_node (copy, "attention"), (const char *[]) { "q", "q", "m", NULL });
  written = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  copy_written = strata_model_to_json (copy, STRATA_KERAS_DIALECT_KERAS3, FALSE);
  g_assert_cmpstr (written, ==, copy_written);
  g_assert_nonnull (strstr (written, "\"attention_mask\": {\"class_name\": \"__keras_tensor__\""));
}

static void
assert_refused (const char *json,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_null (model);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH);
  g_assert_nonnull (strstr (error->message, message));
}

#define MHA_CALLED_WITH(kwargs) \
  "{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [" \
  " {\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 5, 4]," \
  "  \"name\": \"q\"}, \"name\": \"q\", \"inbound_nodes\": []}," \
  " {\"class_name\": \"MultiHeadAttention\", \"config\": {\"name\": \"mha\", \"num_heads\": 2," \
  "  \"key_dim\": 3}, \"name\": \"mha\", \"inbound_nodes\": [[[\"q\", 0, 0, " kwargs "]]]}" \
  " ], \"input_layers\": [[\"q\", 0, 0]], \"output_layers\": [[\"mha\", 0, 0]]}}"

static void
test_errors (void)
{
  /* tf-keras fails on these too (a missing layer, a call that never comes). */
  assert_refused (MHA_CALLED_WITH ("{\"value\": [\"nope\", 0, 0]}"),
                  "inbound_nodes[0][0][3].value: refers to layer “nope”, which is not in the model");
  assert_refused (MHA_CALLED_WITH ("{\"value\": [\"q\", 3, 0]}"), "call 3 of layer “q”");
  assert_refused (MHA_CALLED_WITH ("{\"value\": [\"q\", 0, 5]}"), "tensor 5 of layer “q” does not exist");
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/keyword-tensors/attention/tf-keras", test_attention_tf_keras);
  g_test_add_func ("/model/keyword-tensors/attention/keras3", test_attention_keras3);
  g_test_add_func ("/model/keyword-tensors/initial-state/keras3", test_initial_state_keras3);
  g_test_add_func ("/model/keyword-tensors/there-and-back", test_there_and_back);
  g_test_add_func ("/model/keyword-tensors/renamed", test_renamed);
  g_test_add_func ("/model/keyword-tensors/mask", test_mask);
  g_test_add_func ("/model/keyword-tensors/errors", test_errors);
  return g_test_run ();
}
