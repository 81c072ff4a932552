/* test-savedmodel.c: the tf-savedmodel format module: real SavedModels and
 * TF checkpoints written by TensorFlow, what Strata writes (tf-savedmodel
 * spec §9 cases 17-20 and the structure parts of 22), round trips,
 * inspection of SavedModels without a Keras model, damaged folders.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-utils.h"
#include "tsm-bundle.h"
#include "tsm-proto.h"
#include "tsm_keras_metadata.pb-c.h"
#include "tsm_saved_model.pb-c.h"

#define LSO_SAVEDMODEL "tf-keras-testdata/lso_savedmodel_tf2.2"
#define LSO_CKPT "tf-keras-testdata/lso_ckpt_tf2.2"

/* The Dense layer of the tf-keras lso fixtures (TensorFlow 2.2). */
static const float lso_kernel[] = { 9.229685f, 10.901115f, 10.370763f, 9.757362f };
static const float lso_bias[] = { 10.049943f, 9.917691f };

/* A Sequential of built-in layers with weights of every kind Strata
 * writes under a sub-object (an RNN's cell, Bidirectional, TimeDistributed)
 * and BatchNormalization's non-trainable statistics. */
static const char sequential_json[] =
  "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"seq\", \"layers\": ["
  "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 5, 3], \"dtype\": \"float32\", "
  "\"sparse\": false, \"ragged\": false, \"name\": \"in\"}},"
  "{\"class_name\": \"TimeDistributed\", \"config\": {\"name\": \"td\", \"layer\": {\"class_name\": \"Dense\", "
  "\"config\": {\"name\": \"inner\", \"units\": 4}}}},"
  "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\"}},"
  "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"layer\": {\"class_name\": \"LSTM\", "
  "\"config\": {\"name\": \"lstm\", \"units\": 2, \"return_sequences\": true}}}},"
  "{\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 3}},"
  "{\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": 2}}]}}";

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("strata-tsm-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static StrataModel *
load_path (const char *path, StrataLoadFlags flags, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataLoadOptions) options = strata_load_options_new ();

  strata_load_options_set_flags (options, flags);
  return strata_load_model (file, options, NULL, error);
}

static gboolean
save_path (StrataModel *model, const char *path, const char *format, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();

  strata_save_options_set_overwrite (options, TRUE);
  if (format != NULL)
    strata_save_options_set_format (options, format);
  return strata_model_save (model, file, options, NULL, error);
}

static void
assert_floats (StrataTensor *tensor, const float *expected, gsize n)
{
  gsize n_values;
  g_autoptr(GError) error = NULL;
  g_autofree float *values = strata_tensor_to_floats (tensor, &n_values, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (n_values, ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (values[i], expected[i], 1e-5);
}

static void
assert_same_weights (StrataModel *a, StrataModel *b)
{
  g_autoptr(GPtrArray) wa = strata_layer_get_weights (STRATA_LAYER (a));
  g_autoptr(GPtrArray) wb = strata_layer_get_weights (STRATA_LAYER (b));

  g_assert_cmpuint (wa->len, ==, wb->len);
  for (guint i = 0; i < wa->len; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (wa, i), g_ptr_array_index (wb, i)));
}

static void
assert_same_config (StrataModel *a, StrataModel *b)
{
  g_autofree char *ja = strata_model_to_json (a, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  g_autofree char *jb = strata_model_to_json (b, STRATA_KERAS_DIALECT_KERAS2, FALSE);

  g_assert_cmpstr (ja, ==, jb);
}

/* Saves @model as @out (in @format, or as its name decides) and reads
 * it back. */
static StrataModel *
resave (StrataModel *model, const char *out, const char *format)
{
  g_autoptr(GError) error = NULL;
  StrataModel *back;

  g_assert_true (save_path (model, out, format, &error));
  g_assert_no_error (error);
  back = load_path (out, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  return back;
}

/* ---- real files written by TensorFlow ---- */

/* Mapped weights need not be aligned for their type. */
static gint64
scalar_int64 (StrataTensor *tensor)
{
  gint64 value;

  memcpy (&value, g_bytes_get_data (strata_tensor_get_data (tensor), NULL), sizeof value);
  return value;
}

static gint64
int64_value (StrataTensor *tensor)
{
  g_assert_cmpint (strata_tensor_get_dtype (tensor), ==, STRATA_DTYPE_INT64);
  g_assert_cmpuint (strata_shape_get_rank (strata_tensor_get_shape (tensor)), ==, 0);
  return scalar_int64 (tensor);
}

static float
float_value (StrataTensor *tensor)
{
  g_assert_cmpint (strata_tensor_get_dtype (tensor), ==, STRATA_DTYPE_FLOAT32);
  g_assert_cmpuint (strata_shape_get_rank (strata_tensor_get_shape (tensor)), ==, 0);
  {
    float value;

    /* Mapped weights need not be aligned for their type. */
    memcpy (&value, g_bytes_get_data (strata_tensor_get_data (tensor), NULL), sizeof value);
    return value;
  }
}

/* The loss scale of the TF 2.2 fixtures, apart from SGD's state:
 * current_loss_scale 32768 and good_steps 1. */
static void
assert_loss_scale (StrataOptimizer *optimizer)
{
  GPtrArray *wrapper = strata_optimizer_get_wrapper_weights (optimizer);

  g_assert_cmpuint (wrapper->len, ==, 2);
  g_assert_cmpstr (strata_tensor_get_name (g_ptr_array_index (wrapper, 0)), ==, "current_loss_scale:0");
  g_assert_cmpfloat (float_value (g_ptr_array_index (wrapper, 0)), ==, 32768.0f);
  g_assert_cmpstr (strata_tensor_get_name (g_ptr_array_index (wrapper, 1)), ==, "good_steps:0");
  g_assert_cmpint (int64_value (g_ptr_array_index (wrapper, 1)), ==, 1);
}

static void
test_lso_load (void)
{
  g_autofree char *path = strata_test_real_fixture_path (LSO_SAVEDMODEL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  StrataLayer *dense;
  StrataOptimizer *optimizer;
  GPtrArray *state;

  if (path == NULL)
    return;
  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (STRATA_IS_SEQUENTIAL (model));
  g_assert_cmpstr (strata_model_get_keras_version (model), ==, "2.3.0-tf");
  g_assert_cmpuint (strata_model_get_n_layers (model), ==, 1);
  dense = strata_model_get_layer_at (model, 0);
  g_assert_cmpstr (strata_layer_get_name (dense), ==, "dense");
  assert_floats (strata_layer_get_weight (dense, "kernel"), lso_kernel, 4);
  assert_floats (strata_layer_get_weight (dense, "bias"), lso_bias, 2);
  g_assert_true (strata_model_is_compiled (model));
  optimizer = strata_model_get_optimizer (model);
  g_assert_nonnull (optimizer);
  g_assert_cmpstr (strata_optimizer_get_class_name (optimizer), ==, "LossScaleOptimizer");
  /* SGD's iterations, then the momentum slots of kernel and bias */
  state = strata_optimizer_get_weights (optimizer);
  g_assert_cmpuint (state->len, ==, 3);
  g_assert_cmpint (strata_tensor_get_dtype (g_ptr_array_index (state, 0)), ==, STRATA_DTYPE_INT64);
  g_assert_cmpint (scalar_int64 (g_ptr_array_index (state, 0)), ==, 1);
  g_assert_cmpstr (strata_tensor_get_name (g_ptr_array_index (state, 1)), ==, "SGD/sequential/dense/kernel/momentum:0");
  g_assert_cmpstr (strata_tensor_get_name (g_ptr_array_index (state, 2)), ==, "SGD/sequential/dense/bias/momentum:0");
  assert_loss_scale (optimizer);
}

/* A metadata-only load reads no weight bytes but knows every shape. */
static void
test_lso_metadata_only (void)
{
  g_autofree char *path = strata_test_real_fixture_path (LSO_SAVEDMODEL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) weights = NULL;

  if (path == NULL)
    return;
  model = load_path (path, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  weights = strata_layer_get_weights (STRATA_LAYER (model));
  g_assert_cmpuint (weights->len, ==, 2);
  for (guint i = 0; i < weights->len; i++)
    g_assert_false (strata_tensor_has_data (g_ptr_array_index (weights, i)));
  g_assert_cmpint (strata_shape_get_dim (strata_tensor_get_shape (g_ptr_array_index (weights, 0)), 1), ==, 2);
}

/* §9.20: read, write Tier A, read again. */
static void
test_lso_roundtrip (void)
{
  g_autofree char *path = strata_test_real_fixture_path (LSO_SAVEDMODEL);
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) back = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  dir = tmp_dir ();
  out = g_build_filename (dir, "model", NULL);
  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  /* no extension: a SavedModel, as tf-keras decides */
  back = resave (model, out, NULL);
  assert_same_weights (model, back);
  assert_same_config (model, back);
  g_assert_true (strata_model_is_compiled (back));
  g_assert_cmpuint (strata_optimizer_get_weights (strata_model_get_optimizer (back))->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (strata_tensor_equal (g_ptr_array_index (strata_optimizer_get_weights (strata_model_get_optimizer (model)), i),
                                        g_ptr_array_index (strata_optimizer_get_weights (strata_model_get_optimizer (back)), i)));
  strata_test_remove_tree (dir);
}

static StrataModel *
lso_model (void)
{
  g_autofree char *path = strata_test_real_fixture_path (LSO_SAVEDMODEL);
  g_autoptr(GError) error = NULL;
  StrataModel *model;

  if (path == NULL)
    return NULL;
  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  /* something else than the checkpoint holds */
  for (guint i = 0; i < 2; i++)
    {
      StrataLayer *dense = strata_model_get_layer_at (model, 0);
      g_autoptr(GPtrArray) weights = strata_layer_get_weights (dense);
      g_autoptr(GPtrArray) zeros = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint w = 0; w < weights->len; w++)
        g_ptr_array_add (zeros, strata_tensor_new_zeros (STRATA_DTYPE_FLOAT32,
                                                         strata_tensor_get_shape (g_ptr_array_index (weights, w)),
                                                         &error));
      g_assert_true (strata_layer_set_weights (dense, zeros, &error));
    }
  /* and of the optimizer's state, with no loss scale */
  {
    StrataOptimizer *optimizer = strata_model_get_optimizer (model);
    g_autoptr(GPtrArray) state = g_ptr_array_copy (strata_optimizer_get_weights (optimizer),
                                                   (GCopyFunc) (void (*) (void)) g_object_ref, NULL);

    g_ptr_array_set_free_func (state, g_object_unref);
    strata_optimizer_clear_weights (optimizer);
    for (guint i = 0; i < state->len; i++)
      {
        StrataTensor *t = g_ptr_array_index (state, i);
        g_autoptr(StrataTensor) zero = strata_tensor_new_zeros (strata_tensor_get_dtype (t),
                                                                strata_tensor_get_shape (t), &error);

        g_assert_no_error (error);
        strata_optimizer_add_weight (optimizer, zero);
      }
  }
  return model;
}

/* load_weights takes the prefix, the `checkpoint` file or the folder. */
static void
test_lso_checkpoint (void)
{
  const char *const ways[] = { "ckpt", "checkpoint", "", "ckpt.index" };

  for (guint i = 0; i < G_N_ELEMENTS (ways); i++)
    {
      g_autofree char *relative = g_build_filename (LSO_CKPT, ways[i], NULL);
      g_autofree char *path = strata_test_real_fixture_path (relative);
      g_autoptr(StrataModel) model = lso_model ();
      g_autoptr(GFile) file = NULL;
      g_autoptr(StrataWeightsReport) report = NULL;
      g_autoptr(GError) error = NULL;
      StrataLayer *dense;

      if (path == NULL || model == NULL)
        return;
      g_test_message ("load_weights (%s)", path);
      file = g_file_new_for_path (path);
      report = strata_model_load_weights (model, file, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (report);
      g_assert_cmpstr (strata_weights_report_get_matched (report)[0], ==, "dense");
      dense = strata_model_get_layer_at (model, 0);
      assert_floats (strata_layer_get_weight (dense, "kernel"), lso_kernel, 4);
      assert_floats (strata_layer_get_weight (dense, "bias"), lso_bias, 2);
      /* the compiled model's optimizer state too, as tf-keras restores it:
       * SGD's count and momentum slots (the bias's gradient was the bias
       * of the one step) */
      {
        StrataOptimizer *optimizer = strata_model_get_optimizer (model);
        GPtrArray *state = strata_optimizer_get_weights (optimizer);
        static const float kernel_momentum[] = { 10.049943f, 9.917691f, 10.049943f, 9.917691f };

        g_assert_cmpuint (state->len, ==, 3);
        g_assert_cmpint (int64_value (g_ptr_array_index (state, 0)), ==, 1);
        assert_floats (g_ptr_array_index (state, 1), kernel_momentum, 4);
        assert_floats (g_ptr_array_index (state, 2), lso_bias, 2);
        assert_loss_scale (optimizer);
      }
    }
}

/* tf-keras refuses by_name (and so skip_mismatch) for TensorFlow checkpoints. */
static void
test_checkpoint_by_name_refused (void)
{
  g_autofree char *relative = g_build_filename (LSO_CKPT, "ckpt", NULL);
  g_autofree char *path = strata_test_real_fixture_path (relative);
  g_autoptr(StrataModel) model = lso_model ();

  if (path == NULL || model == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(StrataLoadOptions) options = strata_load_options_new ();
      g_autoptr(StrataWeightsReport) report = NULL;
      g_autoptr(GError) error = NULL;

      if (i == 0)
        strata_load_options_set_by_name (options, TRUE);
      else
        strata_load_options_set_skip_mismatch (options, TRUE);
      report = strata_model_load_weights (model, file, options, NULL, &error);
      g_assert_null (report);
      g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_COUNT);
      g_assert_nonnull (strstr (error->message, i == 0 ? "by_name" : "skip_mismatch"));
    }
}

/* save_weights("ckpt"): a TF checkpoint; load_weights reads it back. */
static void
test_checkpoint_roundtrip (void)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) other = NULL;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *prefix = g_build_filename (dir, "ckpt", NULL);
  g_autofree char *index = g_build_filename (dir, "ckpt.index", NULL);
  g_autofree char *data = g_build_filename (dir, "ckpt.data-00000-of-00001", NULL);
  g_autofree char *state = g_build_filename (dir, "checkpoint", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (prefix);
  g_autoptr(StrataSaveOptions) options = strata_save_options_new ();
  g_autoptr(StrataWeightsReport) report = NULL;
  g_autoptr(GError) error = NULL;

  model = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  other = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  strata_save_options_set_overwrite (options, TRUE);
  g_assert_true (strata_model_save_weights (model, file, options, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (data, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (state, &text, NULL, &error));
  g_assert_cmpstr (text, ==, "model_checkpoint_path: \"ckpt\"\nall_model_checkpoint_paths: \"ckpt\"\n");
  /* the prefix does not exist as a file: sniffing finds the checkpoint */
  report = strata_model_load_weights (other, file, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_weights (model, other);
  strata_test_remove_tree (dir);
}

/* A weights-only file loads as layers without classes: tf-keras could
 * not rebuild them, so no SavedModel is written. */
static void
test_weights_only_refused (void)
{
  g_autofree char *path = strata_test_real_fixture_path ("community/diabetes-mlp/model.weights.h5");
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  dir = tmp_dir ();
  out = g_build_filename (dir, "model", NULL);
  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (save_path (model, out, "tf-savedmodel", &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "“layers/dense” has no class"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  strata_test_remove_tree (dir);
}

/* ---- SavedModel to Keras 3 ---- */

/* TF 2.2's LossScaleOptimizer config (optimizer, loss_scale) becomes
 * Keras 3's (inner_optimizer, initial_scale, dynamic_growth_steps). */
static void
test_lso_to_keras3 (void)
{
  g_autofree char *path = strata_test_real_fixture_path (LSO_SAVEDMODEL);
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) back = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *optimizer, *config, *inner;

  if (path == NULL)
    return;
  dir = tmp_dir ();
  out = g_build_filename (dir, "lso.keras", NULL);
  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  back = resave (model, out, NULL);
  assert_same_weights (model, back);
  g_assert_cmpstr (strata_optimizer_get_class_name (strata_model_get_optimizer (back)), ==, "LossScaleOptimizer");
  optimizer = json_object_get_object_member (strata_model_get_training_config (back), "optimizer_config");
  g_assert_cmpstr (json_object_get_string_member (optimizer, "module"), ==, "keras.optimizers");
  config = json_object_get_object_member (optimizer, "config");
  g_assert_false (json_object_has_member (config, "loss_scale"));
  g_assert_cmpfloat (json_object_get_double_member (config, "initial_scale"), ==, 32768.0);
  g_assert_cmpint (json_object_get_int_member (config, "dynamic_growth_steps"), ==, 2000);
  inner = json_object_get_object_member (config, "inner_optimizer");
  g_assert_cmpstr (json_object_get_string_member (inner, "class_name"), ==, "SGD");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (inner, "config"),
                                                                 "momentum"), 0.1, 1e-7);
  /* optimizer/vars as Keras 3.15 saves a LossScaleOptimizer's: its own
   * iteration and learning rate (never updated), step_counter (TF's
   * good_steps), dynamic_scale (current_loss_scale), then SGD's
   * iteration, learning rate and momentum slots */
  {
    GPtrArray *state = strata_optimizer_get_weights (strata_model_get_optimizer (back));
    static const float kernel_momentum[] = { 10.049943f, 9.917691f, 10.049943f, 9.917691f };

    g_assert_cmpuint (state->len, ==, 8);
    g_assert_cmpint (int64_value (g_ptr_array_index (state, 0)), ==, 0);
    g_assert_cmpfloat (float_value (g_ptr_array_index (state, 1)), ==, 0.0f);
    g_assert_cmpint (int64_value (g_ptr_array_index (state, 2)), ==, 1);
    g_assert_cmpfloat (float_value (g_ptr_array_index (state, 3)), ==, 32768.0f);
    g_assert_cmpint (int64_value (g_ptr_array_index (state, 4)), ==, 1);
    g_assert_cmpfloat (float_value (g_ptr_array_index (state, 5)), ==, 0.1f);
    assert_floats (g_ptr_array_index (state, 6), kernel_momentum, 4);
    assert_floats (g_ptr_array_index (state, 7), lso_bias, 2);
  }
  strata_test_remove_tree (dir);
}

/* Adds a state tensor named @name of @n values first, first + 1, ... */
static void
add_named_floats (StrataOptimizer *optimizer, const char *name, StrataShape *shape, gsize n, float first)
{
  float values[6];
  g_autoptr(StrataTensor) tensor = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (values));
  for (guint i = 0; i < n; i++)
    values[i] = first + (float) i;
  tensor = strata_tensor_new_from_floats (shape, values, n, &error);
  g_assert_no_error (error);
  strata_tensor_set_name (tensor, name);
  strata_optimizer_add_weight (optimizer, tensor);
}

/* tf-keras < 2.11 (OptimizerV2) saves Adam's state as [iter, m..., v...];
 * Keras 3 wants [iteration, learning_rate, m0, v0, m1, v1]. */
static void
test_legacy_slots_to_keras3 (void)
{
  static const char json[] =
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 2], \"dtype\": \"float32\", "
    "\"name\": \"in\"}},"
    "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3}}]}}";
  static const char training[] =
    "{\"optimizer_config\": {\"class_name\": \"Adam\", \"config\": {\"name\": \"Adam\", \"learning_rate\": 0.25}}, "
    "\"loss\": \"mse\"}";
  /* first value of each written tensor in Keras 3's order; -1 is the count */
  static const float expected[] = { -1, 0.25f, 10, 30, 20, 40 };
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "legacy.keras", NULL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) back = NULL;
  g_autoptr(JsonNode) tc = NULL;
  g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
  g_autoptr(StrataShape) kernel = strata_shape_new (2, (gint64[]) { 2, 3 });
  g_autoptr(StrataShape) bias = strata_shape_new (1, (gint64[]) { 3 });
  g_autoptr(StrataTensor) iter = NULL;
  g_autoptr(GError) error = NULL;
  StrataOptimizer *optimizer;
  GPtrArray *state;

  model = strata_model_from_json (json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  tc = json_from_string (training, &error);
  g_assert_no_error (error);
  g_assert_true (strata_model_compile (model, json_node_get_object (tc), &error));
  g_assert_no_error (error);
  optimizer = strata_model_get_optimizer (model);
  strata_optimizer_clear_weights (optimizer);
  iter = strata_tensor_new_zeros (STRATA_DTYPE_INT64, scalar, &error);
  g_assert_no_error (error);
  strata_tensor_set_name (iter, "Adam/iter:0");
  strata_optimizer_add_weight (optimizer, iter);
  add_named_floats (optimizer, "Adam/dense/kernel/m:0", kernel, 6, 10);
  add_named_floats (optimizer, "Adam/dense/bias/m:0", bias, 3, 20);
  add_named_floats (optimizer, "Adam/dense/kernel/v:0", kernel, 6, 30);
  add_named_floats (optimizer, "Adam/dense/bias/v:0", bias, 3, 40);
  back = resave (model, out, NULL);
  state = strata_optimizer_get_weights (strata_model_get_optimizer (back));
  g_assert_cmpuint (state->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpint (strata_tensor_get_dtype (g_ptr_array_index (state, 0)), ==, STRATA_DTYPE_INT64);
  for (guint i = 1; i < state->len; i++)
    {
      gsize n;
      g_autofree float *values = strata_tensor_to_floats (g_ptr_array_index (state, i), &n, &error);

      g_assert_no_error (error);
      g_assert_cmpfloat (values[0], ==, expected[i]);
    }
  strata_test_remove_tree (dir);
}

/* ---- SavedModels without a Keras model ---- */

static char *
float_sha256 (float value)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) &value, sizeof value);
}

static StrataTensorSpec *
find_variable (StrataContents *contents, const char *name)
{
  GPtrArray *variables = strata_contents_get_variables (contents);

  for (guint i = 0; i < variables->len; i++)
    if (g_str_equal (strata_tensor_spec_get_name (g_ptr_array_index (variables, i)), name))
      return g_ptr_array_index (variables, i);
  return NULL;
}

/* The TensorFlow Serving test models (MANIFEST.md): signature names and
 * methods, and the analytic values of their variables. */
typedef struct
{
  const char *folder;
  const char *producer;        /* tensorflow_version */
  const char *holds;           /* what the error says the folder holds */
  const char *signatures;      /* sorted "name method in:dtype:shape,... -> out:..." lines */
  const char *variables;       /* sorted "key dtype shape" lines */
  float       values[5];       /* the variables' values, in that order */
} ServingCase;

static const ServingCase serving_cases[] = {
  { "saved_model_counter", "TensorFlow 1.5.0-rc1", "graph export",
    "get_counter tensorflow/serving/predict  -> output:DT_FLOAT_REF:()\n"
    "incr_counter tensorflow/serving/predict  -> output:DT_FLOAT_REF:()\n"
    "incr_counter_by tensorflow/serving/predict delta:float32:? -> output:DT_FLOAT_REF:()\n"
    "reset_counter tensorflow/serving/predict  -> output:DT_FLOAT_REF:()\n",
    "counter float32 ()\n", { 0.0f } },
  { "saved_model_half_plus_three", "TensorFlow 1.0.0-rc2", "graph export",
    "serving_default tensorflow/serving/predict x:float32:? -> y:float32:?\n"
    "tensorflow/serving/regress tensorflow/serving/regress inputs:float32:? -> outputs:float32:?\n",
    "a float32 ()\nb float32 ()\nc float32 ()\n", { 0.5f, 3.0f, 3.0f } },
  { "saved_model_half_plus_two_cpu", "TensorFlow 1.14.0", "graph export",
    "classify_x_to_y tensorflow/serving/classify inputs:DT_STRING:? -> scores:float32:(None, 1)\n"
    "regress_x2_to_y3 tensorflow/serving/regress inputs:float32:(None, 1) -> outputs:float32:(None, 1)\n"
    "regress_x_to_y tensorflow/serving/regress inputs:DT_STRING:? -> outputs:float32:(None, 1)\n"
    "regress_x_to_y2 tensorflow/serving/regress inputs:DT_STRING:? -> outputs:float32:(None, 1)\n"
    "serving_default tensorflow/serving/predict x:float32:(None, 1) -> y:float32:(None, 1)\n",
    "a float32 ()\na2 float32 ()\nb float32 ()\nc float32 ()\nc2 float32 ()\n",
    { 0.5f, 0.5f, 2.0f, 3.0f, 3.0f } },
  /* TF 2 writes every signature with the predict method */
  { "saved_model_half_plus_two_tf2_cpu", "TensorFlow 2.14.0", "tf.Module",
    "classify_x2_to_y3 tensorflow/serving/predict inputs:float32:(1,) -> scores:float32:(1,)\n"
    "classify_x_to_y tensorflow/serving/predict inputs:DT_STRING:(None,) -> scores:float32:(None, 1)\n"
    "regress_x2_to_y3 tensorflow/serving/predict inputs:float32:(1,) -> outputs:float32:(1,)\n"
    "regress_x_to_y tensorflow/serving/predict inputs:DT_STRING:(None,) -> outputs:float32:(None, 1)\n"
    "regress_x_to_y2 tensorflow/serving/predict inputs:DT_STRING:(None,) -> outputs:float32:(None, 1)\n"
    "serving_default tensorflow/serving/predict x:float32:(1,) -> y:float32:(1,)\n",
    "a/.ATTRIBUTES/VARIABLE_VALUE float32 ()\nb/.ATTRIBUTES/VARIABLE_VALUE float32 ()\n"
    "c/.ATTRIBUTES/VARIABLE_VALUE float32 ()\n",
    { 0.5f, 2.0f, 3.0f } },
};

static char *
spec_text (StrataTensorSpec *spec, const char *separator)
{
  StrataShape *shape = strata_tensor_spec_get_shape (spec);
  g_autofree char *dims = shape != NULL ? strata_shape_to_string (shape) : g_strdup ("?");

  return g_strjoin (separator, strata_tensor_spec_get_name (spec), strata_tensor_spec_get_dtype (spec), dims, NULL);
}

static char *
specs_text (GPtrArray *specs)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < specs->len; i++)
    g_ptr_array_add (parts, spec_text (g_ptr_array_index (specs, i), ":"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (",", (char **) parts->pdata);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted lines, each ending in a newline. */
static char *
sorted_lines (GPtrArray *lines)
{
  GString *out = g_string_new (NULL);

  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s\n", (const char *) g_ptr_array_index (lines, i));
  return g_string_free (out, FALSE);
}

static void
test_serving (gconstpointer data)
{
  const ServingCase *c = data;
  g_autofree char *relative = g_build_filename ("tensorflow-serving", c->folder, "00000123", NULL);
  g_autofree char *path = strata_test_real_fixture_path (relative);
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) signatures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) variables = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *signatures_text = NULL;
  g_autofree char *variables_text = NULL;
  GPtrArray *specs;

  if (path == NULL)
    return;
  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_null (model);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "holds no Keras model"));
  g_assert_nonnull (strstr (error->message, c->holds));
  g_clear_error (&error);

  file = g_file_new_for_path (path);
  contents = strata_inspect_file (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_contents_get_format_name (contents), ==, "tf-savedmodel");
  g_assert_false (strata_contents_get_has_keras_model (contents));
  g_assert_cmpstr (strata_contents_get_producer (contents), ==, c->producer);
  g_assert_cmpstr (strata_contents_get_tags (contents)[0], ==, "serve");
  g_assert_null (strata_contents_get_tags (contents)[1]);

  specs = strata_contents_get_signatures (contents);
  for (guint i = 0; i < specs->len; i++)
    {
      StrataSignature *signature = g_ptr_array_index (specs, i);
      g_autofree char *inputs = specs_text (strata_signature_get_inputs (signature));
      g_autofree char *outputs = specs_text (strata_signature_get_outputs (signature));

      g_ptr_array_add (signatures, g_strdup_printf ("%s %s %s -> %s", strata_signature_get_name (signature),
                                                    strata_signature_get_method (signature), inputs, outputs));
    }
  signatures_text = sorted_lines (signatures);
  g_assert_cmpstr (signatures_text, ==, c->signatures);

  specs = strata_contents_get_variables (contents);
  for (guint i = 0; i < specs->len; i++)
    g_ptr_array_add (variables, spec_text (g_ptr_array_index (specs, i), " "));
  variables_text = sorted_lines (variables);
  g_assert_cmpstr (variables_text, ==, c->variables);
  /* the values are the analytic ones (the variables come sorted by key) */
  for (guint i = 0; i < specs->len; i++)
    {
      g_autofree char *sha = float_sha256 (c->values[i]);

      g_assert_cmpstr (strata_tensor_spec_get_sha256 (g_ptr_array_index (specs, i)), ==, sha);
    }
}

/* The TF 2.2 checkpoint as a plain bundle: 10 variables, no signatures. */
static void
test_lso_checkpoint_inspect (void)
{
  g_autofree char *relative = g_build_filename (LSO_CKPT, "ckpt", NULL);
  g_autofree char *path = strata_test_real_fixture_path (relative);
  g_autoptr(GFile) file = NULL;
  g_autoptr(StrataContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scale = float_sha256 (32768.0f);
  g_autofree char *kernel = NULL;
  StrataTensorSpec *spec;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  contents = strata_inspect_file (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (strata_contents_get_has_keras_model (contents));
  g_assert_cmpuint (strata_contents_get_signatures (contents)->len, ==, 0);
  g_assert_cmpuint (strata_contents_get_variables (contents)->len, ==, 10);
  spec = find_variable (contents, "optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE");
  g_assert_nonnull (spec);
  g_assert_cmpstr (strata_tensor_spec_get_sha256 (spec), ==, scale);
  spec = find_variable (contents, "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  g_assert_nonnull (spec);
  g_assert_cmpstr (strata_tensor_spec_get_dtype (spec), ==, "float32");
  kernel = strata_shape_to_string (strata_tensor_spec_get_shape (spec));
  g_assert_cmpstr (kernel, ==, "(2, 2)");
}

/* ---- what Strata writes ---- */

static Tsm__SavedModel *
read_pb (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "saved_model.pb", NULL);
  g_autoptr(GError) error = NULL;
  Tsm__SavedModel *sm = (Tsm__SavedModel *) tsm_proto_read_file (&tsm__saved_model__descriptor, path,
                                                                  "saved_model.pb", &error);

  g_assert_no_error (error);
  return sm;
}

static Tsm__TrackableObjectGraph *
read_tog (TsmBundle *bundle)
{
  g_autoptr(GError) error = NULL;
  const TsmEntry *entry = tsm_bundle_lookup (bundle, "_CHECKPOINTABLE_OBJECT_GRAPH", &error);
  g_autoptr(GPtrArray) strings = NULL;
  gsize length;
  const guint8 *data;

  g_assert_no_error (error);
  strings = tsm_bundle_read_strings (bundle, entry, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (g_ptr_array_index (strings, 0), &length);
  return (Tsm__TrackableObjectGraph *) tsm_proto_unpack (&tsm__trackable_object_graph__descriptor, data, length,
                                                         "tog", "object graph", &error);
}

static gboolean
has_child (Tsm__SavedObject *o, const char *name)
{
  for (gsize i = 0; i < o->n_children; i++)
    if (g_str_equal (o->children[i]->local_name, name))
      return TRUE;
  return FALSE;
}

static JsonObject *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = strata_json_parse (text, -1, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* A generated fixture (tests/fixtures/generated). */
static char *
generated_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "generated", relative, NULL);
}

static char *
entry_sha256 (TsmBundle *bundle, const char *key)
{
  g_autoptr(GError) error = NULL;
  const TsmEntry *entry = tsm_bundle_lookup (bundle, key, &error);
  g_autoptr(GBytes) bytes = NULL;

  g_assert_no_error (error);
  bytes = tsm_bundle_read_tensor (bundle, entry, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static const char *
tog_key (Tsm__TrackableObjectGraph *tog, int node)
{
  g_assert_cmpint (node, >=, 0);
  g_assert_cmpint (node, <, (int) tog->n_nodes);
  g_assert_cmpuint (tog->nodes[node]->n_attributes, ==, 1);
  return tog->nodes[node]->attributes[0]->checkpoint_key;
}

/* The optimizer of the checkpoint @prefix as sorted lines: each variable
 * it tracks ("child iter optimizer/iter/... <sha256>") and each slot
 * variable by the SHA-256 of its weight's value and of its own ("slot
 * <weight sha256> m <sha256>"); a slot must be keyed below its weight
 * (TF 2.0 keys a nested model's weights under the root's `variables`
 * list, which Strata does not write). When @sog is given, the
 * SavedModel's object graph must list the same slots. */
static char *
describe_optimizer (const char *prefix, Tsm__SavedObjectGraph *sog)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsmBundle) bundle = tsm_bundle_open (prefix, &error);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  Tsm__TrackableObjectGraph *tog;
  Tsm__TrackableObject *opt = NULL;
  int id = -1;
  char *out;

  g_assert_no_error (error);
  tog = read_tog (bundle);
  for (gsize c = 0; c < tog->nodes[0]->n_children; c++)
    if (g_str_equal (tog->nodes[0]->children[c]->local_name, "optimizer"))
      id = tog->nodes[0]->children[c]->node_id;
  g_assert_cmpint (id, >, 0);
  opt = tog->nodes[id];
  for (gsize c = 0; c < opt->n_children; c++)
    {
      const char *key = tog_key (tog, opt->children[c]->node_id);
      g_autofree char *sha = entry_sha256 (bundle, key);

      g_ptr_array_add (lines, g_strdup_printf ("child %s %s %s", opt->children[c]->local_name, key, sha));
    }
  for (gsize i = 0; i < opt->n_slot_variables; i++)
    {
      Tsm__SlotVariableReference *ref = opt->slot_variables[i];
      const char *key = tog_key (tog, ref->slot_variable_node_id);
      const char *weight_key = tog_key (tog, ref->original_variable_node_id);
      g_autofree char *weight = g_strndup (weight_key, strlen (weight_key) - strlen ("/.ATTRIBUTES/VARIABLE_VALUE"));
      g_autofree char *want_key = g_strdup_printf ("%s/.OPTIMIZER_SLOT/optimizer/%s/.ATTRIBUTES/VARIABLE_VALUE",
                                                   weight, ref->slot_name);
      g_autofree char *weight_sha = entry_sha256 (bundle, weight_key);
      g_autofree char *sha = entry_sha256 (bundle, key);

      g_assert_true (g_str_has_suffix (weight_key, "/.ATTRIBUTES/VARIABLE_VALUE"));
      g_assert_cmpstr (key, ==, want_key);
      g_ptr_array_add (lines, g_strdup_printf ("slot %s %s %s", weight_sha, ref->slot_name, sha));
    }
  if (sog != NULL)
    {
      /* TensorFlow numbers the checkpoint's nodes as the SavedModel's */
      g_assert_cmpuint (sog->nodes[id]->n_slot_variables, ==, opt->n_slot_variables);
      for (gsize i = 0; i < opt->n_slot_variables; i++)
        {
          g_assert_cmpint (sog->nodes[id]->slot_variables[i]->original_variable_node_id, ==,
                           opt->slot_variables[i]->original_variable_node_id);
          g_assert_cmpstr (sog->nodes[id]->slot_variables[i]->slot_name, ==, opt->slot_variables[i]->slot_name);
          g_assert_cmpint (sog->nodes[id]->slot_variables[i]->slot_variable_node_id, ==,
                           opt->slot_variables[i]->slot_variable_node_id);
        }
    }
  protobuf_c_message_free_unpacked (&tog->base, NULL);
  out = sorted_lines (lines);
  return out;
}

/* Legacy (OptimizerV2) state re-saved by Strata as TF 2.0 wrote it: the
 * optimizer tracks `iter` and its hyperparameters, and every slot is
 * linked to its weight in both object graphs, with the same keys and
 * values as in TensorFlow's SavedModel and checkpoint (a nested model in
 * the SGD case). */
static void
test_writer_legacy_optimizer (gconstpointer data)
{
  const char *name = data;
  g_autofree char *relative = g_strdup_printf ("legacy/tf2.0/%s.savedmodel", name);
  g_autofree char *ckpt_relative = g_strdup_printf ("legacy/tf2.0/%s.ckpt/ckpt", name);
  g_autofree char *path = generated_path (relative);
  g_autofree char *real_ckpt = generated_path (ckpt_relative);
  g_autofree char *real_prefix = g_build_filename (path, "variables", "variables", NULL);
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "sm", NULL);
  g_autofree char *prefix = g_build_filename (out, "variables", "variables", NULL);
  g_autofree char *ckpt = g_build_filename (dir, "ckpt", NULL);
  g_autoptr(GFile) ckpt_file = g_file_new_for_path (ckpt);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;
  Tsm__SavedModel *real_sm, *sm;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want_ckpt = NULL;
  g_autofree char *got_ckpt = NULL;

  model = load_path (path, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (save_path (model, out, "tf-savedmodel", &error));
  g_assert_no_error (error);
  real_sm = read_pb (path);
  sm = read_pb (out);
  want = describe_optimizer (real_prefix, real_sm->meta_graphs[0]->object_graph_def);
  got = describe_optimizer (prefix, sm->meta_graphs[0]->object_graph_def);
  g_assert_nonnull (strstr (want, "child iter optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE"));
  g_assert_nonnull (strstr (want, "\nslot "));
  g_assert_cmpstr (got, ==, want);

  g_assert_true (strata_model_save_weights (model, ckpt_file, NULL, NULL, &error));
  g_assert_no_error (error);
  want_ckpt = describe_optimizer (real_ckpt, NULL);
  got_ckpt = describe_optimizer (ckpt, NULL);
  g_assert_cmpstr (got_ckpt, ==, want_ckpt);
  protobuf_c_message_free_unpacked (&real_sm->base, NULL);
  protobuf_c_message_free_unpacked (&sm->base, NULL);
  strata_test_remove_tree (dir);
}

/* §9.17-19: the invariants of a Tier A SavedModel. */
static void
test_writer_structure (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "sm", NULL);
  g_autofree char *prefix = g_build_filename (out, "variables", "variables", NULL);
  g_autofree char *assets = g_build_filename (out, "assets", NULL);
  g_autofree char *fingerprint = g_build_filename (out, "fingerprint.pb", NULL);
  g_autofree char *md_path = g_build_filename (out, "keras_metadata.pb", NULL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) back = NULL;
  g_autoptr(TsmBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  Tsm__SavedModel *sm;
  Tsm__SavedObjectGraph *sog;
  Tsm__TrackableObjectGraph *tog;
  Tsm__SavedMetadata *md;
  guint n_variables = 0;

  model = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (save_path (model, out, "tf-savedmodel", &error));
  g_assert_no_error (error);

  g_assert_true (g_file_test (assets, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (fingerprint, G_FILE_TEST_EXISTS));
  sm = read_pb (out);
  g_assert_cmpint (sm->saved_model_schema_version, ==, 1);
  g_assert_cmpuint (sm->n_meta_graphs, ==, 1);
  g_assert_cmpstr (sm->meta_graphs[0]->meta_info_def->tags[0], ==, "serve");
  sog = sm->meta_graphs[0]->object_graph_def;
  bundle = tsm_bundle_open (prefix, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tsm_bundle_get_num_shards (bundle), ==, 1);
  tog = read_tog (bundle);
  g_assert_nonnull (tog);

  /* identical nodes and edges */
  g_assert_cmpuint (sog->n_nodes, ==, tog->n_nodes);
  for (gsize i = 0; i < sog->n_nodes; i++)
    {
      Tsm__SavedObject *o = sog->nodes[i];

      g_assert_cmpuint (o->n_children, ==, tog->nodes[i]->n_children);
      for (gsize c = 0; c < o->n_children; c++)
        {
          g_assert_cmpstr (o->children[c]->local_name, ==, tog->nodes[i]->children[c]->local_name);
          g_assert_cmpint (o->children[c]->node_id, ==, tog->nodes[i]->children[c]->node_id);
        }
      g_assert_true (o->kind_case == TSM__SAVED_OBJECT__KIND_USER_OBJECT ||
                     o->kind_case == TSM__SAVED_OBJECT__KIND_VARIABLE);
      if (o->kind_case == TSM__SAVED_OBJECT__KIND_VARIABLE)
        {
          const TsmEntry *entry;

          g_assert_cmpuint (tog->nodes[i]->n_attributes, ==, 1);
          g_assert_cmpstr (tog->nodes[i]->attributes[0]->name, ==, "VARIABLE_VALUE");
          entry = tsm_bundle_lookup (bundle, tog->nodes[i]->attributes[0]->checkpoint_key, &error);
          g_assert_no_error (error);
          g_assert_cmpint (entry->dtype, ==, o->variable->dtype);
          g_assert_cmpuint (entry->rank, ==, o->variable->shape->n_dim);
          for (guint d = 0; d < entry->rank; d++)
            g_assert_cmpint (entry->dims[d], ==, o->variable->shape->dim[d]->size);
          /* ON_READ variables must not be trainable (tf.saved_model.load checks) */
          if (o->variable->synchronization == 3)
            g_assert_false (o->variable->trainable);
          n_variables++;
        }
      else
        g_assert_cmpuint (tog->nodes[i]->n_attributes, ==, 0);
    }
  g_assert_cmpuint (n_variables + 1, ==, tsm_bundle_get_n_entries (bundle));
  g_assert_true (has_child (sog->nodes[0], "layer-0"));
  g_assert_true (has_child (sog->nodes[0], "layer_with_weights-0"));
  g_assert_true (has_child (sog->nodes[0], "signatures"));
  g_assert_cmpstr (sog->nodes[0]->user_object->identifier, ==, "_tf_keras_sequential");
  /* the checkpoint keys of TensorFlow's breadth-first walk */
  g_assert_nonnull (tsm_bundle_lookup (bundle, "layer_with_weights-2/forward_layer/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE", &error));
  g_assert_nonnull (tsm_bundle_lookup (bundle, "layer_with_weights-0/layer/kernel/.ATTRIBUTES/VARIABLE_VALUE", &error));
  g_assert_nonnull (tsm_bundle_lookup (bundle, "layer_with_weights-1/moving_variance/.ATTRIBUTES/VARIABLE_VALUE", &error));
  g_assert_no_error (error);

  /* §9.18 */
  md = (Tsm__SavedMetadata *) tsm_proto_read_file (&tsm__saved_metadata__descriptor, md_path, "keras_metadata.pb", &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < md->n_nodes; i++)
    {
      Tsm__KerasSavedObject *o = md->nodes[i];
      g_autoptr(JsonObject) metadata = parse (o->metadata);

      g_assert_cmpint (o->version->producer, ==, 2);
      g_assert_cmpint (o->version->min_consumer, ==, 1);
      g_assert_true (g_str_has_prefix (o->identifier, "_tf_keras_"));
      g_assert_cmpstr (sog->nodes[o->node_id]->user_object->identifier, ==, o->identifier);
      g_assert_true (json_object_has_member (metadata, "name"));
      g_assert_true (json_object_has_member (metadata, "class_name"));
      if (o->node_id == 0)
        {
          JsonObject *config = json_object_get_object_member (metadata, "config");
          JsonArray *layers = json_object_get_array_member (config, "layers");

          g_assert_true (json_object_get_boolean_member (metadata, "is_graph_network"));
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (layers, 0), "class_name"), ==, "InputLayer");
        }
      else if (g_str_has_prefix (o->node_path, "root.layer_with_weights-") && strchr (o->node_path + 5, '.') == NULL)
        {
          g_assert_true (json_object_has_member (metadata, "build_input_shape"));
          g_assert_true (json_object_has_member (metadata, "config"));
          g_assert_true (json_object_has_member (metadata, "trainable"));
          g_assert_true (json_object_has_member (metadata, "dtype"));
          g_assert_true (json_object_has_member (metadata, "expects_training_arg"));
        }
    }
  protobuf_c_message_free_unpacked (&md->base, NULL);
  protobuf_c_message_free_unpacked (&tog->base, NULL);
  protobuf_c_message_free_unpacked (&sm->base, NULL);

  /* §9.19: read back bit-identical */
  back = load_path (out, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  assert_same_weights (model, back);
  assert_same_config (model, back);
  strata_test_remove_tree (dir);
}

/* A save that fails leaves the old folder; a good one replaces it whole. */
static void
test_writer_atomic (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "sm", NULL);
  g_autofree char *marker = g_build_filename (out, "old-file", NULL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) metadata_only = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autofree char *json = NULL;

  model = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (save_path (model, out, NULL, &error));
  g_assert_true (g_file_set_contents (marker, "x", 1, &error));
  /* a model without weight data cannot be written: nothing changes */
  json = strata_model_to_json (model, STRATA_KERAS_DIALECT_KERAS2, FALSE);
  metadata_only = strata_model_from_json (json, -1, NULL, STRATA_LOAD_METADATA_ONLY, &error);
  g_assert_no_error (error);
  g_assert_false (save_path (metadata_only, out, NULL, &error));
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_true (save_path (model, out, NULL, &error));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  /* no temporary is left next to it */
  listing = g_dir_open (dir, 0, &error);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "sm");
  g_assert_null (g_dir_read_name (listing));
  strata_test_remove_tree (dir);
}

/* ---- damaged folders ---- */

typedef void (*Patch) (Tsm__SavedModel *sm);

/* Writes the test model, lets @patch change saved_model.pb, loads it:
 * the error must mention @expect. */
static void
assert_patched_fails (Patch patch, const char *expect)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "sm", NULL);
  g_autofree char *pb = g_build_filename (out, "saved_model.pb", NULL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(StrataModel) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Tsm__SavedModel *sm;

  model = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (save_path (model, out, NULL, &error));
  sm = read_pb (out);
  patch (sm);
  bytes = tsm_proto_pack (&sm->base);
  protobuf_c_message_free_unpacked (&sm->base, NULL);
  g_assert_true (g_file_set_contents (pb, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  back = load_path (out, STRATA_LOAD_NONE, &error);
  g_assert_null (back);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expect));
  g_assert_nonnull (strstr (error->message, out));
  strata_test_remove_tree (dir);
}

static Tsm__SavedObject *
first_variable (Tsm__SavedModel *sm)
{
  Tsm__SavedObjectGraph *sog = sm->meta_graphs[0]->object_graph_def;

  for (gsize i = 0; i < sog->n_nodes; i++)
    if (sog->nodes[i]->kind_case == TSM__SAVED_OBJECT__KIND_VARIABLE)
      return sog->nodes[i];
  g_assert_not_reached ();
}

static void
patch_dtype (Tsm__SavedModel *sm)
{
  first_variable (sm)->variable->dtype = 2;   /* DT_DOUBLE */
}

static void
patch_shape (Tsm__SavedModel *sm)
{
  first_variable (sm)->variable->shape->dim[0]->size += 1;
}

static void
patch_cycle (Tsm__SavedModel *sm)
{
  Tsm__SavedObjectGraph *sog = sm->meta_graphs[0]->object_graph_def;

  /* the first layer's first child becomes the root */
  sog->nodes[sog->nodes[0]->children[0]->node_id]->children[0]->node_id = 0;
}

static void
patch_dangling (Tsm__SavedModel *sm)
{
  sm->meta_graphs[0]->object_graph_def->nodes[0]->children[0]->node_id = 100000;
}

static void
test_damaged_variable (void)
{
  assert_patched_fails (patch_dtype, "is declared DT_DOUBLE");
  assert_patched_fails (patch_shape, "is declared with shape");
}

static void
test_damaged_graph (void)
{
  assert_patched_fails (patch_cycle, "has a cycle");
  assert_patched_fails (patch_dangling, "→ 100000");
}

/* A flipped byte in any tensor of variables/ fails the load, though its
 * checksums are compared only after every tensor is read. */
static void
test_damaged_tensor (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "sm", NULL);
  g_autofree char *prefix = g_build_filename (out, "variables", "variables", NULL);
  g_autofree char *shard = g_strconcat (prefix, ".data-00000-of-00001", NULL);
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(TsmBundle) bundle = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *clean = NULL;
  gsize size;
  guint n_tested = 0;
  g_autoptr(GError) error = NULL;

  model = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (save_path (model, out, NULL, &error));
  g_assert_true (g_file_get_contents (shard, &clean, &size, &error));
  bytes = g_memdup2 (clean, size);
  bundle = tsm_bundle_open (prefix, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < tsm_bundle_get_n_entries (bundle); i++)
    {
      const TsmEntry *entry = tsm_bundle_get_entry (bundle, i);
      g_autoptr(StrataModel) back = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", entry->key);

      if (entry->dtype == TSM_DT_STRING || entry->size == 0)
        continue;
      memcpy (bytes, clean, size);
      bytes[entry->offset + entry->size - 1] ^= 0x40;
      g_assert_true (g_file_set_contents (shard, (const char *) bytes, (gssize) size, &error));
      back = load_path (out, STRATA_LOAD_NONE, &error);
      g_assert_null (back);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "Checksum mismatch"));
      g_assert_nonnull (strstr (error->message, quoted));
      g_assert_nonnull (strstr (error->message, shard));
      g_clear_error (&error);
      n_tested++;
    }
  g_assert_cmpuint (n_tested, >=, 4);
  strata_test_remove_tree (dir);
}

/* keras_metadata.pb with bad JSON or a path that leads nowhere. A layer's
 * bad JSON fails a full load; a metadata-only open reads only the root's. */
static void
test_damaged_metadata (void)
{
  static const struct { guint node; const char *json, *expect; } bad[] = {
    { 0, "{\"class_name\": \"Sequential\", ", "not valid JSON" },
    { 1, "{\"class_name\": \"Dense\", ", "not valid JSON" },
    { 1, "[1, 2]", "not a JSON object" },
    { 1, NULL, "does not resolve" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *dir = tmp_dir ();
      g_autofree char *out = g_build_filename (dir, "sm", NULL);
      g_autofree char *path = g_build_filename (out, "keras_metadata.pb", NULL);
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(StrataModel) back = NULL;
      g_autoptr(StrataModel) meta = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      Tsm__SavedMetadata *md;

      model = strata_model_from_json (sequential_json, -1, NULL, STRATA_LOAD_NONE, &error);
      g_assert_true (save_path (model, out, NULL, &error));
      md = (Tsm__SavedMetadata *) tsm_proto_read_file (&tsm__saved_metadata__descriptor, path, "keras_metadata.pb", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (md->n_nodes, >, bad[i].node);
      if (bad[i].json != NULL)
        {
          g_free (md->nodes[bad[i].node]->metadata);
          md->nodes[bad[i].node]->metadata = g_strdup (bad[i].json);
        }
      else
        {
          g_free (md->nodes[bad[i].node]->node_path);
          md->nodes[bad[i].node]->node_path = g_strdup ("root.layer-0.no_such_child");
        }
      bytes = tsm_proto_pack (&md->base);
      protobuf_c_message_free_unpacked (&md->base, NULL);
      g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
      back = load_path (out, STRATA_LOAD_NONE, &error);
      g_assert_null (back);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i].expect));
      g_assert_nonnull (strstr (error->message, "keras_metadata.pb"));
      g_clear_error (&error);
      meta = load_path (out, STRATA_LOAD_METADATA_ONLY, &error);
      if (bad[i].node == 0 || bad[i].json == NULL)
        g_assert_null (meta);
      else
        {
          g_assert_no_error (error);
          g_assert_cmpuint (strata_model_get_n_layers (meta), ==, strata_model_get_n_layers (model));
        }
      strata_test_remove_tree (dir);
    }
}

/* saved_model.pb nesting 10,000 levels deep: a clear error, no crash. */
static void
test_deep_saved_model (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *pb = g_build_filename (dir, "saved_model.pb", NULL);
  g_autoptr(GByteArray) inner = g_byte_array_new ();
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      GByteArray *outer = g_byte_array_new ();
      guint8 tag = (2 << 3) | 2;
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
  g_assert_true (g_file_set_contents (pb, (const char *) inner->data, inner->len, &error));
  model = load_path (dir, STRATA_LOAD_NONE, &error);
  g_assert_null (model);
  g_assert_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, dir));
  strata_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/savedmodel/lso/load", test_lso_load);
  g_test_add_func ("/savedmodel/lso/metadata-only", test_lso_metadata_only);
  g_test_add_func ("/savedmodel/lso/roundtrip", test_lso_roundtrip);
  g_test_add_func ("/savedmodel/checkpoint/lso", test_lso_checkpoint);
  g_test_add_func ("/savedmodel/checkpoint/by-name-refused", test_checkpoint_by_name_refused);
  g_test_add_func ("/savedmodel/checkpoint/roundtrip", test_checkpoint_roundtrip);
  g_test_add_func ("/savedmodel/writer/weights-only-refused", test_weights_only_refused);
  g_test_add_func ("/savedmodel/keras3/loss-scale-optimizer", test_lso_to_keras3);
  g_test_add_func ("/savedmodel/keras3/legacy-slots", test_legacy_slots_to_keras3);
  g_test_add_func ("/savedmodel/checkpoint/lso-inspect", test_lso_checkpoint_inspect);
  for (guint i = 0; i < G_N_ELEMENTS (serving_cases); i++)
    {
      g_autofree char *name = g_strconcat ("/savedmodel/serving/", serving_cases[i].folder, NULL);

      g_test_add_data_func (name, &serving_cases[i], test_serving);
    }
  g_test_add_func ("/savedmodel/writer/structure", test_writer_structure);
  g_test_add_func ("/savedmodel/writer/atomic", test_writer_atomic);
  g_test_add_data_func ("/savedmodel/writer/legacy-optimizer/adam", "compiled_adam",
                        test_writer_legacy_optimizer);
  g_test_add_data_func ("/savedmodel/writer/legacy-optimizer/sgd-momentum", "compiled_sgd_momentum",
                        test_writer_legacy_optimizer);
  g_test_add_func ("/savedmodel/damaged/variable", test_damaged_variable);
  g_test_add_func ("/savedmodel/damaged/graph", test_damaged_graph);
  g_test_add_func ("/savedmodel/damaged/tensor", test_damaged_tensor);
  g_test_add_func ("/savedmodel/damaged/metadata", test_damaged_metadata);
  g_test_add_func ("/savedmodel/damaged/deep", test_deep_saved_model);
  return g_test_run ();
}
