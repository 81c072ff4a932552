/* strata-shape.c: immutable tensor shapes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "strata-shape-private.h"
#include "strata-error.h"

/**
 * StrataShape:
 *
 * The shape of a tensor: a list of dimensions, each a size or
 * %STRATA_DIM_UNKNOWN (Keras `None`). Shapes are immutable and
 * reference counted, so they can be shared freely between threads.
 */
struct _StrataShape
{
  gatomicrefcount ref_count;
  guint           rank;
  gint64          dims[];
};

G_DEFINE_BOXED_TYPE (StrataShape, strata_shape, strata_shape_ref, strata_shape_unref)

/**
 * strata_shape_new:
 * @rank: the number of dimensions, at most %STRATA_MAX_RANK
 * @dims: (array length=rank) (nullable): the dimensions; each is a size
 *   (zero or more) or %STRATA_DIM_UNKNOWN
 *
 * Creates a shape. Passing a rank above %STRATA_MAX_RANK or a dimension
 * below %STRATA_DIM_UNKNOWN is a programmer error; code that reads shapes
 * from files validates them first (see the JSON and format readers).
 *
 * Returns: (transfer full): a new shape
 */
StrataShape *
strata_shape_new (guint         rank,
                  const gint64 *dims)
{
  StrataShape *shape;

  g_return_val_if_fail (rank <= STRATA_MAX_RANK, NULL);
  g_return_val_if_fail (rank == 0 || dims != NULL, NULL);

  for (guint i = 0; i < rank; i++)
    g_return_val_if_fail (dims[i] >= STRATA_DIM_UNKNOWN, NULL);

  shape = g_malloc (sizeof (StrataShape) + rank * sizeof (gint64));
  g_atomic_ref_count_init (&shape->ref_count);
  shape->rank = rank;
  if (rank > 0)
    memcpy (shape->dims, dims, rank * sizeof (gint64));

  return shape;
}

/**
 * strata_shape_new_scalar:
 *
 * Creates the shape of a scalar (rank 0, one element).
 *
 * Returns: (transfer full): a new shape
 */
StrataShape *
strata_shape_new_scalar (void)
{
  return strata_shape_new (0, NULL);
}

/**
 * strata_shape_ref:
 * @shape: a shape
 *
 * Takes a reference to @shape.
 *
 * Returns: (transfer full): @shape
 */
StrataShape *
strata_shape_ref (StrataShape *shape)
{
  g_return_val_if_fail (shape != NULL, NULL);

  g_atomic_ref_count_inc (&shape->ref_count);
  return shape;
}

/**
 * strata_shape_unref:
 * @shape: (transfer full): a shape
 *
 * Drops a reference to @shape, freeing it when it was the last one.
 */
void
strata_shape_unref (StrataShape *shape)
{
  g_return_if_fail (shape != NULL);

  if (g_atomic_ref_count_dec (&shape->ref_count))
    g_free (shape);
}

/**
 * strata_shape_get_rank:
 * @shape: a shape
 *
 * Gets the number of dimensions of @shape (0 for a scalar).
 *
 * Returns: the number of dimensions of @shape (0 for a scalar)
 */
guint
strata_shape_get_rank (const StrataShape *shape)
{
  g_return_val_if_fail (shape != NULL, 0);

  return shape->rank;
}

/**
 * strata_shape_get_dim:
 * @shape: a shape
 * @axis: the axis; negative values count from the end as in Python
 *
 * Gets the size of dimension @axis, or %STRATA_DIM_UNKNOWN.
 *
 * Returns: the size of dimension @axis, or %STRATA_DIM_UNKNOWN
 */
gint64
strata_shape_get_dim (const StrataShape *shape,
                      int                axis)
{
  g_return_val_if_fail (shape != NULL, STRATA_DIM_UNKNOWN);
  g_return_val_if_fail (axis < (int) shape->rank && axis >= -(int) shape->rank,
                        STRATA_DIM_UNKNOWN);

  if (axis < 0)
    axis += (int) shape->rank;
  return shape->dims[axis];
}

/**
 * strata_shape_get_dims:
 * @shape: a shape
 * @rank: (out) (optional): the number of dimensions
 *
 * Gets the dimensions, owned by @shape; %NULL for a scalar.
 *
 * Returns: (array length=rank) (transfer none) (nullable): the dimensions,
 *   owned by @shape; %NULL for a scalar
 */
const gint64 *
strata_shape_get_dims (const StrataShape *shape,
                       guint             *rank)
{
  g_return_val_if_fail (shape != NULL, NULL);

  if (rank != NULL)
    *rank = shape->rank;
  return shape->rank > 0 ? shape->dims : NULL;
}

/**
 * strata_shape_is_fully_defined:
 * @shape: a shape
 *
 * Checks whether no dimension of @shape is %STRATA_DIM_UNKNOWN.
 *
 * Returns: %TRUE if no dimension of @shape is %STRATA_DIM_UNKNOWN
 */
gboolean
strata_shape_is_fully_defined (const StrataShape *shape)
{
  g_return_val_if_fail (shape != NULL, FALSE);

  for (guint i = 0; i < shape->rank; i++)
    if (shape->dims[i] == STRATA_DIM_UNKNOWN)
      return FALSE;
  return TRUE;
}

/**
 * strata_shape_get_n_elements:
 * @shape: a shape
 * @n_elements: (out) (optional): the number of elements
 *
 * Computes the number of elements of a tensor of this shape (1 for a
 * scalar).
 *
 * Returns: %FALSE if a dimension is unknown or the product does not fit
 *   in 64 bits
 */
gboolean
strata_shape_get_n_elements (const StrataShape *shape,
                             guint64           *n_elements)
{
  guint64 n = 1;

  g_return_val_if_fail (shape != NULL, FALSE);

  for (guint i = 0; i < shape->rank; i++)
    {
      if (shape->dims[i] == STRATA_DIM_UNKNOWN)
        return FALSE;
      if (shape->dims[i] == 0)
        n = 0;
    }

  /* With a zero dimension the product is zero, however large the others. */
  for (guint i = 0; i < shape->rank && n != 0; i++)
    if (!g_uint64_checked_mul (&n, n, (guint64) shape->dims[i]))
      return FALSE;

  if (n_elements != NULL)
    *n_elements = n;
  return TRUE;
}

/**
 * strata_shape_equal:
 * @a: a shape
 * @b: another shape
 *
 * Checks whether @a and @b have the same rank and the same dimensions
 * (unknown dimensions are equal only to unknown dimensions).
 *
 * Returns: %TRUE if @a and @b have the same rank and the same dimensions
 *   (unknown dimensions are equal only to unknown dimensions)
 */
gboolean
strata_shape_equal (const StrataShape *a,
                    const StrataShape *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->rank != b->rank)
    return FALSE;
  return a->rank == 0 || memcmp (a->dims, b->dims, a->rank * sizeof (gint64)) == 0;
}

/**
 * strata_shape_compatible:
 * @a: a shape
 * @b: another shape
 *
 * Checks whether @a and @b have the same rank and each pair of dimensions is
 * equal or has an unknown side.
 *
 * Returns: %TRUE if @a and @b have the same rank and each pair of
 *   dimensions is equal or has an unknown side
 */
gboolean
strata_shape_compatible (const StrataShape *a,
                         const StrataShape *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->rank != b->rank)
    return FALSE;
  for (guint i = 0; i < a->rank; i++)
    if (a->dims[i] != b->dims[i] &&
        a->dims[i] != STRATA_DIM_UNKNOWN && b->dims[i] != STRATA_DIM_UNKNOWN)
      return FALSE;
  return TRUE;
}

/**
 * strata_shape_to_string:
 * @shape: a shape
 *
 * Formats @shape as Keras prints it: `(None, 28, 28, 1)`, `(3,)` for rank
 * one and `()` for a scalar.
 *
 * Returns: (transfer full): a new string
 */
char *
strata_shape_to_string (const StrataShape *shape)
{
  GString *str;

  g_return_val_if_fail (shape != NULL, NULL);

  str = g_string_new ("(");
  for (guint i = 0; i < shape->rank; i++)
    {
      if (i > 0)
        g_string_append (str, ", ");
      if (shape->dims[i] == STRATA_DIM_UNKNOWN)
        g_string_append (str, "None");
      else
        g_string_append_printf (str, "%" G_GINT64_FORMAT, shape->dims[i]);
    }
  if (shape->rank == 1)
    g_string_append_c (str, ',');
  g_string_append_c (str, ')');

  return g_string_free (str, FALSE);
}

static void
shape_unref_nullable (gpointer shape)
{
  if (shape != NULL)
    strata_shape_unref (shape);
}

GPtrArray *
strata_shapes_new (void)
{
  return g_ptr_array_new_with_free_func (shape_unref_nullable);
}

GPtrArray *
strata_shapes_one (StrataShape *shape)
{
  GPtrArray *shapes;

  if (shape == NULL)
    return NULL;
  shapes = g_ptr_array_new_with_free_func (shape_unref_nullable);
  g_ptr_array_add (shapes, shape);
  return shapes;
}

GPtrArray *
strata_shapes_unknown (void)
{
  GPtrArray *shapes = g_ptr_array_new_with_free_func (shape_unref_nullable);
  g_ptr_array_add (shapes, NULL);
  return shapes;
}
