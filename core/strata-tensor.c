/* strata-tensor.c: weights and other n-dimensional arrays
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>
#include <nettle/sha2.h>

#include "strata-tensor.h"
#include "strata-enum-types.h"
#include "strata-shape.h"
#include "strata-error.h"
#include "strata-i18n-private.h"

/**
 * StrataTensor:
 *
 * An n-dimensional array: a dtype, a shape and the data, little-endian in
 * C (row-major) order. The data is an immutable [struct@GLib.Bytes], which may be a
 * slice of a mapped file; tensors share it instead of copying it.
 *
 * A metadata tensor ([ctor@Strata.Tensor.new_metadata]) has a dtype and a shape
 * but no data; it is what a metadata-only load produces.
 */
struct _StrataTensor
{
  GObject      parent_instance;

  StrataDType  dtype;
  StrataShape *shape;
  GBytes      *data;   /* NULL for a metadata tensor */
  char        *name;
};

G_DEFINE_FINAL_TYPE (StrataTensor, strata_tensor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DTYPE,
  PROP_SHAPE,
  PROP_DATA,
  PROP_HAS_DATA,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char *name;
  gsize       size;
} dtype_info[] = {
  [STRATA_DTYPE_INVALID]  = { NULL, 0 },
  [STRATA_DTYPE_FLOAT16]  = { "float16", 2 },
  [STRATA_DTYPE_BFLOAT16] = { "bfloat16", 2 },
  [STRATA_DTYPE_FLOAT32]  = { "float32", 4 },
  [STRATA_DTYPE_FLOAT64]  = { "float64", 8 },
  [STRATA_DTYPE_INT8]     = { "int8", 1 },
  [STRATA_DTYPE_INT16]    = { "int16", 2 },
  [STRATA_DTYPE_INT32]    = { "int32", 4 },
  [STRATA_DTYPE_INT64]    = { "int64", 8 },
  [STRATA_DTYPE_UINT8]    = { "uint8", 1 },
  [STRATA_DTYPE_UINT16]   = { "uint16", 2 },
  [STRATA_DTYPE_UINT32]   = { "uint32", 4 },
  [STRATA_DTYPE_UINT64]   = { "uint64", 8 },
  [STRATA_DTYPE_BOOL]     = { "bool", 1 },
};

static gboolean
dtype_is_valid (StrataDType dtype)
{
  return dtype > STRATA_DTYPE_INVALID && dtype <= STRATA_DTYPE_BOOL;
}

/**
 * strata_dtype_get_size:
 * @dtype: a data type
 *
 * Gets the size of one element of @dtype in bytes, 0 for
 * %STRATA_DTYPE_INVALID.
 *
 * Returns: the size of one element of @dtype in bytes, 0 for
 *   %STRATA_DTYPE_INVALID
 */
gsize
strata_dtype_get_size (StrataDType dtype)
{
  return dtype_is_valid (dtype) ? dtype_info[dtype].size : 0;
}

/**
 * strata_dtype_to_string:
 * @dtype: a data type
 *
 * Gets the Keras / NumPy name of @dtype ("float32", "bfloat16", "bool"...),
 * or %NULL for %STRATA_DTYPE_INVALID.
 *
 * Returns: (nullable): the Keras / NumPy name of @dtype ("float32",
 *   "bfloat16", "bool"...), or %NULL for %STRATA_DTYPE_INVALID
 */
const char *
strata_dtype_to_string (StrataDType dtype)
{
  return dtype_is_valid (dtype) ? dtype_info[dtype].name : NULL;
}

/**
 * strata_dtype_from_string:
 * @name: (nullable): a Keras / NumPy dtype name such as "float32"
 *
 * Also accepts the NumPy aliases "half" and "double".
 *
 * Returns: the data type, or %STRATA_DTYPE_INVALID if @name is not one
 */
StrataDType
strata_dtype_from_string (const char *name)
{
  if (name == NULL)
    return STRATA_DTYPE_INVALID;

  for (guint i = STRATA_DTYPE_FLOAT16; i <= STRATA_DTYPE_BOOL; i++)
    if (g_str_equal (name, dtype_info[i].name))
      return (StrataDType) i;

  if (g_str_equal (name, "half"))
    return STRATA_DTYPE_FLOAT16;
  if (g_str_equal (name, "double"))
    return STRATA_DTYPE_FLOAT64;

  return STRATA_DTYPE_INVALID;
}

/* Element conversion. */

/* Rounds @x (any double) to nearest-even in a binary format with
 * @exp_bits exponent bits and @man_bits mantissa bits, and returns its
 * bits. Used for float16 (5, 10) and bfloat16 (8, 7); going straight
 * from double avoids the double rounding of a trip through float. */
static guint16
encode_small_float (double x,
                    int    exp_bits,
                    int    man_bits)
{
  const int bias = (1 << (exp_bits - 1)) - 1;
  const int emin = 1 - bias;
  const guint32 exp_all_ones = (1u << exp_bits) - 1;
  guint32 sign = signbit (x) ? 1u << (exp_bits + man_bits) : 0;
  double a = fabs (x);
  double n;
  int e;

  if (isnan (x))
    return sign | (exp_all_ones << man_bits) | (1u << (man_bits - 1));
  if (isinf (x))
    return sign | (exp_all_ones << man_bits);
  if (a == 0.0)
    return sign;

  frexp (a, &e);
  e -= 1;               /* a = 1.f * 2^e */

  if (e < emin)
    {
      /* Subnormal: count quanta of 2^(emin - man_bits). Rounding up to
       * 2^man_bits quanta gives the smallest normal number's bits. */
      n = rint (ldexp (a, man_bits - emin));
      return sign | (guint32) n;
    }

  n = rint (ldexp (a, man_bits - e));
  if (n >= ldexp (1.0, man_bits + 1))
    {
      n = ldexp (1.0, man_bits);
      e += 1;
    }
  if (e > bias)
    return sign | (exp_all_ones << man_bits);

  return sign | ((guint32) (e + bias) << man_bits) | ((guint32) n - (1u << man_bits));
}

static double
decode_small_float (guint16 bits,
                    int     exp_bits,
                    int     man_bits)
{
  const int bias = (1 << (exp_bits - 1)) - 1;
  const guint32 exp_all_ones = (1u << exp_bits) - 1;
  guint32 exponent = (bits >> man_bits) & exp_all_ones;
  guint32 mantissa = bits & ((1u << man_bits) - 1);
  double sign = (bits >> (exp_bits + man_bits)) & 1 ? -1.0 : 1.0;

  if (exponent == exp_all_ones)
    return mantissa != 0 ? NAN : sign * INFINITY;
  if (exponent == 0)
    return sign * ldexp ((double) mantissa, 1 - bias - man_bits);
  return sign * ldexp ((double) (mantissa | (1u << man_bits)), (int) exponent - bias - man_bits);
}

/* One element, read in its natural kind so that int64 and uint64 keep
 * every bit and floats keep NaN and infinities. */
typedef struct {
  enum { KIND_INT, KIND_UINT, KIND_FLOAT } kind;
  union {
    gint64  i;
    guint64 u;
    double  d;
  };
} Element;

static Element
read_element (StrataDType   dtype,
              const guint8 *p)
{
  Element e = { 0 };
  guint16 u16;
  guint32 u32;
  guint64 u64;

  switch (dtype)
    {
    case STRATA_DTYPE_FLOAT16:
      memcpy (&u16, p, 2);
      e.kind = KIND_FLOAT;
      e.d = decode_small_float (GUINT16_FROM_LE (u16), 5, 10);
      break;
    case STRATA_DTYPE_BFLOAT16:
      memcpy (&u16, p, 2);
      e.kind = KIND_FLOAT;
      e.d = decode_small_float (GUINT16_FROM_LE (u16), 8, 7);
      break;
    case STRATA_DTYPE_FLOAT32:
      {
        float f;
        memcpy (&u32, p, 4);
        u32 = GUINT32_FROM_LE (u32);
        memcpy (&f, &u32, 4);
        e.kind = KIND_FLOAT;
        e.d = f;
      }
      break;
    case STRATA_DTYPE_FLOAT64:
      memcpy (&u64, p, 8);
      u64 = GUINT64_FROM_LE (u64);
      e.kind = KIND_FLOAT;
      memcpy (&e.d, &u64, 8);
      break;
    case STRATA_DTYPE_INT8:
      e.kind = KIND_INT;
      e.i = (gint8) p[0];
      break;
    case STRATA_DTYPE_INT16:
      memcpy (&u16, p, 2);
      e.kind = KIND_INT;
      e.i = (gint16) GUINT16_FROM_LE (u16);
      break;
    case STRATA_DTYPE_INT32:
      memcpy (&u32, p, 4);
      e.kind = KIND_INT;
      e.i = (gint32) GUINT32_FROM_LE (u32);
      break;
    case STRATA_DTYPE_INT64:
      memcpy (&u64, p, 8);
      e.kind = KIND_INT;
      e.i = (gint64) GUINT64_FROM_LE (u64);
      break;
    case STRATA_DTYPE_UINT8:
      e.kind = KIND_UINT;
      e.u = p[0];
      break;
    case STRATA_DTYPE_BOOL:
      /* Any non-zero byte is True, as NumPy reads it. */
      e.kind = KIND_UINT;
      e.u = p[0] != 0;
      break;
    case STRATA_DTYPE_UINT16:
      memcpy (&u16, p, 2);
      e.kind = KIND_UINT;
      e.u = GUINT16_FROM_LE (u16);
      break;
    case STRATA_DTYPE_UINT32:
      memcpy (&u32, p, 4);
      e.kind = KIND_UINT;
      e.u = GUINT32_FROM_LE (u32);
      break;
    case STRATA_DTYPE_UINT64:
      memcpy (&u64, p, 8);
      e.kind = KIND_UINT;
      e.u = GUINT64_FROM_LE (u64);
      break;
    case STRATA_DTYPE_INVALID:
    default:
      g_assert_not_reached ();
    }

  return e;
}

static double
element_to_double (Element e)
{
  switch (e.kind)
    {
    case KIND_INT:
      return (double) e.i;
    case KIND_UINT:
      return (double) e.u;
    case KIND_FLOAT:
    default:
      return e.d;
    }
}

/* The bits of @e converted to an integer of @bits bits. Integers wrap as
 * in C and NumPy; floats truncate toward zero and saturate (NaN gives 0),
 * since an out-of-range float to int conversion is undefined in C. */
static guint64
element_to_int_bits (Element  e,
                     gboolean is_signed,
                     int      bits)
{
  double d;

  if (e.kind == KIND_INT)
    return (guint64) e.i;
  if (e.kind == KIND_UINT)
    return e.u;

  d = trunc (e.d);
  if (isnan (d))
    return 0;

  if (is_signed)
    {
      double hi = ldexp (1.0, bits - 1);   /* 2^(bits-1), exact */
      if (d >= hi)
        return (guint64) ((bits == 64) ? G_MAXINT64 : (gint64) hi - 1);
      if (d < -hi)
        return (guint64) ((bits == 64) ? G_MININT64 : (gint64) -hi);
      return (guint64) (gint64) d;
    }
  else
    {
      double hi = ldexp (1.0, bits);
      if (d >= hi)
        return bits == 64 ? G_MAXUINT64 : ((guint64) 1 << bits) - 1;
      if (d < 0)
        return 0;
      return (guint64) d;
    }
}

static void
write_element (StrataDType dtype,
               guint8     *p,
               Element     e)
{
  guint16 u16;
  guint32 u32;
  guint64 u64;

  switch (dtype)
    {
    case STRATA_DTYPE_FLOAT16:
      u16 = GUINT16_TO_LE (encode_small_float (element_to_double (e), 5, 10));
      memcpy (p, &u16, 2);
      break;
    case STRATA_DTYPE_BFLOAT16:
      u16 = GUINT16_TO_LE (encode_small_float (element_to_double (e), 8, 7));
      memcpy (p, &u16, 2);
      break;
    case STRATA_DTYPE_FLOAT32:
      {
        /* Convert integers directly: through double, int64 would round twice. */
        float f = e.kind == KIND_INT ? (float) e.i :
                  e.kind == KIND_UINT ? (float) e.u : (float) e.d;
        memcpy (&u32, &f, 4);
        u32 = GUINT32_TO_LE (u32);
        memcpy (p, &u32, 4);
      }
      break;
    case STRATA_DTYPE_FLOAT64:
      {
        double d = element_to_double (e);
        memcpy (&u64, &d, 8);
        u64 = GUINT64_TO_LE (u64);
        memcpy (p, &u64, 8);
      }
      break;
    case STRATA_DTYPE_INT8:
    case STRATA_DTYPE_UINT8:
      p[0] = (guint8) element_to_int_bits (e, dtype == STRATA_DTYPE_INT8, 8);
      break;
    case STRATA_DTYPE_INT16:
    case STRATA_DTYPE_UINT16:
      u16 = GUINT16_TO_LE ((guint16) element_to_int_bits (e, dtype == STRATA_DTYPE_INT16, 16));
      memcpy (p, &u16, 2);
      break;
    case STRATA_DTYPE_INT32:
    case STRATA_DTYPE_UINT32:
      u32 = GUINT32_TO_LE ((guint32) element_to_int_bits (e, dtype == STRATA_DTYPE_INT32, 32));
      memcpy (p, &u32, 4);
      break;
    case STRATA_DTYPE_INT64:
    case STRATA_DTYPE_UINT64:
      u64 = GUINT64_TO_LE (element_to_int_bits (e, dtype == STRATA_DTYPE_INT64, 64));
      memcpy (p, &u64, 8);
      break;
    case STRATA_DTYPE_BOOL:
      /* NumPy: any non-zero value, NaN included, is True. */
      p[0] = e.kind == KIND_FLOAT ? (e.d != 0.0) : (e.u != 0);
      break;
    case STRATA_DTYPE_INVALID:
    default:
      g_assert_not_reached ();
    }
}

/* GObject. */

static void
strata_tensor_finalize (GObject *object)
{
  StrataTensor *self = STRATA_TENSOR (object);

  g_clear_pointer (&self->shape, strata_shape_unref);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (strata_tensor_parent_class)->finalize (object);
}

static void
strata_tensor_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  StrataTensor *self = STRATA_TENSOR (object);

  switch (prop_id)
    {
    case PROP_DTYPE:
      g_value_set_enum (value, self->dtype);
      break;
    case PROP_SHAPE:
      g_value_set_boxed (value, self->shape);
      break;
    case PROP_DATA:
      g_value_set_boxed (value, self->data);
      break;
    case PROP_HAS_DATA:
      g_value_set_boolean (value, self->data != NULL);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_tensor_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  StrataTensor *self = STRATA_TENSOR (object);

  switch (prop_id)
    {
    case PROP_NAME:
      strata_tensor_set_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_tensor_class_init (StrataTensorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_tensor_finalize;
  object_class->get_property = strata_tensor_get_property;
  object_class->set_property = strata_tensor_set_property;

  /**
   * StrataTensor:dtype:
   *
   * The element type.
   */
  properties[PROP_DTYPE] =
    g_param_spec_enum ("dtype", NULL, NULL,
                       STRATA_TYPE_DTYPE, STRATA_DTYPE_FLOAT32,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataTensor:shape:
   *
   * The shape; fully defined unless the tensor is a metadata tensor.
   */
  properties[PROP_SHAPE] =
    g_param_spec_boxed ("shape", NULL, NULL,
                        STRATA_TYPE_SHAPE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataTensor:data:
   *
   * The elements, little-endian in C order, or %NULL for a metadata tensor.
   */
  properties[PROP_DATA] =
    g_param_spec_boxed ("data", NULL, NULL,
                        G_TYPE_BYTES,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataTensor:has-data:
   *
   * Whether the tensor holds data (%FALSE for a metadata tensor).
   */
  properties[PROP_HAS_DATA] =
    g_param_spec_boolean ("has-data", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataTensor:name:
   *
   * The name of the weight, such as "dense/kernel:0", or %NULL.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_tensor_init (StrataTensor *self)
{
  /* A tensor made with g_object_new() is a float32 scalar without data. */
  self->dtype = STRATA_DTYPE_FLOAT32;
  self->shape = strata_shape_new_scalar ();
}

static StrataTensor *
tensor_new_take (StrataDType  dtype,
                 StrataShape *shape,
                 GBytes      *data)
{
  StrataTensor *self = g_object_new (STRATA_TYPE_TENSOR, NULL);

  self->dtype = dtype;
  g_clear_pointer (&self->shape, strata_shape_unref);
  self->shape = strata_shape_ref (shape);
  self->data = data;

  return self;
}

/* The size in bytes of a tensor of @dtype and @shape, with a precise error
 * when the shape is not fully defined or the size does not fit in memory. */
static gboolean
compute_n_bytes (StrataDType   dtype,
                 StrataShape  *shape,
                 gsize        *n_bytes,
                 GError      **error)
{
  guint64 n_elements;
  guint64 size;

  if (!dtype_is_valid (dtype))
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_DTYPE,
                   /* Translators: the number of an unknown dtype */
                   _("Invalid tensor dtype %d"), (int) dtype);
      return FALSE;
    }

  if (!strata_shape_is_fully_defined (shape))
    {
      g_autofree char *str = strata_shape_to_string (shape);
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: a shape such as (None, 3) */
                   _("A tensor with data needs a fully defined shape, not %s"), str);
      return FALSE;
    }

  if (!strata_shape_get_n_elements (shape, &n_elements) ||
      !g_uint64_checked_mul (&size, n_elements, strata_dtype_get_size (dtype)) ||
      size > G_MAXSIZE)
    {
      g_autofree char *str = strata_shape_to_string (shape);
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: the first %s is a dtype name, the second %s a shape such as
                    * (None, 3). */
                   _("A %s tensor of shape %s is too large"),
                   strata_dtype_to_string (dtype), str);
      return FALSE;
    }

  *n_bytes = (gsize) size;
  return TRUE;
}

/**
 * strata_tensor_new:
 * @dtype: the element type
 * @shape: a fully defined shape
 * @data: the elements, little-endian in C order; the tensor keeps a
 *   reference and never copies them
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a tensor. The size of @data must be exactly the number of
 * elements of @shape times the size of @dtype.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set (%STRATA_WEIGHTS_ERROR_DTYPE or %STRATA_WEIGHTS_ERROR_SHAPE)
 */
StrataTensor *
strata_tensor_new (StrataDType   dtype,
                   StrataShape  *shape,
                   GBytes       *data,
                   GError      **error)
{
  gsize n_bytes;

  g_return_val_if_fail (shape != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!compute_n_bytes (dtype, shape, &n_bytes, error))
    return NULL;

  if (g_bytes_get_size (data) != n_bytes)
    {
      g_autofree char *str = strata_shape_to_string (shape);
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: the first %zu is a size, the first %s a dtype name, the second %s
                    * a shape such as (None, 3), the second %zu a size. */
                   _("Tensor data holds %zu bytes, but a %s tensor of shape %s needs %zu"),
                   g_bytes_get_size (data), strata_dtype_to_string (dtype), str, n_bytes);
      return NULL;
    }

  return tensor_new_take (dtype, shape, g_bytes_ref (data));
}

/**
 * strata_tensor_new_zeros:
 * @dtype: the element type
 * @shape: a fully defined shape
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a tensor filled with zeros. The memory is allocated with a
 * check, so an absurd shape fails instead of aborting.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error set
 */
StrataTensor *
strata_tensor_new_zeros (StrataDType   dtype,
                         StrataShape  *shape,
                         GError      **error)
{
  gsize n_bytes;
  gpointer mem;

  g_return_val_if_fail (shape != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!compute_n_bytes (dtype, shape, &n_bytes, error))
    return NULL;

  mem = g_try_malloc0 (MAX (n_bytes, 1));
  if (mem == NULL)
    {
      g_autofree char *str = strata_shape_to_string (shape);
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: %zu is a size, the first %s a dtype name, the second %s a shape
                    * such as (None, 3). */
                   _("Cannot allocate %zu bytes for a %s tensor of shape %s"),
                   n_bytes, strata_dtype_to_string (dtype), str);
      return NULL;
    }

  return tensor_new_take (dtype, shape, g_bytes_new_take (mem, n_bytes));
}

/**
 * strata_tensor_new_from_floats:
 * @shape: a fully defined shape
 * @values: (array length=n_values): the elements in C order
 * @n_values: the number of elements, which must match @shape
 * @error: return location for a [struct@GLib.Error]
 *
 * Creates a float32 tensor from an array of floats.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error set
 */
StrataTensor *
strata_tensor_new_from_floats (StrataShape  *shape,
                               const float  *values,
                               gsize         n_values,
                               GError      **error)
{
  gsize n_bytes;
  guint32 *mem;

  g_return_val_if_fail (shape != NULL, NULL);
  g_return_val_if_fail (values != NULL || n_values == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!compute_n_bytes (STRATA_DTYPE_FLOAT32, shape, &n_bytes, error))
    return NULL;

  if (n_bytes / 4 != n_values)
    {
      g_autofree char *str = strata_shape_to_string (shape);
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: the first %zu is a count, %s a shape such as (None, 3), the
                    * second %zu a size. */
                   _("%zu values given, but shape %s holds %zu"),
                   n_values, str, n_bytes / 4);
      return NULL;
    }

  mem = g_new (guint32, MAX (n_values, 1));
  memcpy (mem, values, n_bytes);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n_values; i++)
    mem[i] = GUINT32_TO_LE (mem[i]);
#endif

  return tensor_new_take (STRATA_DTYPE_FLOAT32, shape, g_bytes_new_take (mem, n_bytes));
}

/**
 * strata_tensor_new_metadata:
 * @dtype: the element type
 * @shape: the shape, possibly with unknown dimensions
 *
 * Creates a tensor without data, as a metadata-only load does.
 *
 * Returns: (transfer full): a new tensor whose [property@Strata.Tensor:has-data] is %FALSE
 */
StrataTensor *
strata_tensor_new_metadata (StrataDType  dtype,
                            StrataShape *shape)
{
  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (shape != NULL, NULL);

  return tensor_new_take (dtype, shape, NULL);
}

/**
 * strata_tensor_get_dtype:
 * @self: a tensor
 *
 * Gets the element type.
 *
 * Returns: the element type
 */
StrataDType
strata_tensor_get_dtype (StrataTensor *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR (self), STRATA_DTYPE_INVALID);

  return self->dtype;
}

/**
 * strata_tensor_get_shape:
 * @self: a tensor
 *
 * Gets the shape.
 *
 * Returns: (transfer none): the shape
 */
StrataShape *
strata_tensor_get_shape (StrataTensor *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);

  return self->shape;
}

/**
 * strata_tensor_get_n_elements:
 * @self: a tensor
 *
 * Gets the number of elements, 0 if the shape is not fully defined.
 *
 * Returns: the number of elements, 0 if the shape is not fully defined
 */
guint64
strata_tensor_get_n_elements (StrataTensor *self)
{
  guint64 n = 0;

  g_return_val_if_fail (STRATA_IS_TENSOR (self), 0);

  if (!strata_shape_get_n_elements (self->shape, &n))
    return 0;
  return n;
}

/**
 * strata_tensor_get_n_bytes:
 * @self: a tensor
 *
 * Gets the size of the data in bytes (for a metadata tensor, the size the
 * data would have; 0 if the shape is not fully defined).
 *
 * Returns: the size of the data in bytes (for a metadata tensor, the size
 *   the data would have; 0 if the shape is not fully defined)
 */
gsize
strata_tensor_get_n_bytes (StrataTensor *self)
{
  gsize n_bytes;

  g_return_val_if_fail (STRATA_IS_TENSOR (self), 0);

  if (self->data != NULL)
    return g_bytes_get_size (self->data);
  if (!compute_n_bytes (self->dtype, self->shape, &n_bytes, NULL))
    return 0;
  return n_bytes;
}

/**
 * strata_tensor_get_data:
 * @self: a tensor
 *
 * Gets the data, or %NULL for a metadata tensor.
 *
 * Returns: (transfer none) (nullable): the data, or %NULL for a metadata tensor
 */
GBytes *
strata_tensor_get_data (StrataTensor *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);

  return self->data;
}

/**
 * strata_tensor_has_data:
 * @self: a tensor
 *
 * Checks %FALSE for a metadata tensor.
 *
 * Returns: %FALSE for a metadata tensor
 */
gboolean
strata_tensor_has_data (StrataTensor *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR (self), FALSE);

  return self->data != NULL;
}

/**
 * strata_tensor_get_name:
 * @self: a tensor
 *
 * Gets the name, such as "dense/kernel:0".
 *
 * Returns: (nullable): the name, such as "dense/kernel:0"
 */
const char *
strata_tensor_get_name (StrataTensor *self)
{
  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);

  return self->name;
}

/**
 * strata_tensor_set_name:
 * @self: a tensor
 * @name: (nullable): the new name
 *
 * Sets the name of the tensor.
 */
void
strata_tensor_set_name (StrataTensor *self,
                        const char   *name)
{
  g_return_if_fail (STRATA_IS_TENSOR (self));

  if (g_strcmp0 (self->name, name) == 0)
    return;

  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * strata_tensor_equal:
 * @a: a tensor
 * @b: another tensor
 *
 * Compares dtype, shape and data bytes (names are not compared). Two
 * metadata tensors are equal if their dtypes and shapes are.
 *
 * Returns: %TRUE if @a and @b are equal
 */
gboolean
strata_tensor_equal (StrataTensor *a,
                     StrataTensor *b)
{
  g_return_val_if_fail (STRATA_IS_TENSOR (a), FALSE);
  g_return_val_if_fail (STRATA_IS_TENSOR (b), FALSE);

  if (a == b)
    return TRUE;
  if (a->dtype != b->dtype || !strata_shape_equal (a->shape, b->shape))
    return FALSE;
  if ((a->data == NULL) != (b->data == NULL))
    return FALSE;
  return a->data == NULL || g_bytes_equal (a->data, b->data);
}

/**
 * strata_tensor_copy:
 * @self: a tensor
 *
 * Makes a new tensor with the same dtype, shape, name and data. The data
 * is immutable, so it is shared rather than copied.
 *
 * Returns: (transfer full): a new tensor
 */
StrataTensor *
strata_tensor_copy (StrataTensor *self)
{
  StrataTensor *copy;

  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);

  copy = tensor_new_take (self->dtype, self->shape,
                          self->data != NULL ? g_bytes_ref (self->data) : NULL);
  copy->name = g_strdup (self->name);
  return copy;
}

static gboolean
check_has_data (StrataTensor  *self,
                GError       **error)
{
  if (self->data != NULL)
    return TRUE;

  g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_NOT_BUILT,
               /* Translators: a tensor (weight) name */
               _("Tensor “%s” holds no data (it was loaded as metadata only)"),
               self->name != NULL ? self->name : "");
  return FALSE;
}

/**
 * strata_tensor_cast:
 * @self: a tensor with data
 * @dtype: the element type of the result
 * @error: return location for a [struct@GLib.Error]
 *
 * Converts the elements to @dtype as NumPy's `astype` does: floats round
 * to nearest even (float16 and bfloat16 included, with infinities and NaN
 * kept), integers wrap, floats converted to integers truncate toward zero
 * and saturate (NaN becomes 0), and any non-zero value becomes `True`.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error set
 */
StrataTensor *
strata_tensor_cast (StrataTensor  *self,
                    StrataDType    dtype,
                    GError       **error)
{
  g_autoptr(StrataTensor) result = NULL;
  gsize n_bytes;
  guint64 n;
  const guint8 *src;
  guint8 *dst;
  gsize src_size;
  gsize dst_size;

  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_has_data (self, error))
    return NULL;
  if (!compute_n_bytes (dtype, self->shape, &n_bytes, error))
    return NULL;

  if (dtype == self->dtype)
    return strata_tensor_copy (self);

  dst = g_try_malloc (MAX (n_bytes, 1));
  if (dst == NULL)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: %zu is a size, %s a dtype name. */
                   _("Cannot allocate %zu bytes to cast a tensor to %s"),
                   n_bytes, strata_dtype_to_string (dtype));
      return NULL;
    }

  n = strata_tensor_get_n_elements (self);
  src = g_bytes_get_data (self->data, NULL);
  src_size = strata_dtype_get_size (self->dtype);
  dst_size = strata_dtype_get_size (dtype);
  for (guint64 i = 0; i < n; i++)
    write_element (dtype, dst + i * dst_size, read_element (self->dtype, src + i * src_size));

  result = tensor_new_take (dtype, self->shape, g_bytes_new_take (dst, n_bytes));
  result->name = g_strdup (self->name);
  return g_steal_pointer (&result);
}

/**
 * strata_tensor_to_floats:
 * @self: a tensor with data
 * @n_values: (out) (optional): the number of values
 * @error: return location for a [struct@GLib.Error]
 *
 * Converts every element to a float in host byte order (float64 and
 * large integers round to nearest).
 *
 * Returns: (array length=n_values) (transfer full) (nullable): the values,
 *   or %NULL with @error set; free with [func@GLib.free]
 */
float *
strata_tensor_to_floats (StrataTensor  *self,
                         gsize         *n_values,
                         GError       **error)
{
  const guint8 *src;
  gsize elem_size;
  guint64 n;
  float *values;

  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_has_data (self, error))
    return NULL;

  n = strata_tensor_get_n_elements (self);
  if (n > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: a number of elements */
                   _("A tensor of %" PRIu64 " elements is too large to convert"), n);
      return NULL;
    }
  values = g_try_new (float, MAX (n, 1));
  if (values == NULL)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                   /* Translators: a number of values */
                   _("Cannot allocate %" PRIu64 " floats"), n);
      return NULL;
    }

  src = g_bytes_get_data (self->data, NULL);
  elem_size = strata_dtype_get_size (self->dtype);
  for (guint64 i = 0; i < n; i++)
    {
      Element e = read_element (self->dtype, src + i * elem_size);
      values[i] = e.kind == KIND_INT ? (float) e.i :
                  e.kind == KIND_UINT ? (float) e.u : (float) e.d;
    }

  if (n_values != NULL)
    *n_values = (gsize) n;
  return values;
}

/**
 * strata_tensor_get_sha256:
 * @self: a tensor
 *
 * Hashes the raw data bytes (as stored: little-endian, C order).
 *
 * Returns: (transfer full) (nullable): the SHA-256 in lower-case hex, or
 *   %NULL for a metadata tensor
 */
char *
strata_tensor_get_sha256 (StrataTensor *self)
{
  gsize size;
  gconstpointer data;
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE];
  char hex[2 * SHA256_DIGEST_SIZE];

  g_return_val_if_fail (STRATA_IS_TENSOR (self), NULL);

  if (self->data == NULL)
    return NULL;

  data = g_bytes_get_data (self->data, &size);
  sha256_init (&ctx);
  sha256_update (&ctx, size, data);
  sha256_digest (&ctx, sizeof digest, digest);
  for (guint i = 0; i < sizeof digest; i++)
    {
      hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
  return g_strndup (hex, sizeof hex);
}
