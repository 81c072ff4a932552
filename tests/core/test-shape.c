/* test-shape.c: StrataShape
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "test-utils.h"

static void
test_shape_basics (void)
{
  const gint64 dims[] = { STRATA_DIM_UNKNOWN, 28, 28, 1 };
  g_autoptr(StrataShape) shape = strata_shape_new (4, dims);
  g_autofree char *str = strata_shape_to_string (shape);
  const gint64 *got;
  guint rank = 0;

  g_assert_cmpuint (strata_shape_get_rank (shape), ==, 4);
  g_assert_cmpint (strata_shape_get_dim (shape, 0), ==, STRATA_DIM_UNKNOWN);
  g_assert_cmpint (strata_shape_get_dim (shape, 1), ==, 28);
  g_assert_cmpint (strata_shape_get_dim (shape, -1), ==, 1);
  g_assert_cmpint (strata_shape_get_dim (shape, -4), ==, STRATA_DIM_UNKNOWN);
  got = strata_shape_get_dims (shape, &rank);
  g_assert_cmpuint (rank, ==, 4);
  g_assert_cmpmem (got, sizeof dims, dims, sizeof dims);
  g_assert_false (strata_shape_is_fully_defined (shape));
  g_assert_false (strata_shape_get_n_elements (shape, NULL));
  g_assert_cmpstr (str, ==, "(None, 28, 28, 1)");
}

static void
test_shape_to_string (void)
{
  const gint64 one[] = { 3 };
  const gint64 two[] = { 0, 5 };
  g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
  g_autoptr(StrataShape) vector = strata_shape_new (1, one);
  g_autoptr(StrataShape) matrix = strata_shape_new (2, two);
  g_autofree char *s0 = strata_shape_to_string (scalar);
  g_autofree char *s1 = strata_shape_to_string (vector);
  g_autofree char *s2 = strata_shape_to_string (matrix);

  /* Keras prints Python tuples: a 1-tuple keeps its comma. */
  g_assert_cmpstr (s0, ==, "()");
  g_assert_cmpstr (s1, ==, "(3,)");
  g_assert_cmpstr (s2, ==, "(0, 5)");
}

static void
test_shape_n_elements (void)
{
  const gint64 dims[] = { 2, 3, 4 };
  const gint64 zero[] = { G_MAXINT64, 0, G_MAXINT64 };
  const gint64 huge[] = { G_MAXINT64, 3 };
  const gint64 big[] = { 1 << 20, 1 << 20, 1 << 20 };
  g_autoptr(StrataShape) a = strata_shape_new (3, dims);
  g_autoptr(StrataShape) z = strata_shape_new (3, zero);
  g_autoptr(StrataShape) h = strata_shape_new (2, huge);
  g_autoptr(StrataShape) b = strata_shape_new (3, big);
  g_autoptr(StrataShape) scalar = strata_shape_new_scalar ();
  guint64 n = 12345;

  g_assert_true (strata_shape_get_n_elements (a, &n));
  g_assert_cmpuint (n, ==, 24);
  g_assert_true (strata_shape_get_n_elements (scalar, &n));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (strata_shape_get_n_elements (z, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (strata_shape_get_n_elements (b, &n));
  g_assert_cmpuint (n, ==, G_GUINT64_CONSTANT (1) << 60);
  n = 7;
  g_assert_false (strata_shape_get_n_elements (h, &n));
  g_assert_cmpuint (n, ==, 7);
}

static void
test_shape_equal_compatible (void)
{
  const gint64 d1[] = { STRATA_DIM_UNKNOWN, 4 };
  const gint64 d2[] = { 8, 4 };
  const gint64 d3[] = { 8, 5 };
  const gint64 d4[] = { 8, 4, 1 };
  g_autoptr(StrataShape) a = strata_shape_new (2, d1);
  g_autoptr(StrataShape) a2 = strata_shape_new (2, d1);
  g_autoptr(StrataShape) b = strata_shape_new (2, d2);
  g_autoptr(StrataShape) c = strata_shape_new (2, d3);
  g_autoptr(StrataShape) d = strata_shape_new (3, d4);

  g_assert_true (strata_shape_equal (a, a2));
  g_assert_false (strata_shape_equal (a, b));
  g_assert_true (strata_shape_compatible (a, b));
  g_assert_false (strata_shape_compatible (a, c));   /* 4 vs 5 */
  g_assert_false (strata_shape_compatible (b, c));
  g_assert_false (strata_shape_compatible (b, d));
  g_assert_false (strata_shape_equal (b, d));
}

static void
test_shape_boxed (void)
{
  const gint64 dims[] = { 2, 2 };
  g_autoptr(StrataShape) shape = strata_shape_new (2, dims);
  StrataShape *copy;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (STRATA_TYPE_SHAPE));
  g_value_init (&value, STRATA_TYPE_SHAPE);
  g_value_set_boxed (&value, shape);
  copy = g_value_dup_boxed (&value);
  /* Immutable: the boxed copy is the same object with one more reference. */
  g_assert_true (copy == shape);
  strata_shape_unref (copy);
}

static void
test_shape_max_rank (void)
{
  gint64 dims[STRATA_MAX_RANK];
  g_autoptr(StrataShape) shape = NULL;

  for (guint i = 0; i < STRATA_MAX_RANK; i++)
    dims[i] = 1;
  shape = strata_shape_new (STRATA_MAX_RANK, dims);
  g_assert_nonnull (shape);
  g_assert_cmpuint (strata_shape_get_rank (shape), ==, STRATA_MAX_RANK);

  if (g_test_undefined ())
    {
      StrataShape *bad;
      g_test_expect_message ("Strata", G_LOG_LEVEL_CRITICAL, "*rank <= STRATA_MAX_RANK*");
      bad = strata_shape_new (STRATA_MAX_RANK + 1, dims);
      g_test_assert_expected_messages ();
      g_assert_null (bad);
    }
}

int
main (int argc, char **argv)
{
  strata_test_init (&argc, &argv);

  g_test_add_func ("/shape/basics", test_shape_basics);
  g_test_add_func ("/shape/to-string", test_shape_to_string);
  g_test_add_func ("/shape/n-elements", test_shape_n_elements);
  g_test_add_func ("/shape/equal-compatible", test_shape_equal_compatible);
  g_test_add_func ("/shape/boxed", test_shape_boxed);
  g_test_add_func ("/shape/max-rank", test_shape_max_rank);

  return g_test_run ();
}
