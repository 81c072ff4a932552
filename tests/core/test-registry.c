/* test-registry.c: StrataRegistry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-layer-private.h"

/* A custom layer class, as an application would write one. */
#define TEST_TYPE_CUSTOM_LAYER (test_custom_layer_get_type ())
G_DECLARE_FINAL_TYPE (TestCustomLayer, test_custom_layer, TEST, CUSTOM_LAYER, StrataLayer)

struct _TestCustomLayer
{
  StrataLayer parent_instance;
};

G_DEFINE_FINAL_TYPE (TestCustomLayer, test_custom_layer, STRATA_TYPE_LAYER)

static void
test_custom_layer_class_init (TestCustomLayerClass *klass)
{
}

static void
test_custom_layer_init (TestCustomLayer *self)
{
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
test_default_registry (void)
{
  StrataRegistry *registry = strata_registry_get_default ();
  g_auto(GStrv) names = strata_registry_list_names (registry);
  GType dense;

  g_assert_true (registry == strata_registry_get_default ());
  g_assert_null (strata_registry_get_parent (registry));

  g_assert_cmpuint (strata_registry_lookup (registry, "Sequential"), ==, STRATA_TYPE_SEQUENTIAL);
  g_assert_cmpuint (strata_registry_lookup (registry, "Functional"), ==, STRATA_TYPE_MODEL);
  g_assert_cmpuint (strata_registry_lookup (registry, "Model"), ==, STRATA_TYPE_MODEL);
  /* A model is written as "Functional", its first name. */
  g_assert_cmpstr (strata_registry_get_name_for_type (registry, STRATA_TYPE_MODEL), ==, "Functional");
  g_assert_cmpstr (strata_registry_get_name_for_type (registry, STRATA_TYPE_SEQUENTIAL), ==, "Sequential");

  dense = strata_registry_lookup (registry, "Dense");
  g_assert_true (g_type_is_a (dense, STRATA_TYPE_LAYER));
  g_assert_cmpstr (strata_registry_get_name_for_type (registry, dense), ==, "Dense");

  /* Lambda is never registered; unknown names and GType names are not found. */
  g_assert_cmpuint (strata_registry_lookup (registry, "Lambda"), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup (registry, "NoSuchLayer"), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup (registry, g_type_name (dense)), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup (registry, "GObject"), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup (registry, ""), ==, G_TYPE_INVALID);

  g_assert_cmpuint (g_strv_length (names), >, 10);
  g_assert_true (g_strv_contains ((const char * const *) names, "Dense"));
  g_assert_true (g_strv_contains ((const char * const *) names, "Functional"));
  for (guint i = 1; names[i] != NULL; i++)
    g_assert_cmpint (strcmp (names[i - 1], names[i]), <, 0);
}

static void
test_scoping (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(StrataRegistry) child = strata_registry_new (defaults);
  g_autoptr(StrataRegistry) grandchild = strata_registry_new (child);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GType dense = strata_registry_lookup (defaults, "Dense");

  g_assert_true (strata_registry_get_parent (child) == defaults);

  g_assert_true (strata_registry_register (child, "Custom>MyLayer", TEST_TYPE_CUSTOM_LAYER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strata_registry_lookup (child, "Custom>MyLayer"), ==, TEST_TYPE_CUSTOM_LAYER);
  g_assert_cmpuint (strata_registry_lookup (grandchild, "Custom>MyLayer"), ==, TEST_TYPE_CUSTOM_LAYER);
  g_assert_cmpuint (strata_registry_lookup (defaults, "Custom>MyLayer"), ==, G_TYPE_INVALID);
  /* Parents are still searched from the child. */
  g_assert_cmpuint (strata_registry_lookup (grandchild, "Dense"), ==, dense);

  /* A child can hide a built-in name without changing the parent. */
  g_assert_true (strata_registry_register (grandchild, "Dense", TEST_TYPE_CUSTOM_LAYER, &error));
  g_assert_cmpuint (strata_registry_lookup (grandchild, "Dense"), ==, TEST_TYPE_CUSTOM_LAYER);
  g_assert_cmpuint (strata_registry_lookup (child, "Dense"), ==, dense);
  g_assert_cmpuint (strata_registry_lookup (defaults, "Dense"), ==, dense);

  /* First registration wins for the canonical name. */
  g_assert_cmpstr (strata_registry_get_name_for_type (child, TEST_TYPE_CUSTOM_LAYER), ==, "Custom>MyLayer");
  g_assert_cmpstr (strata_registry_get_name_for_type (grandchild, TEST_TYPE_CUSTOM_LAYER), ==, "Dense");
  g_assert_null (strata_registry_get_name_for_type (defaults, TEST_TYPE_CUSTOM_LAYER));

  /* Re-registering a name replaces its type. */
  g_assert_true (strata_registry_register (child, "Custom>MyLayer", STRATA_TYPE_SEQUENTIAL, &error));
  g_assert_cmpuint (strata_registry_lookup (child, "Custom>MyLayer"), ==, STRATA_TYPE_SEQUENTIAL);
  g_assert_null (strata_registry_get_name_for_type (child, TEST_TYPE_CUSTOM_LAYER));

  names = strata_registry_list_names (grandchild);
  g_assert_true (g_strv_contains ((const char * const *) names, "Custom>MyLayer"));
  g_assert_true (g_strv_contains ((const char * const *) names, "Sequential"));
  {
    guint n_dense = 0;
    for (guint i = 0; names[i] != NULL; i++)
      n_dense += g_str_equal (names[i], "Dense");
    g_assert_cmpuint (n_dense, ==, 1);
  }
}

static void
test_register_rejects (void)
{
  g_autoptr(StrataRegistry) registry = strata_registry_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (strata_registry_register (registry, "Thing", G_TYPE_OBJECT, &error));
  g_assert_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_TYPE);
  g_assert_nonnull (strstr (error->message, "GObject"));
  g_clear_error (&error);

  g_assert_false (strata_registry_register (registry, "Tensor", STRATA_TYPE_TENSOR, &error));
  g_assert_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_TYPE);
  g_clear_error (&error);

  g_assert_false (strata_registry_register (registry, "Nothing", G_TYPE_INVALID, &error));
  g_assert_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_TYPE);
  g_clear_error (&error);

  g_assert_false (strata_registry_register (registry, "", TEST_TYPE_CUSTOM_LAYER, &error));
  g_assert_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_NAME);
  g_clear_error (&error);

  g_assert_false (strata_registry_register (registry, "Custom>", TEST_TYPE_CUSTOM_LAYER, &error));
  g_assert_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_NAME);
  g_clear_error (&error);

  g_assert_false (strata_registry_register (registry, "Lambda", TEST_TYPE_CUSTOM_LAYER, &error));
  g_assert_error (error, STRATA_REGISTRY_ERROR, STRATA_REGISTRY_ERROR_INVALID_NAME);
  g_clear_error (&error);

  /* Models are layers. */
  g_assert_true (strata_registry_register (registry, "MySequential", STRATA_TYPE_SEQUENTIAL, &error));
  g_assert_no_error (error);

  {
    g_auto(GStrv) names = strata_registry_list_names (registry);
    g_assert_cmpuint (g_strv_length (names), ==, 1);
  }
}

static void
test_lookup_object (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(StrataRegistry) registry = strata_registry_new (defaults);
  g_autoptr(JsonObject) keras3_custom = parse_object (
    "{\"module\": null, \"class_name\": \"MyLayer\", \"config\": {}, \"registered_name\": \"Custom>MyLayer\"}");
  g_autoptr(JsonObject) keras2_custom = parse_object ("{\"class_name\": \"Custom>MyLayer\", \"config\": {}}");
  g_autoptr(JsonObject) keras3_builtin = parse_object (
    "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {}, \"registered_name\": null}");
  g_autoptr(JsonObject) stale_registered = parse_object (
    "{\"class_name\": \"Dense\", \"config\": {}, \"registered_name\": \"Gone>Dense\"}");
  g_autoptr(JsonObject) functional = parse_object (
    "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": {}, \"registered_name\": \"Functional\"}");
  g_autoptr(JsonObject) gtype_name = parse_object ("{\"class_name\": \"TestCustomLayer\", \"config\": {}}");
  g_autoptr(JsonObject) no_class = parse_object ("{\"config\": {}}");
  g_autoptr(JsonObject) lambda = parse_object ("{\"class_name\": \"Lambda\", \"config\": {}}");
  GType dense = strata_registry_lookup (defaults, "Dense");

  g_assert_true (strata_registry_register (registry, "Custom>MyLayer", TEST_TYPE_CUSTOM_LAYER, NULL));

  g_assert_cmpuint (strata_registry_lookup_object (registry, keras3_custom), ==, TEST_TYPE_CUSTOM_LAYER);
  g_assert_cmpuint (strata_registry_lookup_object (registry, keras2_custom), ==, TEST_TYPE_CUSTOM_LAYER);
  g_assert_cmpuint (strata_registry_lookup_object (defaults, keras3_custom), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup_object (registry, keras3_builtin), ==, dense);
  g_assert_cmpuint (strata_registry_lookup_object (registry, stale_registered), ==, dense);
  g_assert_cmpuint (strata_registry_lookup_object (registry, functional), ==, STRATA_TYPE_MODEL);
  /* A file never names a GType. */
  g_assert_cmpuint (strata_registry_lookup_object (registry, gtype_name), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup_object (registry, no_class), ==, G_TYPE_INVALID);
  g_assert_cmpuint (strata_registry_lookup_object (registry, lambda), ==, G_TYPE_INVALID);
}

static void
test_create_layer_known (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(JsonObject) entry = parse_object (
    "{\"module\": \"keras.layers\", \"class_name\": \"Dense\","
    " \"config\": {\"name\": \"dense_1\", \"trainable\": true, \"units\": 4, \"activation\": \"relu\","
    "   \"use_bias\": true},"
    " \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 3]},"
    " \"name\": \"dense_1\", \"inbound_nodes\": [[[\"input_1\", 0, 0, {}]]]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = strata_registry_create_layer (defaults, entry, STRATA_LOAD_NONE, &error);
  JsonObject *extras;

  g_assert_no_error (error);
  g_assert_nonnull (layer);
  g_assert_cmpuint (G_OBJECT_TYPE (layer), ==, strata_registry_lookup (defaults, "Dense"));
  g_assert_cmpstr (strata_layer_get_class_name (layer), ==, "Dense");
  g_assert_cmpstr (strata_layer_get_name (layer), ==, "dense_1");

  extras = strata_layer_peek_extras (layer);
  g_assert_nonnull (extras);
  g_assert_cmpstr (json_object_get_string_member (extras, "module"), ==, "keras.layers");
  g_assert_true (json_object_has_member (extras, "registered_name"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (extras, "registered_name")));
  g_assert_true (json_object_has_member (extras, "build_config"));
  g_assert_false (json_object_has_member (extras, "name"));
  g_assert_false (json_object_has_member (extras, "inbound_nodes"));
  g_assert_false (json_object_has_member (extras, "class_name"));
  g_assert_false (json_object_has_member (extras, "config"));

  /* The extras are the layer's own: editing the entry changes nothing. */
  json_object_set_int_member (json_object_get_object_member (entry, "build_config"), "extra", 1);
  g_assert_false (json_object_has_member (json_object_get_object_member (extras, "build_config"), "extra"));
}

static void
test_create_layer_alias_spelling (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(StrataRegistry) registry = strata_registry_new (defaults);
  g_autoptr(JsonObject) entry = parse_object (
    "{\"class_name\": \"Custom>MyLayer\", \"config\": {\"name\": \"mine\", \"trainable\": false},"
    " \"shared_object_id\": 7}");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = NULL;

  g_assert_true (strata_registry_register (registry, "Custom>MyLayer", TEST_TYPE_CUSTOM_LAYER, NULL));
  layer = strata_registry_create_layer (registry, entry, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (TEST_IS_CUSTOM_LAYER (layer));
  g_assert_cmpstr (strata_layer_get_class_name (layer), ==, "Custom>MyLayer");
  g_assert_cmpint (json_object_get_int_member (strata_layer_peek_extras (layer), "shared_object_id"), ==, 7);
}

static void
test_create_layer_unknown (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(JsonObject) entry = parse_object (
    "{\"class_name\": \"MyAttention\", \"config\": {\"name\": \"attn\", \"heads\": 8}, \"name\": \"attn\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = NULL;

  layer = strata_registry_create_layer (defaults, entry, STRATA_LOAD_NONE, &error);
  g_assert_null (layer);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
  g_assert_cmpstr (error->message, ==,
                   "Unknown layer class “MyAttention” (layer “attn”): register it in the "
                   "StrataRegistry passed as custom objects");
  g_clear_error (&error);

  layer = strata_registry_create_layer (defaults, entry, STRATA_LOAD_ALLOW_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (STRATA_IS_OPAQUE_LAYER (layer));
  g_assert_false (strata_opaque_layer_holds_code (STRATA_OPAQUE_LAYER (layer)));
}

static void
test_create_layer_lambda (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(JsonObject) entry = parse_object (
    "{\"class_name\": \"Lambda\", \"config\": {\"name\": \"lambda_1\", \"function\": "
    "[\"4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA\", null, null],"
    " \"function_type\": \"lambda\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = NULL;

  layer = strata_registry_create_layer (defaults, entry, STRATA_LOAD_NONE, &error);
  g_assert_null (layer);
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSAFE);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Lambda layer “lambda_1” holds Python code, which Strata never runs"));
  g_clear_error (&error);

  layer = strata_registry_create_layer (defaults, entry, STRATA_LOAD_ALLOW_UNKNOWN, &error);
  g_assert_no_error (error);
  g_assert_true (STRATA_IS_OPAQUE_LAYER (layer));
  g_assert_true (strata_opaque_layer_holds_code (STRATA_OPAQUE_LAYER (layer)));
}

static void
test_create_layer_malformed (void)
{
  StrataRegistry *defaults = strata_registry_get_default ();
  g_autoptr(JsonObject) no_class = parse_object ("{\"config\": {\"name\": \"x\"}}");
  g_autoptr(JsonObject) number_class = parse_object ("{\"class_name\": 3, \"config\": {}}");
  g_autoptr(JsonObject) no_config = parse_object ("{\"class_name\": \"Dense\", \"name\": \"d\"}");
  g_autoptr(JsonObject) list_config = parse_object ("{\"class_name\": \"Dense\", \"config\": [1]}");
  g_autoptr(GError) error = NULL;

  g_assert_null (strata_registry_create_layer (defaults, no_class, STRATA_LOAD_ALLOW_UNKNOWN, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“x”"));
  g_clear_error (&error);

  g_assert_null (strata_registry_create_layer (defaults, number_class, STRATA_LOAD_NONE, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "found an integer"));
  g_clear_error (&error);

  g_assert_null (strata_registry_create_layer (defaults, no_config, STRATA_LOAD_NONE, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“d”"));
  g_clear_error (&error);

  g_assert_null (strata_registry_create_layer (defaults, list_config, STRATA_LOAD_NONE, &error));
  g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "found an array"));
}

#define N_THREADS 4
#define N_NAMES 300

typedef struct {
  StrataRegistry *shared;
  guint           index;
} ThreadData;

static gpointer
register_and_lookup (gpointer user_data)
{
  ThreadData *data = user_data;
  /* Every thread races to create the default registry too. */
  StrataRegistry *defaults = strata_registry_get_default ();
  GType dense = strata_registry_lookup (defaults, "Dense");

  g_assert_true (dense != G_TYPE_INVALID);
  for (guint i = 0; i < N_NAMES; i++)
    {
      g_autofree char *name = g_strdup_printf ("T%u>Layer%u", data->index, i);
      g_autofree char *other = g_strdup_printf ("T%u>Layer%u", (data->index + 1) % N_THREADS, i / 2);
      g_autoptr(GError) error = NULL;
      GType found;

      g_assert_true (strata_registry_register (data->shared, name, TEST_TYPE_CUSTOM_LAYER, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (strata_registry_lookup (data->shared, name), ==, TEST_TYPE_CUSTOM_LAYER);
      /* Another thread's name is either not there yet or complete. */
      found = strata_registry_lookup (data->shared, other);
      g_assert_true (found == G_TYPE_INVALID || found == TEST_TYPE_CUSTOM_LAYER);
      g_assert_cmpuint (strata_registry_lookup (defaults, "Dense"), ==, dense);
      if (i % 50 == 0)
        {
          g_auto(GStrv) names = strata_registry_list_names (data->shared);
          g_assert_nonnull (names);
          g_assert_nonnull (strata_registry_get_name_for_type (data->shared, TEST_TYPE_CUSTOM_LAYER));
        }
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(StrataRegistry) shared = NULL;
  GThread *threads[N_THREADS];
  ThreadData data[N_THREADS];
  g_auto(GStrv) names = NULL;
  guint n_custom = 0;

  /* This test runs first, so the threads also race to build the default
   * registry, which is made lazily by its first user. */
  g_type_ensure (TEST_TYPE_CUSTOM_LAYER);
  shared = strata_registry_new (NULL);
  for (guint t = 0; t < N_THREADS; t++)
    {
      data[t].shared = shared;
      data[t].index = t;
      threads[t] = g_thread_new ("registry", register_and_lookup, &data[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  names = strata_registry_list_names (shared);
  for (guint i = 0; names[i] != NULL; i++)
    if (names[i][0] == 'T' && strstr (names[i], ">Layer") != NULL)
      n_custom++;
  g_assert_cmpuint (n_custom, ==, N_THREADS * N_NAMES);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/registry/threads", test_threads);
  g_test_add_func ("/registry/default", test_default_registry);
  g_test_add_func ("/registry/scoping", test_scoping);
  g_test_add_func ("/registry/register-rejects", test_register_rejects);
  g_test_add_func ("/registry/lookup-object", test_lookup_object);
  g_test_add_func ("/registry/create-layer/known", test_create_layer_known);
  g_test_add_func ("/registry/create-layer/alias-spelling", test_create_layer_alias_spelling);
  g_test_add_func ("/registry/create-layer/unknown", test_create_layer_unknown);
  g_test_add_func ("/registry/create-layer/lambda", test_create_layer_lambda);
  g_test_add_func ("/registry/create-layer/malformed", test_create_layer_malformed);

  return g_test_run ();
}
