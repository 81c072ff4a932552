/* test-predict-real.c: predictions against those real Keras made
 *
 * Sources (../shared/fixtures/real, MANIFEST.md):
 * - dl4j: every *_inputs_and_outputs.h5 beside a *_model.h5; its
 *   predictions/<output> is Keras's model.predict of inputs/<input>.
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

typedef struct {
  guint n_pass, n_fail;
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
};

static Tally
tally_new (void)
{
  return (Tally) { 0, 0, g_string_new (NULL), g_ptr_array_new_with_free_func (g_free) };
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

/* Runs @model_path on the vectors of @vectors_path (HDF5 with inputs/,
 * predictions/ and the root attributes inputs/outputs). */
static void
check_file (const char *label, const char *model_path, const char *weights_path,
            const char *vectors_path, Tally *tally)
{
  g_autoptr(StrataModel) model = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (model_path);
  g_auto(GStrv) in_names = NULL;
  g_auto(GStrv) out_names = NULL;
  hid_t h5 = H5Fopen (vectors_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  double worst = 0.0, worst_abs = 0.0;

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
  if (outputs != NULL && out_names != NULL && g_strv_length (out_names) == outputs->len)
    for (guint i = 0; i < outputs->len; i++)
      {
        g_autofree char *path = g_strdup_printf ("predictions/%s", out_names[i]);
        g_autoptr(StrataTensor) want = read_array (h5, path);
        double abs_error = INFINITY;
        double e = want != NULL ? largest_error (g_ptr_array_index (outputs, i), want, &abs_error)
                                : INFINITY;
        worst = MAX (worst, e);
        worst_abs = MAX (worst_abs, abs_error);
      }
  else if (outputs != NULL)
    worst = INFINITY;
  H5Fclose (h5);

  if (outputs != NULL && worst <= 1.0)
    {
      tally->n_pass++;
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
  g_print ("# %s: %u of %u pass\n", source, tally->n_pass, tally->n_pass + tally->n_fail);
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
  /* 112 cases, each from tf-keras 2.21 and from Keras 3.15, the
   * tf-keras CuDNN layers and the Keras 3 explicit masks. */
  g_assert_cmpuint (labels->len, ==, 226);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  g_test_add_func ("/predict/real/dl4j", test_dl4j);
  g_test_add_func ("/predict/real/generated", test_generated);
  return g_test_run ();
}
