/* test-tensor.c: StrataTensor and dtypes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-utils.h"

static StrataShape *
shape_1d (gint64 n)
{
  return strata_shape_new (1, &n);
}

/* A tensor from raw little-endian bytes. */
static StrataTensor *
tensor_from_raw (StrataDType   dtype,
                 gconstpointer data,
                 gsize         size)
{
  g_autoptr(StrataShape) shape = shape_1d ((gint64) (size / strata_dtype_get_size (dtype)));
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  StrataTensor *tensor = strata_tensor_new (dtype, shape, bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tensor);
  return tensor;
}

static StrataTensor *
tensor_from_doubles (const double *values,
                     gsize         n)
{
  g_autofree guint64 *le = g_new (guint64, n);

  for (gsize i = 0; i < n; i++)
    {
      guint64 bits;
      memcpy (&bits, &values[i], 8);
      le[i] = GUINT64_TO_LE (bits);
    }
  return tensor_from_raw (STRATA_DTYPE_FLOAT64, le, n * 8);
}

static void
test_dtype_names (void)
{
  static const struct { StrataDType dtype; const char *name; gsize size; } table[] = {
    { STRATA_DTYPE_FLOAT16, "float16", 2 },
    { STRATA_DTYPE_BFLOAT16, "bfloat16", 2 },
    { STRATA_DTYPE_FLOAT32, "float32", 4 },
    { STRATA_DTYPE_FLOAT64, "float64", 8 },
    { STRATA_DTYPE_INT8, "int8", 1 },
    { STRATA_DTYPE_INT16, "int16", 2 },
    { STRATA_DTYPE_INT32, "int32", 4 },
    { STRATA_DTYPE_INT64, "int64", 8 },
    { STRATA_DTYPE_UINT8, "uint8", 1 },
    { STRATA_DTYPE_UINT16, "uint16", 2 },
    { STRATA_DTYPE_UINT32, "uint32", 4 },
    { STRATA_DTYPE_UINT64, "uint64", 8 },
    { STRATA_DTYPE_BOOL, "bool", 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (strata_dtype_to_string (table[i].dtype), ==, table[i].name);
      g_assert_cmpint (strata_dtype_from_string (table[i].name), ==, table[i].dtype);
      g_assert_cmpuint (strata_dtype_get_size (table[i].dtype), ==, table[i].size);
    }
  g_assert_cmpint (strata_dtype_from_string ("float"), ==, STRATA_DTYPE_INVALID);
  g_assert_cmpint (strata_dtype_from_string ("mixed_float16"), ==, STRATA_DTYPE_INVALID);
  g_assert_cmpint (strata_dtype_from_string (NULL), ==, STRATA_DTYPE_INVALID);
  g_assert_cmpint (strata_dtype_from_string ("double"), ==, STRATA_DTYPE_FLOAT64);
  g_assert_null (strata_dtype_to_string (STRATA_DTYPE_INVALID));
  g_assert_cmpuint (strata_dtype_get_size (STRATA_DTYPE_INVALID), ==, 0);
}

static void
test_tensor_new_checks_size (void)
{
  const gint64 dims[] = { 3, 4 };
  g_autoptr(StrataShape) shape = strata_shape_new (2, dims);
  g_autoptr(GBytes) short_bytes = g_bytes_new_static ("0123456789ab", 12);
  g_autoptr(GBytes) exact = g_bytes_new_take (g_malloc0 (48), 48);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataTensor) bad = NULL;
  g_autoptr(StrataTensor) good = NULL;

  bad = strata_tensor_new (STRATA_DTYPE_FLOAT32, shape, short_bytes, &error);
  g_assert_null (bad);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "12 bytes"));
  g_assert_nonnull (strstr (error->message, "(3, 4)"));
  g_assert_nonnull (strstr (error->message, "48"));
  g_clear_error (&error);

  good = strata_tensor_new (STRATA_DTYPE_FLOAT32, shape, exact, &error);
  g_assert_no_error (error);
  /* The data is kept, not copied. */
  g_assert_true (strata_tensor_get_data (good) == exact);
  g_assert_true (strata_tensor_has_data (good));
  g_assert_cmpuint (strata_tensor_get_n_elements (good), ==, 12);
  g_assert_cmpuint (strata_tensor_get_n_bytes (good), ==, 48);
  g_assert_true (strata_shape_equal (strata_tensor_get_shape (good), shape));
}

static void
test_tensor_new_rejects_unknown_dims (void)
{
  const gint64 dims[] = { STRATA_DIM_UNKNOWN, 4 };
  const gint64 huge[] = { G_MAXINT64, G_MAXINT64 };
  g_autoptr(StrataShape) shape = strata_shape_new (2, dims);
  g_autoptr(StrataShape) huge_shape = strata_shape_new (2, huge);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  StrataTensor *tensor;

  tensor = strata_tensor_new (STRATA_DTYPE_FLOAT32, shape, bytes, &error);
  g_assert_null (tensor);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "(None, 4)"));
  g_clear_error (&error);

  tensor = strata_tensor_new_zeros (STRATA_DTYPE_FLOAT64, huge_shape, &error);
  g_assert_null (tensor);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_clear_error (&error);

  tensor = strata_tensor_new (STRATA_DTYPE_INVALID, shape, bytes, &error);
  g_assert_null (tensor);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_DTYPE);
}

static void
test_tensor_zeros_floats_metadata (void)
{
  const float values[] = { 1.5f, -2.0f, 0.25f };
  g_autoptr(StrataShape) shape = shape_1d (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataTensor) zeros = strata_tensor_new_zeros (STRATA_DTYPE_INT16, shape, &error);
  g_autoptr(StrataTensor) floats = NULL;
  g_autoptr(StrataTensor) meta = NULL;
  g_autofree float *back = NULL;
  const guint8 *raw;
  gsize n = 0;

  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (zeros), &n);
  g_assert_cmpuint (n, ==, 6);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpuint (raw[i], ==, 0);

  floats = strata_tensor_new_from_floats (shape, values, 2, &error);
  g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE);
  g_assert_null (floats);
  g_clear_error (&error);

  floats = strata_tensor_new_from_floats (shape, values, 3, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (floats), &n);
  /* 1.5f is 0x3fc00000, stored little-endian. */
  g_assert_cmpuint (n, ==, 12);
  g_assert_cmpuint (raw[0], ==, 0x00);
  g_assert_cmpuint (raw[2], ==, 0xc0);
  g_assert_cmpuint (raw[3], ==, 0x3f);
  back = strata_tensor_to_floats (floats, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (back, n * sizeof (float), values, sizeof values);

  {
    const gint64 dims[] = { STRATA_DIM_UNKNOWN, 8 };
    g_autoptr(StrataShape) partial = strata_shape_new (2, dims);
    g_autofree float *none = NULL;
    g_autoptr(StrataTensor) cast = NULL;

    meta = strata_tensor_new_metadata (STRATA_DTYPE_BFLOAT16, partial);
    g_assert_false (strata_tensor_has_data (meta));
    g_assert_null (strata_tensor_get_data (meta));
    g_assert_null (strata_tensor_get_sha256 (meta));
    g_assert_cmpuint (strata_tensor_get_n_elements (meta), ==, 0);
    g_assert_cmpint (strata_tensor_get_dtype (meta), ==, STRATA_DTYPE_BFLOAT16);

    none = strata_tensor_to_floats (meta, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_NOT_BUILT);
    g_clear_error (&error);
    cast = strata_tensor_cast (meta, STRATA_DTYPE_FLOAT32, &error);
    g_assert_null (cast);
    g_assert_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_NOT_BUILT);
  }
}

static void
test_tensor_equal_copy (void)
{
  const float a_values[] = { 1, 2, 3, 4 };
  const float b_values[] = { 1, 2, 3, 5 };
  const gint64 dims[] = { 2, 2 };
  g_autoptr(StrataShape) flat = shape_1d (4);
  g_autoptr(StrataShape) square = strata_shape_new (2, dims);
  g_autoptr(StrataTensor) a = strata_tensor_new_from_floats (flat, a_values, 4, NULL);
  g_autoptr(StrataTensor) b = strata_tensor_new_from_floats (flat, b_values, 4, NULL);
  g_autoptr(StrataTensor) c = strata_tensor_new_from_floats (square, a_values, 4, NULL);
  g_autoptr(StrataTensor) d = NULL;
  g_autoptr(StrataTensor) copy = NULL;

  strata_tensor_set_name (a, "dense/kernel:0");
  copy = strata_tensor_copy (a);
  g_assert_true (strata_tensor_equal (a, copy));
  g_assert_true (strata_tensor_get_data (a) == strata_tensor_get_data (copy));
  g_assert_cmpstr (strata_tensor_get_name (copy), ==, "dense/kernel:0");
  g_assert_false (strata_tensor_equal (a, b));
  g_assert_false (strata_tensor_equal (a, c));   /* same bytes, other shape */

  d = tensor_from_raw (STRATA_DTYPE_INT32, g_bytes_get_data (strata_tensor_get_data (a), NULL), 16);
  g_assert_false (strata_tensor_equal (a, d));   /* same bytes, other dtype */
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_tensor_properties (void)
{
  g_autoptr(StrataShape) shape = shape_1d (2);
  g_autoptr(StrataTensor) tensor = strata_tensor_new_zeros (STRATA_DTYPE_UINT8, shape, NULL);
  g_autoptr(StrataShape) got_shape = NULL;
  g_autoptr(GBytes) got_data = NULL;
  g_autofree char *name = NULL;
  StrataDType dtype;
  gboolean has_data;
  guint notified = 0;

  g_signal_connect (tensor, "notify::name", G_CALLBACK (on_notify), &notified);
  g_object_set (tensor, "name", "bias", NULL);
  g_object_set (tensor, "name", "bias", NULL);
  strata_tensor_set_name (tensor, "bias");
  g_assert_cmpuint (notified, ==, 1);
  strata_tensor_set_name (tensor, NULL);
  g_assert_cmpuint (notified, ==, 2);
  strata_tensor_set_name (tensor, "bias");

  g_object_get (tensor, "dtype", &dtype, "shape", &got_shape, "data", &got_data,
                "has-data", &has_data, "name", &name, NULL);
  g_assert_cmpint (dtype, ==, STRATA_DTYPE_UINT8);
  g_assert_true (strata_shape_equal (got_shape, shape));
  g_assert_cmpuint (g_bytes_get_size (got_data), ==, 2);
  g_assert_true (has_data);
  g_assert_cmpstr (name, ==, "bias");
}

/* float64 inputs and the float16 bits NumPy's astype(float16) gives. */
static const struct { double value; guint16 bits; } half_cases[] = {
  { 1.0, 0x3c00 },
  { -2.0, 0xc000 },
  { 65504.0, 0x7bff },            /* largest finite */
  { 65519.0, 0x7bff },            /* rounds down */
  { 65520.0, 0x7c00 },            /* rounds up to infinity */
  { 6.103515625e-05, 0x0400 },    /* smallest normal, 2^-14 */
  { 5.960464477539063e-08, 0x0001 }, /* smallest subnormal, 2^-24 */
  { 2.9802322387695312e-08, 0x0000 }, /* 2^-25: a tie, to even (zero) */
  { 4.470348358154297e-08, 0x0001 },
  { 8.940696716308594e-08, 0x0002 }, /* 1.5 * 2^-24: tie to even */
  { 1.4901161193847656e-07, 0x0002 }, /* 2.5 * 2^-24: tie to even */
  { 0.1, 0x2e66 },
  { 0.3333333333333333, 0x3555 },
  { 1.00048828125, 0x3c00 },      /* 1 + 2^-11: tie to even */
  { 1.00146484375, 0x3c02 },      /* 1 + 3 * 2^-11: tie to even */
  { -0.0, 0x8000 },
  { 1e-08, 0x0000 },
  { -INFINITY, 0xfc00 },
};

static void
test_tensor_float16 (void)
{
  double values[G_N_ELEMENTS (half_cases) + 1];
  g_autoptr(StrataTensor) source = NULL;
  g_autoptr(StrataTensor) half = NULL;
  g_autoptr(StrataTensor) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *floats = NULL;
  const guint8 *raw;
  gsize n;

  for (gsize i = 0; i < G_N_ELEMENTS (half_cases); i++)
    values[i] = half_cases[i].value;
  values[G_N_ELEMENTS (half_cases)] = NAN;
  source = tensor_from_doubles (values, G_N_ELEMENTS (values));

  half = strata_tensor_cast (source, STRATA_DTYPE_FLOAT16, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (half), &n);
  g_assert_cmpuint (n, ==, 2 * G_N_ELEMENTS (values));
  for (gsize i = 0; i < G_N_ELEMENTS (half_cases); i++)
    {
      guint16 bits = raw[2 * i] | (raw[2 * i + 1] << 8);
      g_test_message ("float16(%.17g) = 0x%04x", half_cases[i].value, bits);
      g_assert_cmphex (bits, ==, half_cases[i].bits);
    }
  /* NaN stays NaN (NumPy writes 0x7e00). */
  g_assert_cmphex (raw[n - 2] | (raw[n - 1] << 8), ==, 0x7e00);

  /* And back: every float16 value is exact in float32. */
  floats = strata_tensor_to_floats (half, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (floats[0], ==, 1.0f);
  g_assert_cmpfloat (floats[2], ==, 65504.0f);
  g_assert_true (isinf (floats[4]) && floats[4] > 0);
  g_assert_cmpfloat (floats[5], ==, ldexpf (1.0f, -14));
  g_assert_cmpfloat (floats[6], ==, ldexpf (1.0f, -24));
  g_assert_cmpfloat (floats[11], ==, 0.0999755859375f);   /* 0x2e66 */
  g_assert_true (signbit (floats[15]) && floats[15] == 0.0f);
  g_assert_true (isnan (floats[n - 1]));

  back = strata_tensor_cast (half, STRATA_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);
  {
    g_autoptr(StrataTensor) again = strata_tensor_cast (back, STRATA_DTYPE_FLOAT16, &error);
    g_assert_no_error (error);
    /* float16 -> float64 -> float16 is the identity. */
    g_assert_true (strata_tensor_equal (again, half));
  }
}

/* float32 inputs and their bfloat16 bits (round to nearest even of the
 * top 16 bits of the float32). */
static const struct { float value; guint16 bits; } bf16_cases[] = {
  { 1.0f, 0x3f80 },
  { 0.1f, 0x3dcd },
  { 3.14159f, 0x4049 },
  { 3.4028235e38f, 0x7f80 },        /* FLT_MAX rounds up to infinity */
  { 1.00390625f, 0x3f80 },          /* 1 + 2^-8: tie to even */
  { 1.01171875f, 0x3f82 },          /* 1 + 3 * 2^-8: tie to even */
  { -1.5f, 0xbfc0 },
};

static void
test_tensor_bfloat16 (void)
{
  float values[G_N_ELEMENTS (bf16_cases) + 1];
  g_autoptr(StrataShape) shape = shape_1d (G_N_ELEMENTS (values));
  g_autoptr(StrataTensor) source = NULL;
  g_autoptr(StrataTensor) bf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *floats = NULL;
  const guint8 *raw;
  gsize n;

  for (gsize i = 0; i < G_N_ELEMENTS (bf16_cases); i++)
    values[i] = bf16_cases[i].value;
  values[G_N_ELEMENTS (bf16_cases)] = NAN;
  source = strata_tensor_new_from_floats (shape, values, G_N_ELEMENTS (values), &error);
  g_assert_no_error (error);

  bf = strata_tensor_cast (source, STRATA_DTYPE_BFLOAT16, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (bf), &n);
  for (gsize i = 0; i < G_N_ELEMENTS (bf16_cases); i++)
    g_assert_cmphex (raw[2 * i] | (raw[2 * i + 1] << 8), ==, bf16_cases[i].bits);
  g_assert_cmphex (raw[n - 2] | (raw[n - 1] << 8), ==, 0x7fc0);

  floats = strata_tensor_to_floats (bf, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (floats[0], ==, 1.0f);
  g_assert_cmpfloat (floats[1], ==, 0.10009765625f);   /* 0x3dcd */
  g_assert_cmpfloat (floats[6], ==, -1.5f);
  g_assert_true (isinf (floats[3]));
  g_assert_true (isnan (floats[n - 1]));
}

static void
test_tensor_int_casts (void)
{
  const float values[] = { 300.7f, -300.0f, NAN, 2.9f, -2.9f, INFINITY, -0.0f, 127.99f };
  const gint8 expected_int8[] = { 127, -128, 0, 2, -2, 127, 0, 127 };
  const guint8 expected_bool[] = { 1, 1, 1, 1, 1, 1, 0, 1 };
  const gint64 wide[] = { 300, -1, G_MAXINT64, G_MININT64 };
  g_autoptr(StrataShape) shape = shape_1d (G_N_ELEMENTS (values));
  g_autoptr(StrataTensor) source = strata_tensor_new_from_floats (shape, values, G_N_ELEMENTS (values), NULL);
  g_autoptr(StrataTensor) i8 = NULL;
  g_autoptr(StrataTensor) b = NULL;
  g_autoptr(StrataTensor) i64 = NULL;
  g_autoptr(StrataTensor) u8 = NULL;
  g_autoptr(StrataTensor) f32 = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *raw;
  gsize n;

  i8 = strata_tensor_cast (source, STRATA_DTYPE_INT8, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (i8), &n);
  g_assert_cmpmem (raw, n, expected_int8, sizeof expected_int8);

  b = strata_tensor_cast (source, STRATA_DTYPE_BOOL, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (b), &n);
  g_assert_cmpmem (raw, n, expected_bool, sizeof expected_bool);

  {
    guint64 le[G_N_ELEMENTS (wide)];
    for (gsize i = 0; i < G_N_ELEMENTS (wide); i++)
      le[i] = GUINT64_TO_LE ((guint64) wide[i]);
    i64 = tensor_from_raw (STRATA_DTYPE_INT64, le, sizeof le);
  }
  /* Integers wrap as in NumPy: 300 -> 44, -1 -> 255. */
  u8 = strata_tensor_cast (i64, STRATA_DTYPE_UINT8, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (strata_tensor_get_data (u8), &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (raw[0], ==, 44);
  g_assert_cmpuint (raw[1], ==, 255);
  g_assert_cmpuint (raw[2], ==, 255);
  g_assert_cmpuint (raw[3], ==, 0);

  f32 = strata_tensor_cast (i64, STRATA_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  {
    g_autofree float *floats = strata_tensor_to_floats (f32, &n, &error);
    g_assert_cmpfloat (floats[0], ==, 300.0f);
    g_assert_cmpfloat (floats[1], ==, -1.0f);
    g_assert_cmpfloat (floats[2], ==, 9223372036854775808.0f);
    g_assert_cmpfloat (floats[3], ==, -9223372036854775808.0f);
  }
}

static void
test_tensor_bool_bytes (void)
{
  const guint8 raw[] = { 0, 1, 2, 255 };
  g_autoptr(StrataTensor) b = tensor_from_raw (STRATA_DTYPE_BOOL, raw, sizeof raw);
  g_autoptr(GError) error = NULL;
  g_autofree float *floats = strata_tensor_to_floats (b, NULL, &error);
  g_autoptr(StrataTensor) i32 = strata_tensor_cast (b, STRATA_DTYPE_INT32, &error);
  const guint8 *out;

  g_assert_no_error (error);
  /* Any non-zero byte is True. */
  g_assert_cmpfloat (floats[0], ==, 0.0f);
  g_assert_cmpfloat (floats[1], ==, 1.0f);
  g_assert_cmpfloat (floats[2], ==, 1.0f);
  g_assert_cmpfloat (floats[3], ==, 1.0f);
  out = g_bytes_get_data (strata_tensor_get_data (i32), NULL);
  g_assert_cmpuint (out[8], ==, 1);
  g_assert_cmpuint (out[12], ==, 1);
}

/* Every dtype holding small values converts to the same floats. */
static void
test_tensor_every_dtype (void)
{
  const float values[] = { 0, 1, 2, 100 };
  g_autoptr(StrataShape) shape = shape_1d (G_N_ELEMENTS (values));
  g_autoptr(StrataTensor) source = strata_tensor_new_from_floats (shape, values, G_N_ELEMENTS (values), NULL);

  for (StrataDType dtype = STRATA_DTYPE_FLOAT16; dtype <= STRATA_DTYPE_BOOL; dtype++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataTensor) cast = strata_tensor_cast (source, dtype, &error);
      g_autoptr(StrataTensor) back = NULL;
      g_autofree float *floats = NULL;
      gsize n = 0;

      g_test_message ("dtype %s", strata_dtype_to_string (dtype));
      g_assert_no_error (error);
      g_assert_cmpint (strata_tensor_get_dtype (cast), ==, dtype);
      g_assert_cmpuint (strata_tensor_get_n_bytes (cast), ==, 4 * strata_dtype_get_size (dtype));
      floats = strata_tensor_to_floats (cast, &n, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 4);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat (floats[i], ==, dtype == STRATA_DTYPE_BOOL ? (values[i] != 0) : values[i]);

      back = strata_tensor_cast (cast, STRATA_DTYPE_FLOAT32, &error);
      g_assert_no_error (error);
      if (dtype != STRATA_DTYPE_BOOL)
        g_assert_true (strata_tensor_equal (back, source));
    }
}

static void
test_tensor_sha256 (void)
{
  const float values[] = { 0.5f, -1.25f, 3.0e-5f, 1e30f, 7.0f };
  g_autoptr(StrataShape) shape = shape_1d (G_N_ELEMENTS (values));
  g_autoptr(StrataShape) empty_shape = shape_1d (0);
  g_autoptr(StrataTensor) tensor = strata_tensor_new_from_floats (shape, values, G_N_ELEMENTS (values), NULL);
  g_autoptr(StrataTensor) empty = strata_tensor_new_zeros (STRATA_DTYPE_FLOAT32, empty_shape, NULL);
  g_autofree char *ours = strata_tensor_get_sha256 (tensor);
  g_autofree char *ours_empty = strata_tensor_get_sha256 (empty);
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[3] = { "/usr/bin/sha256sum", NULL, NULL };
  gconstpointer data;
  gsize size;
  int status;

  /* The SHA-256 of no bytes is a published constant. */
  g_assert_cmpstr (ours_empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    {
      strata_test_skip ("/usr/bin/sha256sum is missing");
      return;
    }

  path = g_build_filename (g_get_tmp_dir (), "tensor.bin", NULL);
  data = g_bytes_get_data (strata_tensor_get_data (tensor), &size);
  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
  argv[1] = path;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpuint (strlen (out), >, 64);
  out[64] = '\0';
  g_assert_cmpstr (ours, ==, out);
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/tensor/dtype-names", test_dtype_names);
  g_test_add_func ("/tensor/new-checks-size", test_tensor_new_checks_size);
  g_test_add_func ("/tensor/new-rejects-unknown-dims", test_tensor_new_rejects_unknown_dims);
  g_test_add_func ("/tensor/zeros-floats-metadata", test_tensor_zeros_floats_metadata);
  g_test_add_func ("/tensor/equal-copy", test_tensor_equal_copy);
  g_test_add_func ("/tensor/properties", test_tensor_properties);
  g_test_add_func ("/tensor/float16", test_tensor_float16);
  g_test_add_func ("/tensor/bfloat16", test_tensor_bfloat16);
  g_test_add_func ("/tensor/int-casts", test_tensor_int_casts);
  g_test_add_func ("/tensor/bool-bytes", test_tensor_bool_bytes);
  g_test_add_func ("/tensor/every-dtype", test_tensor_every_dtype);
  g_test_add_func ("/tensor/sha256", test_tensor_sha256);

  return g_test_run ();
}
