/* test-h5-legacy.c: Strata's load-time weight conversions against real Keras
 *
 * tests/fixtures/legacy/generated holds files written by real Keras 1.2.2
 * and Keras 2.2.4 (Theano and TensorFlow backends, cuDNN layers) with sizes
 * where every conversion moves values: per-gate Keras 1 RNN weights, Keras 1
 * channels_first and Conv1D kernels, Theano kernel flips, cuDNN <-> native
 * LSTM/GRU layouts, Bidirectional and TimeDistributed wrappers, nested
 * models, Keras 1 Merge.  For each file, C.reference.json holds the weights real Keras 2.2.4
 * ended up with after its own preprocess_weights_for_loading (load_model, or
 * load_weights into C.target.h5); Strata must load the same bytes, and the
 * model's output shapes (for Keras 1 files, every layer's) must be those the
 * writing Keras reported.  The
 * converted model saved by Strata (.h5 and .keras) must load back with the
 * same weights: nothing is converted twice.  Keras 1 files written on
 * Theano (k1th_*) record no backend: read as they are, they match Keras
 * 2.2.4; read with assume-backend "theano", they match what Keras 2.2.4 makes
 * of a copy marked as Theano's (C.reference.json "as_theano").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "test-utils.h"

#define HARD_SIGMOID \
  "recurrent_activation \"hard_sigmoid\" is clip(0.2x + 0.5, 0, 1) in Keras 1/2; Keras 3's is " \
  "relu6(x + 3) / 6, and no Keras 3 activation computes clip(0.2x + 0.5, 0, 1)"
#define MERGE_COS "Keras 1 Merge mode \"cos\": no Keras 2 or Keras 3 layer computes it"

/* What is expected where Keras 2.2.4 has no reference of its own. */
typedef enum {
  REFERENCE_KERAS2,   /* C.reference.json "layers" (the default) */
  REFERENCE_WRITER,   /* the writer's own get_weights(): Keras keeps them as they are */
  REFERENCE_REFUSED,  /* Strata must refuse the file */
} Reference;

static const struct {
  const char *name;
  Reference   reference;
  const char *reason;
} outcomes[] = {
  { "k1_embedding", REFERENCE_WRITER,
    "Keras 2.2.4 cannot rebuild a Keras 1 int32 Embedding input; Embedding's W is loaded as it is" },
  { "k1_merge", REFERENCE_WRITER,
    "Keras 2 has no Merge layer; the weights around it are loaded as they are" },
  { "k1_convlstm2d_th", REFERENCE_REFUSED,
    "Keras 2.2.4 and tf-keras concatenate Keras 1 channels_first ConvLSTM2D gates on the last "
    "(kernel column) axis and refuse the file; Strata does the same" },
  { "k1_merge_sequential", REFERENCE_REFUSED,
    "Strata does not load Keras 1 Sequential Merge branches yet (their weights are stored under "
    "the branch layers' names); Keras 2 has no Merge layer" },
  { "k2_gru_v1_to_cudnn", REFERENCE_REFUSED,
    "Keras: GRU(reset_after=False) is not compatible with CuDNNGRU" },
};

/* Saves that Strata must refuse (in each format's default dialect: tf-keras
 * for .h5, Keras 3 for .keras), with the layer the error names: the target
 * Keras has no layer computing the same thing. */
static const struct {
  const char *name;
  const char *extension;
  const char *layer;
  const char *reason;
} save_refusals[] = {
  { "k1_bidirectional", ".keras", "lstm_1", HARD_SIGMOID },
  { "k1_convlstm2d_tf", ".keras", "convlstm2d_1", HARD_SIGMOID },
  { "k1_gru", ".keras", "gru_1", HARD_SIGMOID },
  { "k1_lstm", ".keras", "lstm_1", HARD_SIGMOID },
  { "k1_lstm_gpu", ".keras", "lstm_1", HARD_SIGMOID },
  { "k2th_convlstm2d", ".keras", "conv_lst_m2d_1", HARD_SIGMOID },
  { "k1_merge", ".h5", "merge_cos", MERGE_COS },
  { "k1_merge", ".keras", "merge_cos", MERGE_COS },
};

static char *
legacy_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "legacy", "generated", relative, NULL);
}

static JsonObject *
read_object (const char *relative)
{
  g_autofree char *path = legacy_path (relative);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("cannot read %s: %s", path, error->message);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static Reference
reference_kind (const char *name, const char **reason)
{
  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    if (g_str_equal (outcomes[i].name, name))
      {
        *reason = outcomes[i].reason;
        return outcomes[i].reference;
      }
  *reason = NULL;
  return REFERENCE_KERAS2;
}

/* The layer Strata must name when refusing to save @name as @extension, or NULL. */
static const char *
save_refusal (const char *name, const char *extension, const char **reason)
{
  for (guint i = 0; i < G_N_ELEMENTS (save_refusals); i++)
    if (g_str_equal (save_refusals[i].name, name) && g_str_equal (save_refusals[i].extension, extension))
      {
        *reason = save_refusals[i].reason;
        return save_refusals[i].layer;
      }
  *reason = NULL;
  return NULL;
}

static StrataModel *
load_case (JsonObject *expected, StrataLoadOptions *options, GError **error)
{
  const char *file = json_object_get_string_member (expected, "file");
  const char *target = json_object_get_string_member_with_default (expected, "target", NULL);
  g_autofree char *path = legacy_path (target != NULL ? target : file);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  g_autoptr(StrataModel) model = strata_load_model (gfile, options, NULL, error);

  if (model == NULL)
    return NULL;
  if (target != NULL)
    {
      /* Keras's load_weights: topological, the file's weights converted to
       * the target's layers. */
      g_autofree char *weights_path = legacy_path (file);
      g_autoptr(GFile) weights = g_file_new_for_path (weights_path);
      g_autoptr(StrataWeightsReport) report = strata_model_load_weights (model, weights, options, NULL, error);

      if (report == NULL)
        return NULL;
    }
  return g_steal_pointer (&model);
}

/* The first element where @tensor differs from the reference values. */
static char *
first_difference (StrataTensor *tensor, JsonArray *values)
{
  GBytes *data = strata_tensor_get_data (tensor);
  gsize size = 0;
  const float *f = data != NULL ? g_bytes_get_data (data, &size) : NULL;

  if (strata_tensor_get_dtype (tensor) != STRATA_DTYPE_FLOAT32 || values == NULL)
    return g_strdup ("");
  for (guint i = 0; i < json_array_get_length (values) && (i + 1) * sizeof (float) <= size; i++)
    {
      float want = (float) json_array_get_double_element (values, i);
      if (memcmp (&f[i], &want, sizeof want) != 0)
        return g_strdup_printf ("; first difference at flat index %u: Strata %.9g, Keras %.9g", i, f[i], want);
    }
  return g_strdup ("");
}

/* The layers of @model that hold weights, in order. */
static GPtrArray *
layers_with_weights (StrataModel *model)
{
  GPtrArray *layers = g_ptr_array_new ();

  for (guint i = 0; i < strata_model_get_n_layers (model); i++)
    if (strata_layer_get_n_weights (strata_model_get_layer_at (model, i)) > 0)
      g_ptr_array_add (layers, strata_model_get_layer_at (model, i));
  return layers;
}

/* @layers (the reference's) are matched by name, or with @by_position by
 * their place among the model's layers that hold weights (the reference
 * is another model of the same structure). */
static void
check_weights_full (StrataModel *model, JsonArray *layers, const char *who, gboolean by_position)
{
  g_autoptr(GPtrArray) holding = layers_with_weights (model);

  if (by_position && holding->len != json_array_get_length (layers))
    g_test_fail_printf ("Strata's model has %u layers with weights, %s's %u", holding->len, who,
                        json_array_get_length (layers));
  for (guint l = 0; l < json_array_get_length (layers); l++)
    {
      JsonObject *ref = json_array_get_object_element (layers, l);
      const char *name = json_object_get_string_member (ref, "name");
      JsonArray *weights = json_object_get_array_member (ref, "weights");
      StrataLayer *layer = !by_position ? strata_model_get_layer (model, name)
                           : l < holding->len ? g_ptr_array_index (holding, l) : NULL;
      g_autoptr(GPtrArray) tensors = NULL;

      if (layer == NULL)
        {
          g_test_fail_printf ("layer “%s” (%s weights) is not in Strata's model", name, who);
          continue;
        }
      tensors = strata_layer_get_weights (layer);
      if (tensors->len != json_array_get_length (weights))
        {
          g_test_fail_printf ("layer “%s”: Strata has %u weights, %s has %u", name, tensors->len, who,
                              json_array_get_length (weights));
          continue;
        }
      for (guint i = 0; i < tensors->len; i++)
        {
          StrataTensor *t = g_ptr_array_index (tensors, i);
          JsonObject *w = json_array_get_object_element (weights, i);
          JsonArray *shape = json_object_get_array_member (w, "shape");
          g_autofree char *strata_shape = strata_shape_to_string (strata_tensor_get_shape (t));
          g_autofree char *sha = NULL;
          gboolean same_shape = strata_shape_get_rank (strata_tensor_get_shape (t)) == json_array_get_length (shape);

          for (guint d = 0; same_shape && d < json_array_get_length (shape); d++)
            same_shape = strata_shape_get_dim (strata_tensor_get_shape (t), d) == json_array_get_int_element (shape, d);
          if (!same_shape)
            {
              g_test_fail_printf ("layer “%s” weight %u: Strata's shape %s differs from %s's", name, i,
                                  strata_shape, who);
              continue;
            }
          if (g_strcmp0 (strata_dtype_to_string (strata_tensor_get_dtype (t)),
                         json_object_get_string_member (w, "dtype")) != 0)
            {
              g_test_fail_printf ("layer “%s” weight %u: Strata's dtype %s, %s's %s", name, i,
                                  strata_dtype_to_string (strata_tensor_get_dtype (t)), who,
                                  json_object_get_string_member (w, "dtype"));
              continue;
            }
          sha = strata_tensor_get_sha256 (t);
          if (g_strcmp0 (sha, json_object_get_string_member (w, "sha256")) != 0)
            {
              g_autofree char *where = first_difference (t, json_object_get_array_member (w, "values"));
              g_test_fail_printf ("layer “%s” weight %u (%s %s): Strata's values differ from %s's%s", name, i,
                                  strata_tensor_get_name (t), strata_shape, who, where);
            }
        }
    }
}

static void
check_weights (StrataModel *model, JsonArray *layers, const char *who)
{
  check_weights_full (model, layers, who, FALSE);
}

/* Whether @shape is @want, a shape Keras reported (None as null). */
static gboolean
same_shape (StrataShape *shape, JsonArray *want)
{
  gboolean same = strata_shape_get_rank (shape) == json_array_get_length (want);

  for (guint d = 0; same && d < json_array_get_length (want); d++)
    {
      JsonNode *dim = json_array_get_element (want, d);
      gint64 w = JSON_NODE_HOLDS_NULL (dim) ? -1 : json_node_get_int (dim);
      gint64 g = strata_shape_get_dim (shape, d);
      same = w == -1 ? g < 0 : g == w;
    }
  return same;
}

static StrataShape *
shape_from_json (JsonArray *dims)
{
  gint64 d[16];
  guint rank = MIN (json_array_get_length (dims), G_N_ELEMENTS (d));

  for (guint i = 0; i < rank; i++)
    {
      JsonNode *dim = json_array_get_element (dims, i);
      d[i] = JSON_NODE_HOLDS_NULL (dim) ? -1 : json_node_get_int (dim);
    }
  return strata_shape_new (rank, d);
}

/* The model's outputs have the shapes the writing Keras reported, which a
 * wrong Merge axis or kernel layout would change. */
static void
check_output_shapes (StrataModel *model, JsonArray *expected)
{
  g_autoptr(GPtrArray) outputs = strata_model_get_outputs (model);

  if (outputs->len != json_array_get_length (expected))
    {
      g_test_fail_printf ("Strata's model has %u outputs, Keras's %u", outputs->len,
                          json_array_get_length (expected));
      return;
    }
  for (guint i = 0; i < outputs->len; i++)
    {
      StrataShape *shape = strata_keras_tensor_get_shape (g_ptr_array_index (outputs, i));
      g_autofree char *got = strata_shape_to_string (shape);

      if (!same_shape (shape, json_array_get_array_element (expected, i)))
        g_test_fail_printf ("output %u: Strata's shape %s differs from the one Keras reported", i, got);
    }
}

/* The shapes of @layer's inputs as the writing Keras reported them: those of
 * its inbound layers (functional models) or of the layer before it
 * (Sequential; @previous NULL for the first layer, fed the model's input). */
static GPtrArray *
reported_input_shapes (StrataModel *model, JsonObject *layer, const char *previous, JsonObject *reported)
{
  GPtrArray *shapes = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_shape_unref);
  JsonArray *nodes = json_object_has_member (layer, "inbound_nodes")
                    ? json_object_get_array_member (layer, "inbound_nodes") : NULL;
  JsonArray *node;

  if (nodes == NULL)
    {
      if (previous == NULL)
        {
          g_autoptr(GPtrArray) inputs = strata_model_get_inputs (model);
          g_ptr_array_add (shapes, strata_shape_ref (strata_keras_tensor_get_shape (g_ptr_array_index (inputs, 0))));
        }
      else if (json_object_has_member (reported, previous))
        g_ptr_array_add (shapes, shape_from_json (json_array_get_array_element (
                                   json_object_get_array_member (reported, previous), 0)));
      return shapes;
    }
  if (json_array_get_length (nodes) != 1)
    return shapes;  /* an input layer, or a layer called twice: not checked */
  node = json_array_get_array_element (nodes, 0);
  for (guint i = 0; i < json_array_get_length (node); i++)
    {
      JsonArray *inbound = json_array_get_array_element (node, i);
      const char *from = json_array_get_string_element (inbound, 0);
      JsonArray *outputs = json_object_has_member (reported, from)
                           ? json_object_get_array_member (reported, from) : NULL;

      if (outputs == NULL || json_array_get_int_element (inbound, 1) != 0)
        {
          g_ptr_array_set_size (shapes, 0);
          break;
        }
      g_ptr_array_add (shapes, shape_from_json (json_array_get_array_element (
                                 outputs, json_array_get_int_element (inbound, 2))));
    }
  return shapes;
}

/* Every layer, fed the input shapes the writing Keras reported, computes the
 * output shapes Keras reported: a wrong Merge axis shows here even where the
 * model's outputs keep their shapes. */
static void
check_layer_shapes (StrataModel *model, JsonObject *reported)
{
  g_autoptr(JsonObject) config = strata_model_to_config_object (model, STRATA_KERAS_DIALECT_KERAS2);
  JsonArray *layers = json_object_get_array_member (json_object_get_object_member (config, "config"), "layers");
  const char *previous = NULL;
  guint checked = 0;

  for (guint l = 0; l < json_array_get_length (layers); l++)
    {
      JsonObject *entry = json_array_get_object_element (layers, l);
      const char *name = json_object_get_string_member (json_object_get_object_member (entry, "config"), "name");
      const char *cls = json_object_get_string_member (entry, "class_name");
      JsonArray *want = json_object_has_member (reported, name) ? json_object_get_array_member (reported, name) : NULL;
      g_autoptr(GPtrArray) inputs = NULL;
      g_autoptr(GPtrArray) got = NULL;
      g_autoptr(GError) error = NULL;

      if (g_str_equal (cls, "InputLayer"))
        continue;
      inputs = reported_input_shapes (model, entry, previous, reported);
      previous = name;
      if (want == NULL || inputs->len == 0)
        continue;
      got = strata_layer_compute_output_shapes (strata_model_get_layer (model, name), inputs, &error);
      if (got == NULL)
        {
          g_test_fail_printf ("layer “%s”: Strata computes no output shape from Keras's input shapes: %s",
                              name, error->message);
          continue;
        }
      checked++;
      if (got->len != json_array_get_length (want))
        g_test_fail_printf ("layer “%s”: Strata computes %u outputs, Keras reported %u", name, got->len,
                            json_array_get_length (want));
      for (guint i = 0; i < MIN (got->len, json_array_get_length (want)); i++)
        if (!same_shape (g_ptr_array_index (got, i), json_array_get_array_element (want, i)))
          {
            g_autofree char *shape = strata_shape_to_string (g_ptr_array_index (got, i));
            g_test_fail_printf ("layer “%s” output %u: Strata computes %s, not the shape Keras reported",
                                name, i, shape);
          }
    }
  g_test_message ("%u layers' output shapes checked", checked);
  if (checked == 0)
    g_test_fail_printf ("no layer's output shape could be checked");
}

/* Strata's own file of the converted model holds the converted weights and
 * says so (no second conversion on load). With @by_position, @layers are
 * those of another model of the same structure (see check_weights_full()). */
static void
check_saved (StrataModel *model, const char *name, const char *extension, JsonArray *layers,
             const char *who, gboolean by_position)
{
  const char *refusal = NULL;
  const char *refused_layer = save_refusal (name, extension, &refusal);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-legacy-XXXXXX", &error);
  g_autofree char *base = g_strconcat (name, extension, NULL);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataModel) back = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, base, NULL);
  file = g_file_new_for_path (path);
  if (refused_layer != NULL)
    {
      g_autofree char *quoted = g_strdup_printf ("“%s”", refused_layer);

      g_test_message ("expected refusal for %s: %s", extension, refusal);
      if (strata_model_save (model, file, NULL, NULL, &error))
        g_test_fail_printf ("Strata saves %s as %s, which it was expected to refuse (%s)", name, extension,
                            refusal);
      else if (!g_error_matches (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_NO_EQUIVALENT) ||
               strstr (error->message, quoted) == NULL)
        g_test_fail_printf ("saving %s as %s fails, but not with the refusal naming layer %s: %s", name,
                            extension, quoted, error->message);
      else
        g_test_message ("Strata refuses it: %s", error->message);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_test_fail_printf ("the refused save of %s left %s behind", name, path);
      g_unlink (path);
      g_rmdir (dir);
      return;
    }
  if (!strata_model_save (model, file, NULL, NULL, &error))
    {
      g_test_fail_printf ("Strata cannot save %s as %s: %s", name, extension, error->message);
      g_rmdir (dir);
      return;
    }
  back = strata_load_model (file, NULL, NULL, &error);
  if (back == NULL)
    g_test_fail_printf ("Strata cannot load its own %s of %s: %s", extension, name, error->message);
  else
    {
      g_autofree char *what = g_strdup_printf ("%s (after a Strata %s round trip)", who, extension);
      check_weights_full (back, layers, what, by_position);
    }
  g_unlink (path);
  g_rmdir (dir);
}

/* A Keras 1 file written with Theano records no backend; told so, Strata
 * must flip its kernels as Keras 2.2.4 flips those of a file that says
 * backend = "theano" (whose predictions match the writer's). */
static void
check_assume_theano (JsonObject *expected, JsonObject *as_theano)
{
  const char *name = json_object_get_string_member (expected, "case");
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  JsonArray *layers = json_object_get_array_member (as_theano, "layers");
  const char *who = "Keras 2.2.4 (file marked backend = theano)";

  g_assert_true (json_object_get_boolean_member (as_theano, "agrees_with_writer"));
  strata_load_options_set_assume_backend (options, "theano");
  model = load_case (expected, options, &error);
  if (model == NULL)
    {
      g_test_fail_printf ("Strata cannot load %s with assume-backend theano: %s", name, error->message);
      return;
    }
  check_weights (model, layers, who);
  check_saved (model, name, ".h5", layers, who, FALSE);
  check_saved (model, name, ".keras", layers, who, FALSE);
}

/* Whether the case's model (its target's, when it has one) holds cuDNN layers. */
static gboolean
holds_cudnn (JsonObject *expected)
{
  JsonArray *conversions = json_object_get_array_member (expected, "conversions");

  for (guint i = 0; i < json_array_get_length (conversions); i++)
    if (g_str_has_suffix (json_array_get_string_element (conversions, i), "-to-cudnn"))
      return TRUE;
  return FALSE;
}

static void
test_case (gconstpointer data)
{
  const char *name = data;
  g_autofree char *expected_name = g_strconcat (name, ".expected.json", NULL);
  g_autofree char *reference_name = g_strconcat (name, ".reference.json", NULL);
  g_autoptr(JsonObject) expected = read_object (expected_name);
  g_autoptr(JsonObject) reference = read_object (reference_name);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataModel) model = NULL;
  const char *reason = NULL;
  Reference kind = reference_kind (name, &reason);
  JsonArray *layers;
  const char *who;

  g_test_message ("%s: %s", name, json_object_get_string_member (expected, "description"));
  model = load_case (expected, NULL, &error);

  if (kind == REFERENCE_REFUSED)
    {
      g_test_message ("expected refusal: %s", reason);
      if (json_object_has_member (reference, "layers"))
        g_test_fail_printf ("Keras 2.2.4 loads %s now; the table of expected outcomes is stale", name);
      if (model != NULL)
        g_test_fail_printf ("Strata loads %s, which it was expected to refuse (%s): update the table of "
                            "expected outcomes and compare with Keras", name, reason);
      else
        g_test_message ("Strata refuses it: %s", error->message);
      return;
    }

  if (model == NULL)
    {
      g_test_fail_printf ("Strata cannot load %s: %s", name, error->message);
      return;
    }
  check_output_shapes (model, json_object_get_array_member (expected, "output_shapes"));
  if (json_object_has_member (expected, "layer_output_shapes"))  /* Keras 1 writers */
    check_layer_shapes (model, json_object_get_object_member (expected, "layer_output_shapes"));

  if (kind == REFERENCE_WRITER)
    {
      g_test_message ("reference: the writer's own weights (%s)", reason);
      layers = json_object_get_array_member (expected, "weights");
      who = "the writing Keras";
    }
  else if (!json_object_has_member (reference, "layers"))
    {
      g_test_fail_printf ("Keras 2.2.4 produced no reference for %s (%s) and it has no expected outcome",
                          name, json_object_get_string_member_with_default (reference, "error", "?"));
      return;
    }
  else
    {
      layers = json_object_get_array_member (reference, "layers");
      who = "Keras 2.2.4";
    }
  check_weights (model, layers, who);
  if (holds_cudnn (expected))
    {
      /* No Keras that Strata writes for has cuDNN layers: the model is
       * saved as LSTM/GRU(reset_after=True), with the native weights the
       * writer itself held before Keras converted them to cuDNN's layout. */
      layers = json_object_get_array_member (expected, "weights");
      who = "the writing Keras (native layout)";
    }
  check_saved (model, name, ".h5", layers, who, holds_cudnn (expected));
  check_saved (model, name, ".keras", layers, who, holds_cudnn (expected));
  if (json_object_has_member (reference, "as_theano"))
    check_assume_theano (expected, json_object_get_object_member (reference, "as_theano"));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *entry;

  strata_test_init (&argc, &argv);
  dir = legacy_path ("");
  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (entry, ".expected.json"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - strlen (".expected.json")));
  g_ptr_array_sort (names, compare_names);
  /* Every case of the generators; a vanished file fails here, not silently. */
  g_assert_cmpuint (names->len, ==, 37);
  /* No expected refusal is left over from a case that is gone. */
  for (guint i = 0; i < G_N_ELEMENTS (save_refusals); i++)
    if (!g_ptr_array_find_with_equal_func (names, save_refusals[i].name, g_str_equal, NULL))
      g_error ("expected refusal for “%s”, which is no case", save_refusals[i].name);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strconcat ("/h5/legacy/", (char *) g_ptr_array_index (names, i), NULL);
      g_test_add_data_func (path, g_ptr_array_index (names, i), test_case);
    }
  return g_test_run ();
}
