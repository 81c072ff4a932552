/* test-initializers.c: Keras initializers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Expected bounds and variances are the definitions in the Keras
 * documentation (keras.io/api/layers/initializers): GlorotUniform limit
 * sqrt(6 / (fan_in + fan_out)), HeNormal stddev sqrt(2 / fan_in) truncated
 * at two standard deviations, fans of a kernel (*receptive field, in, out)
 * = receptive field × in / out.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-utils.h"
#include "strata-json-private.h"
#include "strata-layers-private.h"

static float *
run (const char *json, guint rank, const gint64 *dims, gsize *n, GError **error)
{
  g_autoptr(JsonNode) node = strata_json_parse (json, -1, NULL);
  g_autoptr(StrataShape) shape = strata_shape_new (rank, dims);
  g_autoptr(StrataTensor) tensor = NULL;

  g_assert_nonnull (node);
  tensor = strata_initializer_run (node, shape, STRATA_DTYPE_FLOAT32, error);
  if (tensor == NULL)
    return NULL;
  g_assert_true (strata_shape_equal (strata_tensor_get_shape (tensor), shape));
  return strata_tensor_to_floats (tensor, n, error);
}

static void
moments (const float *v, gsize n, double *mean, double *var, double *max_abs)
{
  double s = 0, s2 = 0, m = 0;
  for (gsize i = 0; i < n; i++)
    {
      /* MAX() would drop a NaN: every value must be a number. */
      g_assert_true (isfinite (v[i]));
      s += v[i];
      s2 += (double) v[i] * v[i];
      m = MAX (m, fabs (v[i]));
    }
  *mean = s / n;
  *var = s2 / n - *mean * *mean;
  *max_abs = m;
}

static void
test_constants (void)
{
  static const gint64 dims[2] = { 3, 4 };
  const char *const zeros[] = { "\"zeros\"", "\"zero\"", "{\"class_name\": \"Zeros\", \"config\": {}}",
                                "{\"module\": \"keras.initializers\", \"class_name\": \"Zeros\", "
                                "\"config\": {}, \"registered_name\": null}" };
  const char *const ones[] = { "\"ones\"", "\"one\"", "{\"class_name\": \"Ones\", \"config\": {\"dtype\": \"float32\"}}" };
  g_autoptr(GError) error = NULL;
  gsize n;

  for (guint k = 0; k < G_N_ELEMENTS (zeros); k++)
    {
      g_autofree float *v = run (zeros[k], 2, dims, &n, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 12);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat (v[i], ==, 0.0f);
    }
  for (guint k = 0; k < G_N_ELEMENTS (ones); k++)
    {
      g_autofree float *v = run (ones[k], 2, dims, &n, &error);
      g_assert_no_error (error);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat (v[i], ==, 1.0f);
    }
  {
    g_autofree float *v = run ("{\"class_name\": \"Constant\", \"config\": {\"value\": 0.25}}",
                               2, dims, &n, &error);
    g_assert_no_error (error);
    for (gsize i = 0; i < n; i++)
      g_assert_cmpfloat (v[i], ==, 0.25f);
  }
  {
    g_autofree float *v = run ("{\"class_name\": \"Constant\", \"config\": {\"value\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5]}}",
                               2, dims, &n, &error);
    g_assert_no_error (error);
    for (gsize i = 0; i < 11; i++)
      g_assert_cmpfloat (v[i], ==, (float) (i + 1));
    g_assert_cmpfloat (v[11], ==, 12.5f);
  }
  {
    /* Identity with a gain on a non-square matrix: ones on the diagonal. */
    g_autofree float *v = run ("{\"class_name\": \"Identity\", \"config\": {\"gain\": 2.0}}",
                               2, dims, &n, &error);
    g_assert_no_error (error);
    for (gsize i = 0; i < 3; i++)
      for (gsize j = 0; j < 4; j++)
        g_assert_cmpfloat (v[i * 4 + j], ==, i == j ? 2.0f : 0.0f);
  }
}

static void
test_glorot_uniform (void)
{
  /* A conv kernel: fan_in = 3*3*16, fan_out = 3*3*32. */
  static const gint64 dims[4] = { 3, 3, 16, 32 };
  const char *const encodings[] = {
    "\"glorot_uniform\"",
    "{\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}}",
    "{\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\", \"config\": {\"seed\": 7}, \"registered_name\": null}",
    "{\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 1.0, \"mode\": \"fan_avg\", \"distribution\": \"uniform\", \"seed\": null}}",
  };
  double limit = sqrt (6.0 / (9 * 16 + 9 * 32));

  for (guint k = 0; k < G_N_ELEMENTS (encodings); k++)
    {
      g_autoptr(GError) error = NULL;
      double mean, var, max_abs;
      gsize n;
      g_autofree float *v = run (encodings[k], 4, dims, &n, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 3 * 3 * 16 * 32);
      moments (v, n, &mean, &var, &max_abs);
      g_assert_cmpfloat (max_abs, <=, limit);
      g_assert_cmpfloat (max_abs, >, 0.95 * limit);
      g_assert_cmpfloat (fabs (mean), <, 0.05 * limit);
      /* uniform(-l, l) has variance l²/3 */
      g_assert_cmpfloat (fabs (var - limit * limit / 3) / (limit * limit / 3), <, 0.08);
    }
}

static void
test_he_normal (void)
{
  static const gint64 dims[2] = { 200, 100 };
  g_autoptr(GError) error = NULL;
  double mean, var, max_abs;
  double stddev = sqrt (2.0 / 200);
  gsize n;
  g_autofree float *v = run ("\"he_normal\"", 2, dims, &n, &error);
  g_autofree float *u = run ("{\"class_name\": \"VarianceScaling\", \"config\": "
                             "{\"scale\": 2.0, \"mode\": \"fan_in\", \"distribution\": \"untruncated_normal\"}}",
                             2, dims, &n, &error);

  g_assert_no_error (error);
  /* truncated at two (corrected) standard deviations, variance kept */
  moments (v, n, &mean, &var, &max_abs);
  g_assert_cmpfloat (max_abs, <=, 2.0 * stddev / 0.87962566103423978 + 1e-6);
  g_assert_cmpfloat (fabs (sqrt (var) - stddev) / stddev, <, 0.05);
  /* the untruncated one goes beyond */
  moments (u, n, &mean, &var, &max_abs);
  g_assert_cmpfloat (max_abs, >, 2.0 * stddev / 0.87962566103423978);
  g_assert_cmpfloat (fabs (sqrt (var) - stddev) / stddev, <, 0.05);
}

static void
test_random (void)
{
  static const gint64 dims[1] = { 20000 };
  g_autoptr(GError) error = NULL;
  double mean, var, max_abs;
  gsize n;
  g_autofree float *uniform = run ("{\"class_name\": \"RandomUniform\", \"config\": {\"minval\": 1.0, \"maxval\": 3.0}}",
                                   1, dims, &n, &error);
  g_autofree float *normal = run ("{\"class_name\": \"RandomNormal\", \"config\": {\"mean\": 5.0, \"stddev\": 0.5}}",
                                  1, dims, &n, &error);
  g_autofree float *keras1 = run ("\"uniform\"", 1, dims, &n, &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    g_assert_true (uniform[i] >= 1.0f && uniform[i] <= 3.0f);
  moments (normal, n, &mean, &var, &max_abs);
  g_assert_cmpfloat (fabs (mean - 5.0), <, 0.02);
  g_assert_cmpfloat (fabs (sqrt (var) - 0.5), <, 0.02);
  /* Keras 1 "uniform": U(-0.05, 0.05) */
  moments (keras1, n, &mean, &var, &max_abs);
  g_assert_cmpfloat (max_abs, <=, 0.05 + 1e-7);
  g_assert_cmpfloat (max_abs, >, 0.049);
}

static void
test_seed (void)
{
  static const gint64 dims[2] = { 8, 8 };
  const char *seeded = "{\"class_name\": \"GlorotNormal\", \"config\": {\"seed\": 42}}";
  g_autoptr(GError) error = NULL;
  gsize n;
  g_autofree float *a = run (seeded, 2, dims, &n, &error);
  g_autofree float *b = run (seeded, 2, dims, &n, &error);
  g_autofree float *c = run ("{\"class_name\": \"GlorotNormal\", \"config\": {\"seed\": 43}}",
                             2, dims, &n, &error);
  /* a Keras 3 seed generator object is not an error */
  g_autofree float *d = run ("{\"class_name\": \"GlorotNormal\", \"config\": {\"seed\": "
                             "{\"class_name\": \"SeedGenerator\", \"config\": {}}}}", 2, dims, &n, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
  g_assert_true (memcmp (a, c, n * sizeof (float)) != 0);
  g_assert_nonnull (d);
}

/* Q^T Q = gain² I over the smaller dimension. */
static void
check_orthogonal (guint rank, const gint64 *dims, double gain, const char *json)
{
  g_autoptr(GError) error = NULL;
  gsize n, rows = 1, cols = (gsize) dims[rank - 1];
  g_autofree float *v = run (json, rank, dims, &n, &error);

  g_assert_no_error (error);
  for (guint i = 0; i + 1 < rank; i++)
    rows *= (gsize) dims[i];
  if (rows >= cols)
    {
      for (gsize a = 0; a < cols; a++)
        for (gsize b = 0; b < cols; b++)
          {
            double dot = 0;
            for (gsize r = 0; r < rows; r++)
              dot += (double) v[r * cols + a] * v[r * cols + b];
            g_assert_cmpfloat (fabs (dot - (a == b ? gain * gain : 0.0)), <, 1e-4);
          }
    }
  else
    {
      for (gsize a = 0; a < rows; a++)
        for (gsize b = 0; b < rows; b++)
          {
            double dot = 0;
            for (gsize c = 0; c < cols; c++)
              dot += (double) v[a * cols + c] * v[b * cols + c];
            g_assert_cmpfloat (fabs (dot - (a == b ? gain * gain : 0.0)), <, 1e-4);
          }
    }
}

static void
test_orthogonal (void)
{
  static const gint64 tall[2] = { 64, 16 };
  static const gint64 wide[2] = { 16, 64 };
  static const gint64 square[2] = { 32, 32 };
  static const gint64 kernel[3] = { 3, 4, 12 };

  check_orthogonal (2, tall, 1.0, "\"orthogonal\"");
  check_orthogonal (2, wide, 1.0, "{\"class_name\": \"Orthogonal\", \"config\": {\"gain\": 1.0, \"seed\": null}}");
  check_orthogonal (2, square, 2.0, "{\"class_name\": \"Orthogonal\", \"config\": {\"gain\": 2.0}}");
  check_orthogonal (3, kernel, 1.0, "{\"module\": \"keras.initializers\", \"class_name\": \"OrthogonalInitializer\", \"config\": {}}");
}

static void
test_errors (void)
{
  static const gint64 dims[2] = { 2, 2 };
  static const gint64 vec[1] = { 4 };
  gsize n;

  {
    g_autoptr(GError) error = NULL;
    g_autofree float *v = run ("{\"class_name\": \"MyCustomInit\", \"config\": {}}", 2, dims, &n, &error);
    g_assert_null (v);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNKNOWN_CLASS);
    g_assert_nonnull (strstr (error->message, "MyCustomInit"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree float *v = run ("{\"class_name\": \"Constant\", \"config\": {\"value\": [1, 2]}}",
                               2, dims, &n, &error);
    g_assert_null (v);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_UNSUPPORTED);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree float *v = run ("42", 2, dims, &n, &error);
    g_assert_null (v);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree float *v = run ("{\"class_name\": \"VarianceScaling\", \"config\": {\"mode\": \"fan_sideways\"}}",
                               2, dims, &n, &error);
    g_assert_null (v);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "fan_sideways"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree float *v = run ("\"orthogonal\"", 1, vec, &n, &error);
    g_assert_null (v);
    g_assert_error (error, STRATA_CONFIG_ERROR, STRATA_CONFIG_ERROR_INVALID);
  }
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);
  g_test_add_func ("/initializers/constants", test_constants);
  g_test_add_func ("/initializers/glorot-uniform", test_glorot_uniform);
  g_test_add_func ("/initializers/he-normal", test_he_normal);
  g_test_add_func ("/initializers/random", test_random);
  g_test_add_func ("/initializers/seed", test_seed);
  g_test_add_func ("/initializers/orthogonal", test_orthogonal);
  g_test_add_func ("/initializers/errors", test_errors);
  return g_test_run ();
}
