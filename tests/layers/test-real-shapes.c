/* test-real-shapes.c: built-in layers against the weights real Keras wrote
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * real-shapes.json is produced by extract-shapes.py from the real Keras
 * HDF5 files (../shared/fixtures/real): for each model, its layers as Keras
 * wrote them and the names and shapes of the weights Keras saved. This test
 * creates every layer from its config, infers each layer's input shapes
 * through the model's graph with the layers' own compute_output_shapes,
 * builds the layer and compares its weights with what Keras saved: shapes
 * and full names ("bidirectional/forward_lstm/lstm_cell/kernel:0", as the
 * writer's Keras version names them) for Keras 2/3 files, parameter counts
 * for Keras 1 files (whose per-gate / Theano layouts the h5 reader converts
 * to the Keras 2 layout). Layers get the load context the config reader
 * would give them (dialect, version, the Keras 1 model-wide dim_ordering).
 */
#include "config.h"

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-layer-private.h"
#include "strata-model-private.h"
#include "strata-layers-private.h"

typedef struct {
  guint layers_checked;
  guint full_names_checked;
  guint keras1_weights;
  guint weights_checked;
  guint layers_skipped;
  guint shapes_inferred;
  guint configs_built;
  guint failures;
  GHashTable *classes_checked;   /* class names whose weights matched */
} Stats;

/* What the config reader knows about the model a layer is read from. */
typedef struct {
  const char        *file;
  gboolean           keras1;
  StrataLoadContext  context;
} Model;

static JsonNode *
load_table (void)
{
  g_autofree char *path = strata_test_src_path ("layers/real-shapes.json");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  JsonNode *root;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  root = strata_json_parse (contents, length, &error);
  g_assert_no_error (error);
  return root;
}

static void
fail (Stats *stats, const char *file, const char *layer, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
fail (Stats *stats, const char *file, const char *layer, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("MISMATCH %s, layer %s: %s", file, layer, message);
  stats->failures++;
}

static guint64
count_params (JsonArray *weights)
{
  guint64 total = 0;
  guint i, j;

  for (i = 0; i < json_array_get_length (weights); i++)
    {
      JsonArray *shape = json_array_get_array_element (json_array_get_array_element (weights, i), 1);
      guint64 n = 1;
      for (j = 0; j < json_array_get_length (shape); j++)
        n *= (guint64) json_array_get_int_element (shape, j);
      total += n;
    }
  return total;
}

/* The Keras name from the layer's own name on, without ":0": Keras 3 (and
 * some tf-keras files) put the model's name scope in front
 * ("sequential/dense/kernel"); Theano-backend Keras 2 wrote no layer name
 * at all ("kernel"), which then is the whole comparison. */
static char *
keras_name_tail (const char *want, const char *layer_name)
{
  g_autofree char *prefix = g_strconcat (layer_name, "/", NULL);
  const char *start = want;
  const char *p;

  for (p = want; p != NULL && *p != '\0'; p = strchr (p, '/'))
    {
      if (*p == '/')
        p++;
      if (g_str_has_prefix (p, prefix))
        {
          start = p;
          break;
        }
    }
  if (g_str_has_suffix (start, ":0"))
    return g_strndup (start, strlen (start) - 2);
  return g_strdup (start);
}

/* TensorFlow uniquifies name scopes in a graph: a model built twice in one
 * session gets "conv1_1/kernel:0", and Keras 2.x Bidirectional layers
 * "forward_lstm_1" for a wrapped "lstm". A component Keras wrote with a
 * numbered suffix matches Strata's without it. */
static gboolean
same_but_uniquified (const char *have, const char *want)
{
  g_auto(GStrv) h = g_strsplit (have, "/", -1);
  g_auto(GStrv) w = g_strsplit (want, "/", -1);
  guint i;

  if (g_strv_length (h) != g_strv_length (w))
    return FALSE;
  for (i = 0; h[i] != NULL; i++)
    {
      gsize n = strlen (h[i]);

      if (g_str_equal (h[i], w[i]))
        continue;
      if (strncmp (h[i], w[i], n) != 0 || w[i][n] != '_' || w[i][n + 1] == '\0' ||
          strspn (w[i] + n + 1, "0123456789") != strlen (w[i] + n + 1))
        return FALSE;
    }
  return TRUE;
}

static void
check_weights (Stats       *stats,
               Model       *model,
               StrataLayer *layer,
               JsonArray   *expected)
{
  const char *file = model->file;
  const char *name = strata_layer_get_name (layer);
  guint n = strata_layer_get_n_weights (layer);
  StrataWeightNaming naming = strata_weight_naming_for (model->context.dialect, model->context.keras_version);
  guint i;

  if (model->keras1)
    {
      guint64 mine = strata_layer_count_params (layer);
      guint64 theirs = count_params (expected);
      if (mine != theirs)
        fail (stats, file, name, "%" G_GUINT64_FORMAT " parameters, Keras 1 saved %" G_GUINT64_FORMAT,
              mine, theirs);
      else
        {
          stats->weights_checked += json_array_get_length (expected);
          stats->keras1_weights += json_array_get_length (expected);
        }
      return;
    }

  if (n != json_array_get_length (expected))
    {
      fail (stats, file, name, "%u weights, Keras saved %u", n, json_array_get_length (expected));
      return;
    }
  for (i = 0; i < n; i++)
    {
      JsonArray *entry = json_array_get_array_element (expected, i);
      const char *want_name = json_array_get_string_element (entry, 0);
      g_autoptr(StrataShape) want = strata_json_to_shape (json_array_get_element (entry, 1), "shape", NULL);
      StrataTensor *tensor = strata_layer_get_weight_at (layer, i);
      const char *have_name = strata_layer_get_weight_short_name (layer, i);
      g_autofree char *have_s = strata_shape_to_string (strata_tensor_get_shape (tensor));
      g_autofree char *want_s = strata_shape_to_string (want);
      /* the name Keras wrote in weight_names, whole */
      const char *want_full = json_array_get_length (entry) > 2 ? json_array_get_string_element (entry, 2) : NULL;
      g_autofree char *want_tail = NULL;
      g_autofree char *have_full = NULL;
      gboolean name_ok = g_str_equal (have_name, want_name);

      /* Keras 2.x uniquified nested layer names ("forward_lstm_1"); the
       * short name after the last '/' must match exactly. */
      if (!name_ok && strchr (want_name, '/') != NULL && strchr (have_name, '/') != NULL)
        name_ok = g_str_equal (strrchr (have_name, '/'), strrchr (want_name, '/')) &&
                  g_str_has_prefix (have_name, g_str_has_prefix (want_name, "forward_") ? "forward_" : "backward_");
      if (!name_ok || !strata_shape_equal (want, strata_tensor_get_shape (tensor)))
        {
          fail (stats, file, name, "weight %u is %s %s, Keras saved %s %s",
                i, have_name, have_s, want_name, want_s);
          continue;
        }
      stats->weights_checked++;

      /* The full name under the writer's naming (index i is the slot; the
       * table lists Keras' legacy order, the same for these layers). */
      g_assert_nonnull (want_full);
      want_tail = keras_name_tail (want_full, name);
      if (strchr (want_tail, '/') == NULL)
        have_full = g_strdup (strata_layer_get_weight_name_as (layer, i, naming));
      else
        have_full = g_strconcat (name, "/", strata_layer_get_weight_name_as (layer, i, naming), NULL);
      if (!g_str_equal (have_full, want_tail) && !same_but_uniquified (have_full, want_tail))
        fail (stats, file, name, "weight %u is named %s, Keras wrote %s (Keras %s)",
              i, have_full, want_full, model->context.keras_version);
      else
        stats->full_names_checked++;
    }
}

/* The shape a Sequential model starts from. */
static StrataShape *
sequential_input (JsonObject *first)
{
  JsonObject *config = json_object_get_object_member (first, "config");
  JsonNode *node = json_object_get_member (config, "batch_input_shape");
  gint64 dims[3] = { STRATA_DIM_UNKNOWN, 0, 0 };

  if (node == NULL)
    node = json_object_get_member (config, "batch_shape");
  if (node != NULL)
    return strata_json_to_shape (node, "batch_input_shape", NULL);
  if (json_object_has_member (config, "input_dim") &&
      json_node_get_value_type (json_object_get_member (config, "input_dim")) == G_TYPE_INT64)
    {
      dims[1] = json_object_get_int_member (config, "input_dim");
      return strata_shape_new (2, dims);
    }
  return NULL;
}

static gboolean
any_unknown (GPtrArray *shapes)
{
  for (guint i = 0; i < shapes->len; i++)
    if (g_ptr_array_index (shapes, i) == NULL)
      return TRUE;
  return FALSE;
}

/* Creates the layer of @entry, infers its outputs for @input_shapes and,
 * when @check, builds it and compares its weights with Keras'. */
static GPtrArray *
check_one_layer (Stats      *stats,
                 Model      *model,
                 JsonObject *entry,
                 GPtrArray  *input_shapes,
                 gboolean    check)
{
  JsonObject *object = json_object_get_object_member (entry, "object");
  JsonNode *weights_node = json_object_get_member (entry, "weights");
  /* null for to_json() configs: no weights to compare, building must work */
  JsonArray *weights = JSON_NODE_HOLDS_ARRAY (weights_node) ? json_node_get_array (weights_node) : NULL;
  const char *class_name = json_object_get_string_member (entry, "class_name");
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataLayer) layer = NULL;
  const char *file = model->file;
  GPtrArray *outputs;

  /* Metadata only: shapes are what is compared, and initializing the
   * weights of every real model (YOLO included) would only cost time. */
  layer = strata_registry_create_layer (strata_registry_get_default (), object,
                                        STRATA_LOAD_ALLOW_UNKNOWN | STRATA_LOAD_METADATA_ONLY,
                                        &error);
  if (layer == NULL)
    {
      fail (stats, file, class_name, "cannot create: %s", error->message);
      return NULL;
    }
  strata_layer_set_load_context (layer, &model->context);
  if (STRATA_IS_OPAQUE_LAYER (layer) || STRATA_IS_MODEL (layer))
    {
      stats->layers_skipped++;
      return NULL;
    }
  if (input_shapes == NULL || any_unknown (input_shapes))
    {
      stats->layers_skipped++;
      return NULL;
    }

  outputs = strata_layer_compute_output_shapes (layer, input_shapes, &error);
  if (outputs == NULL)
    {
      fail (stats, file, strata_layer_get_name (layer), "output shapes: %s", error->message);
      return NULL;
    }
  stats->shapes_inferred++;

  if (!check)
    return outputs;
  if (weights == NULL)
    {
      if (!strata_layer_build (layer, input_shapes, &error))
        fail (stats, file, strata_layer_get_name (layer), "build: %s", error->message);
      else
        stats->configs_built++;
    }
  else if (json_array_get_length (weights) > 0)
    {
      if (!strata_layer_build (layer, input_shapes, &error))
        {
          fail (stats, file, strata_layer_get_name (layer), "build: %s", error->message);
          return outputs;
        }
      check_weights (stats, model, layer, weights);
      stats->layers_checked++;
      g_hash_table_add (stats->classes_checked, g_strdup (class_name));
    }
  else if (strata_layer_build (layer, input_shapes, &error))
    {
      if (strata_layer_get_n_weights (layer) != 0)
        fail (stats, file, strata_layer_get_name (layer), "%u weights, Keras saved none",
              strata_layer_get_n_weights (layer));
    }
  else
    fail (stats, file, strata_layer_get_name (layer), "build: %s", error->message);
  return outputs;
}

static GPtrArray *
first_output (GPtrArray *outputs)
{
  GPtrArray *one = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);

  if (outputs == NULL || outputs->len == 0 || g_ptr_array_index (outputs, 0) == NULL)
    {
      g_ptr_array_unref (one);
      return NULL;
    }
  g_ptr_array_add (one, strata_shape_ref (g_ptr_array_index (outputs, 0)));
  return one;
}

static void
walk_sequential (Stats *stats, Model *model, JsonArray *layers)
{
  g_autoptr(GPtrArray) current = NULL;
  guint i;

  for (i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = json_array_get_object_element (layers, i);
      g_autoptr(GPtrArray) outputs = NULL;

      if (i == 0)
        {
          g_autoptr(StrataShape) start = sequential_input (json_object_get_object_member (entry, "object"));
          current = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
          if (start != NULL)
            g_ptr_array_add (current, g_steal_pointer (&start));
          else
            g_clear_pointer (&current, g_ptr_array_unref);
        }
      if (g_str_equal (json_object_get_string_member (entry, "class_name"), "InputLayer"))
        continue;
      outputs = check_one_layer (stats, model, entry, current, TRUE);
      g_clear_pointer (&current, g_ptr_array_unref);
      current = first_output (outputs);
    }
}

static void
walk_functional (Stats *stats, Model *model, JsonArray *layers)
{
  /* layer name -> (element-type GPtrArray) outputs of each node */
  g_autoptr(GHashTable) nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_ptr_array_unref);
  guint i, n, r;

  for (i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *entry = json_array_get_object_element (layers, i);
      JsonObject *object = json_object_get_object_member (entry, "object");
      JsonObject *config = json_object_get_object_member (object, "config");
      const char *name = json_object_has_member (object, "name")
                           ? json_object_get_string_member (object, "name")
                           : json_object_get_string_member (config, "name");
      JsonArray *inbound = json_object_has_member (entry, "inbound")
                             ? json_object_get_array_member (entry, "inbound") : NULL;
      GPtrArray *layer_nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

      g_hash_table_insert (nodes, (gpointer) name, layer_nodes);
      if (inbound == NULL || json_array_get_length (inbound) == 0)
        {
          /* An input: no inbound nodes. */
          g_autoptr(GPtrArray) none = g_ptr_array_new ();
          GPtrArray *outputs = check_one_layer (stats, model, entry, none, TRUE);
          g_ptr_array_add (layer_nodes, outputs != NULL ? outputs : g_ptr_array_new ());
          continue;
        }
      for (n = 0; n < json_array_get_length (inbound); n++)
        {
          JsonArray *refs = json_array_get_array_element (inbound, n);
          g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
          GPtrArray *outputs;
          gboolean known = TRUE;

          for (r = 0; r < json_array_get_length (refs); r++)
            {
              JsonArray *ref = json_array_get_array_element (refs, r);
              GPtrArray *from = g_hash_table_lookup (nodes, json_array_get_string_element (ref, 0));
              guint node = json_array_get_int_element (ref, 1);
              guint tensor = json_array_get_int_element (ref, 2);
              GPtrArray *out;

              if (from == NULL || node >= from->len ||
                  tensor >= (out = g_ptr_array_index (from, node))->len ||
                  g_ptr_array_index (out, tensor) == NULL)
                {
                  known = FALSE;
                  break;
                }
              g_ptr_array_add (inputs, strata_shape_ref (g_ptr_array_index (out, tensor)));
            }
          outputs = check_one_layer (stats, model, entry, known ? inputs : NULL, n == 0);
          g_ptr_array_add (layer_nodes, outputs != NULL ? outputs : g_ptr_array_new ());
        }
    }
}

static void
test_real_shapes (void)
{
  g_autoptr(JsonNode) root = load_table ();
  JsonArray *models = json_object_get_array_member (json_node_get_object (root), "models");
  Stats stats = { 0, };
  g_autofree char *classes = NULL;
  g_autofree const char **names = NULL;
  guint i;

  stats.classes_checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *model = json_array_get_object_element (models, i);
      const char *file = json_object_get_string_member (model, "file");
      const char *version = json_object_get_string_member (model, "keras_version");
      JsonArray *layers = json_object_get_array_member (model, "layers");
      gboolean functional = json_array_get_length (layers) > 0 &&
        json_object_has_member (json_array_get_object_element (layers, 0), "inbound");
      g_autoptr(JsonArray) objects = json_array_new ();
      Model m = { file, version[0] == '1' || version[0] == '\0', { NULL, } };

      /* as the config reader sees the model */
      for (guint j = 0; j < json_array_get_length (layers); j++)
        json_array_add_object_element (objects, json_object_ref (json_object_get_object_member (
                                                  json_array_get_object_element (layers, j), "object")));
      m.context.dialect = m.keras1 ? STRATA_KERAS_DIALECT_KERAS1
                        : version[0] == '3' ? STRATA_KERAS_DIALECT_KERAS3 : STRATA_KERAS_DIALECT_KERAS2;
      m.context.keras_version = version[0] != '\0' ? version : NULL;
      m.context.dim_ordering = strata_config_keras1_dim_ordering (objects);

      if (functional)
        walk_functional (&stats, &m, layers);
      else
        walk_sequential (&stats, &m, layers);
    }

  names = (const char **) g_hash_table_get_keys_as_array (stats.classes_checked, NULL);
  classes = g_strjoinv (", ", (char **) names);
  g_test_message ("%u layers with weights checked (%u weights, %u full names), %u output shapes inferred, "
                  "%u layers of to_json configs built, %u layers skipped (opaque, nested model "
                  "or unknown input); classes: %s",
                  stats.layers_checked, stats.weights_checked, stats.full_names_checked, stats.shapes_inferred,
                  stats.configs_built, stats.layers_skipped, classes);
  g_hash_table_unref (stats.classes_checked);

  g_assert_cmpuint (stats.failures, ==, 0);
  g_assert_cmpuint (stats.full_names_checked, ==, stats.weights_checked - stats.keras1_weights);
  /* The table covers a few hundred layers; a walk that silently skips
   * them would prove nothing. */
  g_assert_cmpuint (stats.layers_checked, >=, 300);
  g_assert_cmpuint (stats.shapes_inferred, >=, 1500);
  g_assert_cmpuint (stats.configs_built, >=, 500);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/layers/real-shapes", test_real_shapes);
  return g_test_run ();
}
