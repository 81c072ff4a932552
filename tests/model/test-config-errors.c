/* test-config-errors.c: bad configs give one clear GError with a JSON path
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"

#define DENSE(name, units, inbound) \
  "{\"class_name\": \"Dense\", \"name\": \"" name "\", \"config\": {\"name\": \"" name "\", \"units\": " units "}, " \
  "\"inbound_nodes\": " inbound "}"
#define INPUT(name, shape) \
  "{\"class_name\": \"InputLayer\", \"name\": \"" name "\", \"config\": {\"name\": \"" name "\", " \
  "\"batch_input_shape\": " shape ", \"dtype\": \"float32\"}, \"inbound_nodes\": []}"
#define MODEL(layers, inputs, outputs) \
  "{\"class_name\": \"Model\", \"keras_version\": \"2.2.4\", \"backend\": \"tensorflow\", " \
  "\"config\": {\"name\": \"m\", \"layers\": [" layers "], \"input_layers\": " inputs ", " \
  "\"output_layers\": " outputs "}}"

/* Loads @json, expects @code and every @fragments in the message. */
static void
expect_error (const char      *json,
              StrataLoadFlags  flags,
              GQuark           domain,
              gint             code,
              const char      *fragment,
              ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = strata_model_from_json (json, -1, NULL, flags, &error);
  va_list args;

  g_assert_null (model);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, domain, code);
  va_start (args, fragment);
  for (const char *f = fragment; f != NULL; f = va_arg (args, const char *))
    if (strstr (error->message, f) == NULL)
      g_error ("'%s' is not in the message '%s'", f, error->message);
  va_end (args);
}

static void
test_valid_baseline (void)
{
  /* The documents below are broken copies of this one. */
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = strata_model_from_json (
    MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "[[[\"in\", 0, 0, {}]]]"),
           "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"), -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (strata_model_get_n_layers (model), ==, 2);
  g_assert_cmpuint (strata_model_count_params (model, NULL, NULL), ==, 4 * 3 + 3);
}

static void
test_malformed_json (void)
{
  expect_error ("{\"class_name\": \"Model\", \"config\": {", STRATA_LOAD_NONE,
                STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID, NULL);
  expect_error ("", STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID, NULL);
  expect_error ("[1, 2]", STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$: ", NULL);
  expect_error ("{\"config\": {}}", STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.class_name", NULL);
}

static void
test_wrong_types (void)
{
  expect_error ("{\"class_name\": 7, \"config\": {}}", STRATA_LOAD_NONE,
                STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID, "$.class_name", NULL);
  expect_error ("{\"class_name\": \"Model\", \"config\": {\"name\": \"m\", \"layers\": \"nope\"}}",
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers:", "a string", NULL);
  expect_error ("{\"class_name\": \"Model\", \"config\": 3}", STRATA_LOAD_NONE,
                STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID, "$.config:", NULL);
  expect_error ("{\"class_name\": \"Model\", \"keras_version\": 2, \"config\": {}}", STRATA_LOAD_NONE,
                STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID, "keras_version", NULL);
  /* A layer that is not an object. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", 12", "[[\"in\", 0, 0]]", "[[\"in\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[1]:", "an integer", NULL);
  /* A node index that is a string. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "[[[\"in\", \"0\", 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[1].inbound_nodes[0][0][1]:", NULL);
  /* kwargs that are not an object. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "[[[\"in\", 0, 0, 5]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[1].inbound_nodes[0][0][3]:", NULL);
  /* inbound_nodes that is an object. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "{}"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[1].inbound_nodes:", NULL);
  /* A layer hyper-parameter of the wrong type, reported with its layer's path. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "\"three\"", "[[[\"in\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[1]", NULL);
  /* A shape with a negative size. */
  expect_error (MODEL (INPUT ("in", "[null, -4]"), "[[\"in\", 0, 0]]", "[[\"in\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[0]", NULL);
  /* A Keras 3 tensor without its history. */
  expect_error ("{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": ["
                INPUT ("in", "[null, 4]") ", {\"class_name\": \"Dense\", \"name\": \"d\", \"config\": "
                "{\"name\": \"d\", \"units\": 2}, \"inbound_nodes\": [{\"args\": [{\"class_name\": "
                "\"__keras_tensor__\", \"config\": {\"shape\": [null, 4]}}], \"kwargs\": {}}]}], "
                "\"input_layers\": [\"in\", 0, 0], \"output_layers\": [\"d\", 0, 0]}}",
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID,
                "$.config.layers[1].inbound_nodes[0].args[0]", "keras_history", NULL);
}

static void
test_missing_layer (void)
{
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "[[[\"ghost\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                "$.config.layers[1].inbound_nodes[0][0]:", "“ghost”", NULL);
  /* An output that names a call that is never made. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "[[[\"in\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 4, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                "$.config.output_layers[0]:", "“d”", NULL);
  /* A tensor index beyond the call's outputs. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("d", "3", "[[[\"in\", 0, 2, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                "$.config.layers[1].inbound_nodes[0][0]:", NULL);
  /* Two layers with one name. */
  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("in", "3", "[[[\"in\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"in\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                "$.config.layers[1]:", "“in”", NULL);
}

/* Nodes may name layers that come later (Keras processes them in passes),
 * but a cycle never resolves. */
static void
test_forward_reference_and_cycle (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = strata_model_from_json (
    MODEL (DENSE ("b", "2", "[[[\"a\", 0, 0, {}]]]") ", " INPUT ("in", "[null, 4]") ", "
           DENSE ("a", "3", "[[[\"in\", 0, 0, {}]]]"),
           "[[\"in\", 0, 0]]", "[[\"b\", 0, 0]]"), -1, NULL, STRATA_LOAD_NONE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (strata_layer_get_name (strata_model_get_layer_at (model, 0)), ==, "in");
  g_assert_cmpstr (strata_layer_get_name (strata_model_get_layer_at (model, 2)), ==, "b");

  expect_error (MODEL (INPUT ("in", "[null, 4]") ", " DENSE ("a", "3", "[[[\"b\", 0, 0, {}]]]") ", "
                       DENSE ("b", "3", "[[[\"a\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"b\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_GRAPH,
                "$.config.layers[1].inbound_nodes[0]:", "layer “a”", "call 0 of layer “b”", "cycle", NULL);
}

static char *
nested_sequentials (guint levels)
{
  GString *json = g_string_new (NULL);

  for (guint i = 0; i < levels; i++)
    g_string_append_printf (json, "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s%u\", \"layers\": [", i);
  g_string_append (json, "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 1}}");
  for (guint i = 0; i < levels; i++)
    g_string_append (json, "]}}");
  return g_string_free (json, FALSE);
}

static void
test_deep_nesting (void)
{
  g_autofree char *deep = nested_sequentials (10000);
  g_autofree char *medium = nested_sequentials (100);
  g_autofree char *fine = nested_sequentials (10);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  JsonObject *root, *cursor;

  /* 10,000 levels: the parser's depth limit. */
  expect_error (deep, STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT, NULL);
  /* 100 nested models: within the JSON limit, beyond the model limit. */
  expect_error (medium, STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                "$.config.layers[0].config.layers[0]", NULL);
  model = strata_model_from_json (fine, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_clear_object (&model);

  /* The same through the object API, which no parser guards. */
  root = cursor = json_object_new ();
  for (guint i = 0; i < 10000; i++)
    {
      JsonObject *config = json_object_new ();
      JsonArray *layers = json_array_new ();
      JsonObject *child = json_object_new ();

      json_object_set_string_member (cursor, "class_name", "Sequential");
      json_object_set_string_member (config, "name", "s");
      json_array_add_object_element (layers, child);
      json_object_set_array_member (config, "layers", layers);
      json_object_set_object_member (cursor, "config", config);
      cursor = child;
    }
  json_object_set_string_member (cursor, "class_name", "Dense");
  model = strata_model_from_config (root, NULL, STRATA_LOAD_NONE, &error);
  g_assert_null (model);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "$.config.layers[0]"));
  json_object_unref (root);
}

static void
test_huge_shapes (void)
{
  /* A sample of 10^24 values is refused by the input layer. */
  expect_error (MODEL (INPUT ("in", "[null, 1000000000000, 1000000000000]") ", "
                       DENSE ("d", "8", "[[[\"in\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                "$.config.layers[0]:", NULL);
  /* 10^12 x 8 float32 weights (32 TB): refused before any allocation. */
  expect_error (MODEL (INPUT ("in", "[null, 1000000000000]") ", "
                       DENSE ("d", "8", "[[[\"in\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT,
                "$.config.layers[1].inbound_nodes[0]:", "“d”", "kernel", NULL);
  /* Units that overflow the element count. */
  expect_error (MODEL (INPUT ("in", "[null, 4611686018427387904]") ", "
                       DENSE ("d", "4611686018427387904", "[[[\"in\", 0, 0, {}]]]"),
                       "[[\"in\", 0, 0]]", "[[\"d\", 0, 0]]"),
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT, NULL);
  /* Sequential form, declared on the first layer. */
  expect_error ("{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": "
                "{\"name\": \"d\", \"units\": 100000000, \"batch_input_shape\": [null, 100000000]}}]}",
                STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_LIMIT, "$.config[0]", NULL);
}

static void
test_unknown_classes (void)
{
  const char *json =
    "{\"class_name\": \"Model\", \"config\": {\"name\": \"m\", \"layers\": ["
    INPUT ("in", "[null, 4, 3]") ", "
    "{\"class_name\": \"MyLayer\", \"name\": \"a\", \"config\": {\"name\": \"a\"}, \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]}, "
    "{\"class_name\": \"Lambda\", \"name\": \"c\", \"config\": {\"name\": \"c\", \"function\": [\"YQ==\", null, null], "
    "\"function_type\": \"lambda\"}, \"inbound_nodes\": [[[\"a\", 0, 0, {}]]]}, "
    "{\"class_name\": \"Bidirectional\", \"name\": \"bi\", \"config\": {\"name\": \"bi\", \"layer\": "
    "{\"class_name\": \"MyCell\", \"config\": {\"name\": \"cell\"}}}, \"inbound_nodes\": [[[\"c\", 0, 0, {}]]]}, "
    "{\"class_name\": \"Sequential\", \"name\": \"s\", \"config\": {\"name\": \"s\", \"layers\": ["
    "{\"class_name\": \"MyLayer\", \"config\": {\"name\": \"b\"}}]}, \"inbound_nodes\": [[[\"bi\", 0, 0, {}]]]}], "
    "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"s\", 1, 0]]}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autofree char *again = NULL;

  expect_error (json, STRATA_LOAD_NONE, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS,
                "3 classes are not registered", "“MyLayer” (layers “a”, “b”)", "“Lambda” (layer “c”)",
                "“MyCell” (layer “cell”)", "$.config.layers[1]", NULL);

  /* Allowed: unknown classes load as opaque layers and re-save unchanged. */
  model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_ALLOW_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (STRATA_IS_OPAQUE_LAYER (strata_model_get_layer (model, "a")));
  g_assert_true (STRATA_IS_OPAQUE_LAYER (strata_model_get_layer (model, "c")));
  again = strata_model_to_json (model, STRATA_KERAS_DIALECT_AUTO, FALSE);
  g_assert_nonnull (strstr (again, "\"function\": [\"YQ==\", null, null]"));
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/model/config-errors/valid-baseline", test_valid_baseline);
  g_test_add_func ("/model/config-errors/malformed-json", test_malformed_json);
  g_test_add_func ("/model/config-errors/wrong-types", test_wrong_types);
  g_test_add_func ("/model/config-errors/missing-layer", test_missing_layer);
  g_test_add_func ("/model/config-errors/forward-reference-and-cycle", test_forward_reference_and_cycle);
  g_test_add_func ("/model/config-errors/deep-nesting", test_deep_nesting);
  g_test_add_func ("/model/config-errors/huge-shapes", test_huge_shapes);
  g_test_add_func ("/model/config-errors/unknown-classes", test_unknown_classes);
  return g_test_run ();
}
