/* test-predict-real.c: predictions against those real Keras made
 *
 * Sources (../shared/fixtures/real, MANIFEST.md):
 * - dl4j: every *_inputs_and_outputs.h5 beside a *_model.h5; its
 *   predictions/<output> is Keras's model.predict of inputs/<input>.
 * - dl4j fullconfigs: cnn/input.npy -> cnn/predictions.npy, and
 *   lstm/data/sequences/<i>.csv (4 steps of 12 features, ";"-separated,
 *   a 13th column unused) -> lstm/predictions.npy[i], a batch of one each.
 * - frugally-deep: the "tests" of test/stateful_test/temp_*.json (tensors
 *   without their batch axis of 1, as base64 little-endian float32).
 * - community: the expected*.json transcribed from notebooks (one sample;
 *   jenish-churn's model is built here from the architecture that file
 *   describes, then loads model.weights.h5).
 * - generated: the files in tests/fixtures/predict, written by
 *   tests/fixtures/predict-fixtures.py with real tf-keras 2.21 and Keras
 *   3.15 (model + inputs + Keras's predictions in one file).
 * A value passes within 1e-5 relative, or 1e-5 absolute below 1; NaN only
 * matches NaN. The test prints how many files pass per source and each
 * failure with its largest error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <hdf5.h>

#include "test-utils.h"
#include "strata-npy.h"

typedef struct {
  guint n_pass, n_fail;
  double worst_pass, worst_pass_abs;   /* the largest error that passed */
  GString *failures;
  GPtrArray *failed;    /* labels */
} Tally;

/* Every file passes but these, each with its reason. A listed file that
 * passes fails the test too: the list must be shortened then. */
static const struct {
  const char *label;
  const char *reason;
} expected_failures[] = {
  { "keras/examples/simple_lstm/simple_lstm_tf_keras_2_inputs_and_outputs.h5",
    "the file holds no predictions, only inputs and training targets (MANIFEST.md)" },
  { "dtype_float16-tk.vectors.h5",
    "Keras computes float16 layers in float16; Strata converts their weights and computes in float32 "
    "(largest difference 8e-4)" },
  { "dtype_float16-k3.vectors.h5",
    "Keras computes float16 layers in float16; Strata converts their weights and computes in float32 "
    "(largest difference 5e-4)" },
};

static Tally
tally_new (void)
{
  return (Tally) { 0, 0, 0.0, 0.0, g_string_new (NULL), g_ptr_array_new_with_free_func (g_free) };
}

static void
tally_fail (Tally *tally, const char *label)
{
  tally->n_fail++;
  g_ptr_array_add (tally->failed, g_strdup (label));
}

/* The array @path of @file as float32 tensor, or NULL. */
static StrataTensor *
read_array (hid_t file, const char *path)
{
  hid_t ds, space;
  int rank;
  hsize_t dims[32];
  gint64 sdims[32];
  gsize n = 1;
  g_autofree float *values = NULL;
  g_autoptr(StrataShape) shape = NULL;

  if (H5Lexists (file, path, H5P_DEFAULT) <= 0)
    return NULL;
  ds = H5Dopen2 (file, path, H5P_DEFAULT);
  if (ds < 0)
    return NULL;
  space = H5Dget_space (ds);
  rank = H5Sget_simple_extent_ndims (space);
  if (rank < 0 || rank > 32)
    rank = 0;
  H5Sget_simple_extent_dims (space, dims, NULL);
  for (int i = 0; i < rank; i++)
    {
      sdims[i] = (gint64) dims[i];
      n *= dims[i];
    }
  values = g_new0 (float, MAX (n, 1));
  if (H5Dread (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
    n = 0;
  H5Sclose (space);
  H5Dclose (ds);
  shape = strata_shape_new ((guint) rank, sdims);
  return strata_tensor_new_from_floats (shape, values, n, NULL);
}

/* The names listed in the root attribute @attr ({"@attr": [names]}). */
static char **
read_names (hid_t file, const char *attr)
{
  hid_t a, type, mem;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *list;
  GPtrArray *names;

  if (H5Aexists (file, attr) <= 0)
    return NULL;
  a = H5Aopen (file, attr, H5P_DEFAULT);
  type = H5Aget_type (a);
  if (H5Tis_variable_str (type) > 0)
    {
      char *vl = NULL;
      mem = H5Tcopy (type);   /* keeps the file's character set */
      if (H5Aread (a, mem, &vl) >= 0 && vl != NULL)
        {
          text = g_strdup (vl);
          H5free_memory (vl);
        }
    }
  else
    {
      gsize size = H5Tget_size (type);
      text = g_malloc0 (size + 1);
      mem = H5Tcopy (H5T_C_S1);
      H5Tset_size (mem, size);
      if (H5Aread (a, mem, text) < 0)
        g_clear_pointer (&text, g_free);
    }
  H5Tclose (mem);
  H5Tclose (type);
  H5Aclose (a);
  if (text == NULL || (root = strata_json_parse (text, -1, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (list = json_object_get_array_member (json_node_get_object (root), attr)) == NULL)
    return NULL;
  names = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_ptr_array_add (names, g_strdup (json_array_get_string_element (list, i)));
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* The largest error of @got against @want, scaled so that 1 is the limit
 * (1e-5 relative, or absolute below 1); +inf on a shape or NaN mismatch. */
static double
largest_error (StrataTensor *got, StrataTensor *want, double *abs_error)
{
  gsize n_got, n_want;
  g_autofree float *g = strata_tensor_to_floats (got, &n_got, NULL);
  g_autofree float *w = strata_tensor_to_floats (want, &n_want, NULL);
  double worst = 0.0;

  *abs_error = INFINITY;
  if (g == NULL || w == NULL || n_got != n_want)
    return INFINITY;
  *abs_error = 0.0;
  for (gsize i = 0; i < n_got; i++)
    {
      double d, scaled;
      if (isnan (w[i]) || isnan (g[i]))
        {
          if (isnan (w[i]) != isnan (g[i]))
            return INFINITY;
          continue;
        }
      d = fabs ((double) g[i] - (double) w[i]);
      scaled = d / (1e-5 * MAX (1.0, fabs ((double) w[i])));
      *abs_error = MAX (*abs_error, d);
      worst = MAX (worst, scaled);
    }
  return worst;
}

/* Counts @label as passing when @outputs (NULL after @error) match @wants
 * one for one; a failure is listed with its largest error. */
static void
tally_outputs (Tally *tally, const char *label, GPtrArray *outputs, GPtrArray *wants,
               const GError *error)
{
  double worst = 0.0, worst_abs = 0.0;

  if (outputs != NULL && outputs->len == wants->len)
    for (guint i = 0; i < outputs->len; i++)
      {
        double abs_error = INFINITY;
        worst = MAX (worst, largest_error (g_ptr_array_index (outputs, i),
                                           g_ptr_array_index (wants, i), &abs_error));
        worst_abs = MAX (worst_abs, abs_error);
      }
  else if (outputs != NULL)
    worst = worst_abs = INFINITY;
  if (outputs != NULL && worst <= 1.0)
    {
      tally->n_pass++;
      tally->worst_pass = MAX (tally->worst_pass, worst);
      tally->worst_pass_abs = MAX (tally->worst_pass_abs, worst_abs);
      return;
    }
  tally_fail (tally, label);
  if (outputs == NULL)
    g_string_append_printf (tally->failures, "#   %s: %s\n", label,
                            error != NULL ? error->message : "no output");
  else
    g_string_append_printf (tally->failures, "#   %s: largest error %.3g (%.3g x tolerance)\n",
                            label, worst_abs, worst);
}

/* Runs @model_path on the vectors of @vectors_path (HDF5 with inputs/,
 * predictions/ and the root attributes inputs/outputs). */
static void
check_file (const char *label, const char *model_path, const char *weights_path,
            const char *vectors_path, Tally *tally)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GPtrArray) wants = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (model_path);
  g_auto(GStrv) in_names = NULL;
  g_auto(GStrv) out_names = NULL;
  hid_t h5 = H5Fopen (vectors_path, H5F_ACC_RDONLY, H5P_DEFAULT);

  if (h5 < 0)
    {
      g_string_append_printf (tally->failures, "#   %s: cannot open the test vectors\n", label);
      tally_fail (tally, label);
      return;
    }
  in_names = read_names (h5, "inputs");
  out_names = read_names (h5, "outputs");
  model = strata_load_model (file, NULL, NULL, &error);
  if (model != NULL && weights_path != NULL)
    {
      g_autoptr(GFile) weights = g_file_new_for_path (weights_path);
      g_autoptr(StrataWeightsReport) loaded = strata_model_load_weights (model, weights, NULL, NULL, &error);
      if (loaded == NULL)
        g_clear_object (&model);
    }
  if (model != NULL && in_names != NULL)
    for (guint i = 0; in_names[i] != NULL; i++)
      {
        g_autofree char *path = g_strdup_printf ("inputs/%s", in_names[i]);
        StrataTensor *t = read_array (h5, path);
        if (t != NULL)
          g_ptr_array_add (inputs, t);
      }
  if (model != NULL)
    outputs = strata_model_predict (model, inputs, NULL, &error);
  if (outputs != NULL && out_names != NULL)
    for (guint i = 0; out_names[i] != NULL; i++)
      {
        g_autofree char *path = g_strdup_printf ("predictions/%s", out_names[i]);
        StrataTensor *t = read_array (h5, path);
        if (t != NULL)   /* a missing one fails on the count */
          g_ptr_array_add (wants, t);
      }
  H5Fclose (h5);
  tally_outputs (tally, label, outputs, wants, error);
}

static const char *
expected_failure (const char *label)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected_failures); i++)
    if (g_str_equal (expected_failures[i].label, label))
      return expected_failures[i].reason;
  return NULL;
}

/* Prints the counts and failures, then fails for every failure not in
 * expected_failures and every expected failure of @all_labels that passed. */
static void
report (const char *source, Tally *tally, GPtrArray *all_labels)
{
  g_print ("# %s: %u of %u pass (the largest error of those: %.3g, %.3g x tolerance)\n", source,
           tally->n_pass, tally->n_pass + tally->n_fail, tally->worst_pass_abs, tally->worst_pass);
  if (tally->failures->len > 0)
    g_print ("# failures:\n%s", tally->failures->str);
  for (guint i = 0; i < tally->failed->len; i++)
    {
      const char *label = g_ptr_array_index (tally->failed, i);
      if (expected_failure (label) == NULL)
        g_test_fail_printf ("%s: %s fails and is not an expected failure", source, label);
    }
  for (guint i = 0; i < all_labels->len; i++)
    {
      const char *label = g_ptr_array_index (all_labels, i);
      const char *reason = expected_failure (label);
      if (reason != NULL && !g_ptr_array_find_with_equal_func (tally->failed, label, g_str_equal, NULL))
        g_test_fail_printf ("%s: %s passes now (expected to fail: %s); remove it from expected_failures",
                            source, label, reason);
    }
  g_string_free (tally->failures, TRUE);
  g_ptr_array_unref (tally->failed);
}

static void
test_dl4j (void)
{
  g_autofree char *dir = strata_test_real_fixture_path ("dl4j-test-resources");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *suffixes[] = { "_inputs_and_outputs.h5", NULL };
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  Tally tally = tally_new ();
  guint no_model = 0;

  if (dir == NULL)
    return;
  strata_test_collect_files (dir, suffixes, files);
  for (guint i = 0; i < files->len; i++)
    {
      const char *vectors = g_ptr_array_index (files, i);
      g_autofree char *stem = g_strndup (vectors, strlen (vectors) - strlen (suffixes[0]));
      g_autofree char *model = g_strconcat (stem, "_model.h5", NULL);
      g_autofree char *config = g_strconcat (stem, "_config.json", NULL);
      g_autofree char *weights = g_strconcat (stem, "_weights.h5", NULL);
      g_ptr_array_add (labels, (char *) vectors + strlen (dir) + 1);
      if (g_file_test (model, G_FILE_TEST_EXISTS))
        check_file (vectors + strlen (dir) + 1, model, NULL, vectors, &tally);
      else if (g_file_test (config, G_FILE_TEST_EXISTS) && g_file_test (weights, G_FILE_TEST_EXISTS))
        check_file (vectors + strlen (dir) + 1, config, weights, vectors, &tally);
      else
        no_model++;
    }
  /* Every test-vector file of the corpus has its model beside it. */
  g_assert_cmpuint (no_model, ==, 0);
  /* The corpus as MANIFEST.md lists it: a vanished file fails here. */
  g_assert_cmpuint (labels->len, ==, 77);
  report ("dl4j *_inputs_and_outputs.h5", &tally, labels);
}

/* A float32 tensor of @values with the dimensions @dims (@rank of them). */
static StrataTensor *
floats_tensor (const float *values, guint rank, const gint64 *dims)
{
  g_autoptr(StrataShape) shape = strata_shape_new (rank, dims);
  gsize n = 1;

  for (guint i = 0; i < rank; i++)
    n *= (gsize) dims[i];
  return strata_tensor_new_from_floats (shape, values, n, NULL);
}

/* Predicts @inputs with @model (NULL after @error) and tallies the
 * outputs against @wants. */
static void
check_predict (Tally *tally, const char *label, StrataModel *model, GPtrArray *inputs,
               GPtrArray *wants, const GError *error)
{
  g_autoptr(GError) predict_error = NULL;
  g_autoptr(GPtrArray) outputs = NULL;

  if (model != NULL)
    outputs = strata_model_predict (model, inputs, NULL, &predict_error);
  tally_outputs (tally, label, outputs, wants, model == NULL ? error : predict_error);
}

static StrataModel *
load_model (const char *path, const char *weights_path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(StrataModel) model = strata_load_model (file, NULL, NULL, error);

  if (model != NULL && weights_path != NULL)
    {
      g_autoptr(GFile) weights = g_file_new_for_path (weights_path);
      g_autoptr(StrataWeightsReport) loaded = strata_model_load_weights (model, weights, NULL, NULL, error);
      if (loaded == NULL)
        return NULL;
    }
  return g_steal_pointer (&model);
}

/* Sequence @index of fullconfigs/lstm as a (1, steps, 12) tensor. */
static StrataTensor *
read_sequence (const char *dir, guint index, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%u.csv", index);
  g_autofree char *path = g_build_filename (dir, "data", "sequences", name, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
  gint64 dims[3] = { 1, 0, 12 };

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ";", -1);
      if (lines[i][0] == '\0')
        continue;
      if (g_strv_length (cells) < 12)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: line %u has %u columns",
                       path, i + 1, g_strv_length (cells));
          return NULL;
        }
      for (guint j = 0; j < 12; j++)
        {
          float v = (float) g_ascii_strtod (cells[j], NULL);
          g_array_append_val (values, v);
        }
      dims[1]++;
    }
  return floats_tensor ((const float *) values->data, 3, dims);
}

static void
test_dl4j_fullconfigs (void)
{
  g_autofree char *dir = strata_test_real_fixture_path ("dl4j-test-resources/keras/fullconfigs");
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  Tally tally = tally_new ();

  if (dir == NULL)
    return;

  {
    g_autofree char *model_path = g_build_filename (dir, "cnn", "cnn_batch_norm.h5", NULL);
    g_autofree char *input_path = g_build_filename (dir, "cnn", "input.npy", NULL);
    g_autofree char *want_path = g_build_filename (dir, "cnn", "predictions.npy", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(StrataModel) model = load_model (model_path, NULL, &error);
    g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(GPtrArray) wants = g_ptr_array_new_with_free_func (g_object_unref);
    StrataTensor *input = strata_npy_read (input_path, &error);   /* float64 */
    StrataTensor *want = input != NULL ? strata_npy_read (want_path, &error) : NULL;

    if (input != NULL)
      g_ptr_array_add (inputs, input);
    if (want != NULL)
      g_ptr_array_add (wants, want);
    g_ptr_array_add (labels, g_strdup ("cnn/input.npy"));
    check_predict (&tally, "cnn/input.npy", want != NULL ? model : NULL, inputs, wants, error);
  }

  {
    g_autofree char *lstm = g_build_filename (dir, "lstm", NULL);
    g_autofree char *config = g_build_filename (lstm, "lstm_th_keras_2_config.json", NULL);
    g_autofree char *weights = g_build_filename (lstm, "lstm_th_keras_2_weights.h5", NULL);
    g_autofree char *want_path = g_build_filename (lstm, "predictions.npy", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(StrataModel) model = load_model (config, weights, &error);
    g_autoptr(StrataTensor) all = strata_npy_read (want_path, NULL);
    gsize n = 0;
    g_autofree float *predictions = all != NULL ? strata_tensor_to_floats (all, &n, NULL) : NULL;

    /* The corpus as MANIFEST.md lists it: 283 sequences. */
    g_assert_cmpuint (n, ==, 283);
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
        g_autoptr(GPtrArray) wants = g_ptr_array_new_with_free_func (g_object_unref);
        g_autoptr(GError) read_error = NULL;
        StrataTensor *sequence = read_sequence (lstm, i, &read_error);
        char *label = g_strdup_printf ("lstm/data/sequences/%u.csv", i);
        const gint64 dims[2] = { 1, 1 };

        g_ptr_array_add (labels, label);
        g_ptr_array_add (wants, floats_tensor (&predictions[i], 2, dims));
        if (sequence != NULL)
          g_ptr_array_add (inputs, sequence);
        check_predict (&tally, label, sequence != NULL ? model : NULL, inputs, wants,
                       sequence != NULL ? error : read_error);
      }
  }
  report ("dl4j fullconfigs", &tally, labels);
}

/* The tensors of a frugally-deep test case list: each {shape, values:
 * [base64 little-endian float32]}, given a batch axis of 1. */
static gboolean
fdeep_tensors (JsonArray *list, GPtrArray *out)
{
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      JsonArray *shape = o != NULL ? json_object_get_array_member (o, "shape") : NULL;
      JsonArray *values = o != NULL ? json_object_get_array_member (o, "values") : NULL;
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      gint64 dims[16] = { 1 };
      guint rank;
      gsize n = 1;

      if (shape == NULL || values == NULL || json_array_get_length (shape) >= G_N_ELEMENTS (dims))
        return FALSE;
      rank = json_array_get_length (shape) + 1;
      for (guint d = 1; d < rank; d++)
        n *= (gsize) (dims[d] = json_array_get_int_element (shape, d - 1));
      for (guint j = 0; j < json_array_get_length (values); j++)
        {
          gsize len;
          g_autofree guchar *chunk = g_base64_decode (json_array_get_string_element (values, j), &len);
          g_byte_array_append (bytes, chunk, (guint) len);
        }
      if (bytes->len != n * 4)
        return FALSE;
      for (gsize k = 0; k < n; k++)   /* little-endian to host order */
        {
          guint32 v;
          memcpy (&v, bytes->data + 4 * k, 4);
          v = GUINT32_FROM_LE (v);
          memcpy (bytes->data + 4 * k, &v, 4);
        }
      g_ptr_array_add (out, floats_tensor ((const float *) bytes->data, rank, dims));
    }
  return TRUE;
}

static void
test_frugally_deep (void)
{
  g_autofree char *dir = strata_test_real_fixture_path ("frugally-deep/test/stateful_test");
  const char *stems[] = { "temp_stateful", "temp_stateless" };
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  Tally tally = tally_new ();

  if (dir == NULL)
    return;
  for (guint s = 0; s < G_N_ELEMENTS (stems); s++)
    {
      g_autofree char *json_name = g_strconcat (stems[s], ".json", NULL);
      g_autofree char *h5_name = g_strconcat (stems[s], ".h5", NULL);
      g_autofree char *json_path = g_build_filename (dir, json_name, NULL);
      g_autofree char *h5_path = g_build_filename (dir, h5_name, NULL);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = load_model (h5_path, NULL, &error);
      JsonArray *tests;

      g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));
      root = strata_json_parse (text, -1, NULL);
      g_assert_nonnull (root);
      tests = json_object_get_array_member (json_node_get_object (root), "tests");
      g_assert_cmpuint (json_array_get_length (tests), >, 0);
      for (guint t = 0; t < json_array_get_length (tests); t++)
        {
          JsonObject *test = json_array_get_object_element (tests, t);
          g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
          g_autoptr(GPtrArray) wants = g_ptr_array_new_with_free_func (g_object_unref);
          char *label = g_strdup_printf ("%s tests[%u]", json_name, t);

          g_ptr_array_add (labels, label);
          g_assert_true (fdeep_tensors (json_object_get_array_member (test, "inputs"), inputs));
          g_assert_true (fdeep_tensors (json_object_get_array_member (test, "outputs"), wants));
          check_predict (&tally, label, model, inputs, wants, error);
        }
    }
  report ("frugally-deep temp_state*.json", &tally, labels);
}

/* The "inputs" or "expected_output" of a community expected*.json: a
 * list of rows of numbers, as a (rows, columns) tensor. */
static StrataTensor *
json_matrix (JsonObject *o, const char *member)
{
  JsonArray *rows = json_object_get_array_member (o, member);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
  gint64 dims[2] = { json_array_get_length (rows), 0 };

  for (guint r = 0; r < (guint) dims[0]; r++)
    {
      JsonArray *row = json_array_get_array_element (rows, r);
      dims[1] = json_array_get_length (row);
      for (guint c = 0; c < (guint) dims[1]; c++)
        {
          float v = (float) json_array_get_double_element (row, c);
          g_array_append_val (values, v);
        }
    }
  return floats_tensor ((const float *) values->data, 2, dims);
}

/* The model jenish-churn/expected.json describes (its weights file holds
 * no config): Input(12) -> Dense(64, relu) -> Dense(32, relu) ->
 * Dense(1, sigmoid), the layer names Keras 3 gives them. */
static StrataModel *
jenish_churn_model (void)
{
  const gint64 batch_shape[] = { -1, 12 };
  g_autoptr(StrataShape) shape = strata_shape_new (2, batch_shape);
  g_autoptr(StrataSequential) model = strata_sequential_new ("sequential");
  const char *dense[] = {
    "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 64, \"activation\": \"relu\"}}",
    "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 32, \"activation\": \"relu\"}}",
    "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_2\", \"units\": 1, \"activation\": \"sigmoid\"}}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataInputLayer) input = strata_input_layer_new (shape, "float32", "input_layer");

  g_assert_true (strata_sequential_add (model, STRATA_LAYER (input), &error));
  for (guint i = 0; i < G_N_ELEMENTS (dense); i++)
    {
      g_autoptr(StrataLayer) layer = strata_test_layer_from_json (dense[i]);
      g_assert_true (strata_sequential_add (model, layer, &error));
    }
  g_assert_no_error (error);
  return STRATA_MODEL (g_steal_pointer (&model));
}

/* The inputs of expected*.json were printed with 8 decimals; on these
 * models that moves the output by about 2e-8, far inside the usual
 * tolerance, which is used unchanged. */
static void
test_community (void)
{
  g_autofree char *dir = strata_test_real_fixture_path ("community");
  const struct { const char *expected, *model, *weights; } cases[] = {
    { "abhaypandy-churn/expected_model_852f27c.json", "abhaypandy-churn/model_852f27c.keras", NULL },
    { "jenish-churn/expected.json", NULL, "jenish-churn/model.weights.h5" },
  };
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  Tally tally = tally_new ();

  if (dir == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *expected = g_build_filename (dir, cases[i].expected, NULL);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataModel) model = NULL;
      g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GPtrArray) wants = g_ptr_array_new_with_free_func (g_object_unref);
      JsonObject *o;

      g_assert_true (g_file_get_contents (expected, &text, NULL, NULL));
      root = strata_json_parse (text, -1, NULL);
      g_assert_nonnull (root);
      o = json_node_get_object (root);
      if (cases[i].model != NULL)
        {
          g_autofree char *path = g_build_filename (dir, cases[i].model, NULL);
          model = load_model (path, NULL, &error);
        }
      else
        {
          g_autofree char *path = g_build_filename (dir, cases[i].weights, NULL);
          g_autoptr(GFile) weights = g_file_new_for_path (path);
          g_autoptr(StrataWeightsReport) loaded = NULL;
          model = jenish_churn_model ();
          loaded = strata_model_load_weights (model, weights, NULL, NULL, &error);
          if (loaded == NULL)
            g_clear_object (&model);
        }
      g_ptr_array_add (inputs, json_matrix (o, "inputs"));
      g_ptr_array_add (wants, json_matrix (o, "expected_output"));
      g_ptr_array_add (labels, (char *) cases[i].expected);
      check_predict (&tally, cases[i].expected, model, inputs, wants, error);
    }
  report ("community expected*.json", &tally, labels);
}

/* The array @path of the HDF5 file @h5 as doubles; @shape gets its shape. */
static double *
read_doubles (hid_t h5, const char *path, StrataShape **shape, gsize *n)
{
  hid_t ds = H5Dopen2 (h5, path, H5P_DEFAULT);
  hid_t space = H5Dget_space (ds);
  hsize_t dims[32];
  gint64 sdims[32];
  int rank = H5Sget_simple_extent_ndims (space);
  double *values;

  g_assert_cmpint (rank, >, 0);
  g_assert_cmpint (rank, <=, 32);
  H5Sget_simple_extent_dims (space, dims, NULL);
  *n = 1;
  for (int i = 0; i < rank; i++)
    *n *= (gsize) (sdims[i] = (gint64) dims[i]);
  values = g_new (double, *n);
  g_assert_cmpint (H5Dread (ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), >=, 0);
  H5Sclose (space);
  H5Dclose (ds);
  *shape = strata_shape_new ((guint) rank, sdims);
  return values;
}

/* A model whose layers all have the float64 dtype policy computes in
 * float64: float64 outputs within 1e-12 of Keras's float64 predictions. */
static void
test_float64 (void)
{
  const char *stems[] = { "fixtures/predict/dtype_float64-tk", "fixtures/predict/dtype_float64-k3",
                          "fixtures/predict/dtype_float64_conv-tk", "fixtures/predict/dtype_float64_conv-k3",
                          "fixtures/predict/dtype_float64_norm_pool-tk",
                          "fixtures/predict/dtype_float64_norm_pool-k3" };

  for (guint i = 0; i < G_N_ELEMENTS (stems); i++)
    {
      g_autofree char *path = g_strconcat (stems[i], g_str_has_suffix (stems[i], "-tk") ? ".h5" : ".keras", NULL);
      g_autofree char *vectors = g_strconcat (stems[i], ".vectors.h5", NULL);
      g_autofree char *model_path = strata_test_src_path (path);
      g_autofree char *vectors_path = strata_test_src_path (vectors);
      g_autoptr(StrataModel) model = strata_test_load_model (model_path);
      g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GPtrArray) outputs = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataShape) in_shape = NULL;
      g_autoptr(StrataShape) want_shape = NULL;
      g_autofree double *x = NULL;
      g_autofree double *want = NULL;
      const double *got;
      gsize n_x, n_want, n_got;
      double worst = 0.0;
      hid_t h5 = H5Fopen (vectors_path, H5F_ACC_RDONLY, H5P_DEFAULT);

      g_assert_cmpint (h5, >=, 0);
      x = read_doubles (h5, "inputs/input_0", &in_shape, &n_x);
      want = read_doubles (h5, "predictions/output_0", &want_shape, &n_want);
      H5Fclose (h5);
      g_ptr_array_add (inputs, strata_tensor_new (STRATA_DTYPE_FLOAT64, in_shape,
                                                  g_bytes_new_take (g_steal_pointer (&x), n_x * 8), NULL));
      outputs = strata_model_predict (model, inputs, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (outputs->len, ==, 1);
      g_assert_cmpint (strata_tensor_get_dtype (g_ptr_array_index (outputs, 0)), ==, STRATA_DTYPE_FLOAT64);
      got = g_bytes_get_data (strata_tensor_get_data (g_ptr_array_index (outputs, 0)), &n_got);
      g_assert_cmpuint (n_got, ==, n_want * 8);
      for (gsize j = 0; j < n_want; j++)
        worst = MAX (worst, fabs (got[j] - want[j]) / MAX (1.0, fabs (want[j])));
      g_print ("# %s: largest error against Keras's float64 predictions %.3g\n", path, worst);
      g_assert_cmpfloat (worst, <=, 1e-12);
    }
}

/* The float64 ops missing, and float64 layers beside others, fail before
 * computing with every such layer named. */
static void
test_float64_refused (void)
{
  g_autofree char *f64_path = strata_test_src_path ("fixtures/predict/dtype_float64-tk.h5");
  g_autofree char *pad_path = strata_test_src_path ("fixtures/predict/pad_crop_up1d-tk.h5");
  g_autoptr(StrataModel) mixed = strata_test_load_model (f64_path);
  g_autoptr(StrataModel) pad = strata_test_load_model (pad_path);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 dims[] = { 2, 5 };
  const float zeros[30] = { 0 };

  /* Dense float64, then Dense float32 */
  strata_layer_set_dtype (strata_model_get_layer (mixed, "dense_1"), "float32");
  g_ptr_array_add (inputs, floats_tensor (zeros, 2, dims));
  outputs = strata_model_predict (mixed, inputs, NULL, &error);
  g_assert_null (outputs);
  g_assert_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "“dense” (Dense: dtype policy “float64” in a model"));
  g_clear_error (&error);

  /* ZeroPadding1D, Cropping1D, UpSampling1D made float64: Pad, Slice and
   * the repeat have no float64 kernel yet */
  for (guint i = 0; i < strata_model_get_n_layers (pad); i++)
    strata_layer_set_dtype (strata_model_get_layer_at (pad, i), "float64");
  g_ptr_array_set_size (inputs, 0);
  g_ptr_array_add (inputs, floats_tensor (zeros, 3, (const gint64[]) { 2, 5, 2 }));
  outputs = strata_model_predict (pad, inputs, NULL, &error);
  g_assert_null (outputs);
  g_assert_error (error, STRATA_PREDICT_ERROR, STRATA_PREDICT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "3 layers cannot"));
  g_assert_nonnull (strstr (error->message, "(float64 Pad is not implemented)"));
}

static void
test_generated (void)
{
  g_autofree char *dir = strata_test_src_path ("fixtures/predict");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *suffixes[] = { ".h5", NULL };
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  Tally tally = tally_new ();

  strata_test_collect_files (dir, suffixes, files);
  g_assert_cmpuint (files->len, >, 0);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      if (g_str_has_suffix (path, ".vectors.h5"))
        {
          g_autofree char *stem = g_strndup (path, strlen (path) - strlen (".vectors.h5"));
          g_autofree char *model = g_strconcat (stem, g_str_has_suffix (stem, "-k3") ? ".keras" : ".h5", NULL);
          g_ptr_array_add (labels, (char *) path + strlen (dir) + 1);
          check_file (path + strlen (dir) + 1, model, NULL, path, &tally);
        }
    }
  report ("generated (tf-keras 2.21 / Keras 3.15)", &tally, labels);
  /* 116 cases, each from tf-keras 2.21 and from Keras 3.15, the
   * tf-keras CuDNN layers and the Keras 3 explicit masks. */
  g_assert_cmpuint (labels->len, ==, 234);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  g_test_add_func ("/predict/real/dl4j", test_dl4j);
  g_test_add_func ("/predict/real/dl4j-fullconfigs", test_dl4j_fullconfigs);
  g_test_add_func ("/predict/real/frugally-deep", test_frugally_deep);
  g_test_add_func ("/predict/real/community", test_community);
  g_test_add_func ("/predict/real/generated", test_generated);
  g_test_add_func ("/predict/real/float64", test_float64);
  g_test_add_func ("/predict/real/float64-refused", test_float64_refused);
  return g_test_run ();
}
