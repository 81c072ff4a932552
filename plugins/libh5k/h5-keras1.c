/* h5-keras1.c: Keras's preprocess_weights_for_loading on plain arrays
 *
 * The formulas follow Keras 2.2.4 / tf-keras (saving.py, hdf5_format.py):
 * Keras 1 per-gate RNN weights are concatenated with the gates reordered,
 * Keras 1 channels_first kernels are transposed, Theano-backend kernels
 * are flipped, and cuDNN RNN weights are converted to the native layout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-keras1.h"

#include <string.h>

#include "strata-i18n-private.h"
#include "strata-rnn-weights-private.h"

H5kArray *
h5k_array_new (const char *name, StrataDType dtype, guint rank, const gint64 *dims, GBytes *data)
{
  H5kArray *array = g_new0 (H5kArray, 1);

  g_return_val_if_fail (rank <= H5K_MAX_RANK, NULL);
  array->name = g_strdup (name);
  array->dtype = dtype;
  array->rank = rank;
  if (rank > 0)
    memcpy (array->dims, dims, rank * sizeof (gint64));
  array->data = data != NULL ? g_bytes_ref (data) : NULL;
  return array;
}

void
h5k_array_free (H5kArray *array)
{
  if (array == NULL)
    return;
  g_free (array->name);
  g_clear_pointer (&array->data, g_bytes_unref);
  g_free (array);
}

guint64
h5k_array_n_elements (const H5kArray *array)
{
  guint64 n = 1;

  for (guint i = 0; i < array->rank; i++)
    n *= array->dims[i];
  return n;
}

char *
h5k_dims_to_string (guint rank, const gint64 *dims)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; i < rank; i++)
    g_string_append_printf (s, i == 0 ? "%" G_GINT64_FORMAT : ", %" G_GINT64_FORMAT, dims[i]);
  g_string_append (s, rank == 1 ? ",)" : ")");
  return g_string_free (s, FALSE);
}

/* Builds an array of @out_dims whose element at each index is the element
 * of @a at the linear position @map returns. */
typedef guint64 (*H5kIndexMap) (const H5kArray *a, const gint64 *out_index, gpointer data);

static H5kArray *
gather (const H5kArray *a, guint out_rank, const gint64 *out_dims, H5kIndexMap map, gpointer data)
{
  H5kArray *out = h5k_array_new (a->name, a->dtype, out_rank, out_dims, NULL);
  gsize es = strata_dtype_get_size (a->dtype);
  guint64 n = h5k_array_n_elements (out);
  gint64 index[H5K_MAX_RANK] = { 0 };
  const guint8 *src;
  guint8 *dst;

  if (a->data == NULL)
    return out;

  src = g_bytes_get_data (a->data, NULL);
  dst = g_malloc (MAX (n * es, 1));
  for (guint64 i = 0; i < n; i++)
    {
      memcpy (dst + i * es, src + map (a, index, data) * es, es);
      for (int k = (int) out_rank - 1; k >= 0; k--)
        {
          if (++index[k] < out_dims[k])
            break;
          index[k] = 0;
        }
    }
  out->data = g_bytes_new_take (dst, n * es);
  return out;
}

static guint64
linear_index (const H5kArray *a, const gint64 *index)
{
  guint64 offset = 0;

  for (guint i = 0; i < a->rank; i++)
    offset = offset * a->dims[i] + index[i];
  return offset;
}

static guint64
transpose_map (const H5kArray *a, const gint64 *out_index, gpointer data)
{
  const guint *perm = data;
  gint64 in_index[H5K_MAX_RANK];

  for (guint i = 0; i < a->rank; i++)
    in_index[perm[i]] = out_index[i];
  return linear_index (a, in_index);
}

H5kArray *
h5k_array_transpose (const H5kArray *a, const guint *perm)
{
  gint64 dims[H5K_MAX_RANK];

  for (guint i = 0; i < a->rank; i++)
    dims[i] = a->dims[perm[i]];
  return gather (a, a->rank, dims, transpose_map, (gpointer) perm);
}

static guint64
flip_map (const H5kArray *a, const gint64 *out_index, gpointer data)
{
  gint64 in_index[H5K_MAX_RANK];

  for (guint i = 0; i < a->rank; i++)
    in_index[i] = i + 2 < a->rank ? a->dims[i] - 1 - out_index[i] : out_index[i];
  return linear_index (a, in_index);
}

H5kArray *
h5k_array_flip_spatial (const H5kArray *a)
{
  return gather (a, a->rank, a->dims, flip_map, NULL);
}

static guint64
take_axis1_map (const H5kArray *a, const gint64 *out_index, gpointer data)
{
  gint64 in_index[H5K_MAX_RANK] = { out_index[0], 0, out_index[1], out_index[2] };

  return linear_index (a, in_index);
}

/* Concatenates arrays[order[0..n-1]] on the last axis. */
static H5kArray *
concat_last (GPtrArray *arrays, const guint *order, guint n, const char *layer, GError **error)
{
  const H5kArray *first = g_ptr_array_index (arrays, order[0]);
  gint64 dims[H5K_MAX_RANK];
  guint rank = first->rank;
  gsize es = strata_dtype_get_size (first->dtype);
  guint64 rows = 1;
  H5kArray *out;
  gboolean have_data = TRUE;
  guint8 *dst;
  gsize dst_off = 0;

  if (rank == 0)
    goto mismatch;
  memcpy (dims, first->dims, rank * sizeof (gint64));
  dims[rank - 1] = 0;
  for (guint i = 0; i < n; i++)
    {
      const H5kArray *a = g_ptr_array_index (arrays, order[i]);

      if (a->rank != rank || a->dtype != first->dtype ||
          memcmp (a->dims, first->dims, (rank - 1) * sizeof (gint64)) != 0)
        goto mismatch;
      dims[rank - 1] += a->dims[rank - 1];
      have_data = have_data && a->data != NULL;
    }
  for (guint i = 0; i + 1 < rank; i++)
    rows *= dims[i];

  out = h5k_array_new (first->name, first->dtype, rank, dims, NULL);
  if (!have_data)
    return out;
  dst = g_malloc (MAX (rows * dims[rank - 1] * es, 1));
  for (guint64 r = 0; r < rows; r++)
    for (guint i = 0; i < n; i++)
      {
        const H5kArray *a = g_ptr_array_index (arrays, order[i]);
        gsize row_bytes = a->dims[rank - 1] * es;

        memcpy (dst + dst_off, (const guint8 *) g_bytes_get_data (a->data, NULL) + r * row_bytes,
                row_bytes);
        dst_off += row_bytes;
      }
  out->data = g_bytes_new_take (dst, dst_off);
  return out;

mismatch:
  g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
               /* Translators: %s is a layer name. */
               _("Cannot regroup the Keras 1 per-gate weights of layer “%s”: their shapes or "
                 "dtypes do not fit together"), layer);
  return NULL;
}

static void
replace_at (GPtrArray *arrays, guint index, H5kArray *array)
{
  h5k_array_free (g_ptr_array_index (arrays, index));
  g_ptr_array_index (arrays, index) = array;
}

static void
transpose_at (GPtrArray *arrays, guint index, const guint *perm, guint rank)
{
  H5kArray *a = g_ptr_array_index (arrays, index);

  if (a->rank == rank)
    replace_at (arrays, index, h5k_array_transpose (a, perm));
}

/* Keras 1 GRU (9 arrays) and LSTM/ConvLSTM2D (12) keep one W, U and b per
 * gate; Keras 2 concatenates them (LSTM gates reordered i,c,f,o -> i,f,c,o). */
static gboolean
regroup_gates (GPtrArray *arrays, guint n_gates, const guint *gate_order, const char *layer,
               GError **error)
{
  H5kArray *fused[3];

  for (guint part = 0; part < 3; part++)
    {
      guint order[4];

      for (guint g = 0; g < n_gates; g++)
        order[g] = gate_order[g] * 3 + part;
      fused[part] = concat_last (arrays, order, n_gates, layer, error);
      if (fused[part] == NULL)
        {
          for (guint i = 0; i < part; i++)
            h5k_array_free (fused[i]);
          return FALSE;
        }
    }
  g_ptr_array_set_size (arrays, 0);
  for (guint part = 0; part < 3; part++)
    g_ptr_array_add (arrays, fused[part]);
  return TRUE;
}

static const char *
canonical_class (const char *name)
{
  static const struct { const char *alias, *name; } aliases[] = {
    { "Convolution1D", "Conv1D" },
    { "AtrousConvolution1D", "Conv1D" },
    { "Convolution2D", "Conv2D" },
    { "AtrousConvolution2D", "Conv2D" },
    { "Convolution3D", "Conv3D" },
    { "Deconvolution2D", "Conv2DTranspose" },
    { "Deconv2D", "Conv2DTranspose" },
    { "CuDNNLSTM", "CuDNNLSTM" },
  };

  if (name == NULL)
    return "";
  /* Registered names such as "keras.layers>LSTM" or "Custom>X". */
  if (strchr (name, '>') != NULL)
    name = strrchr (name, '>') + 1;
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_str_equal (name, aliases[i].alias))
      return aliases[i].name;
  return name;
}

static gboolean
is_conv (const char *cls)
{
  return g_str_equal (cls, "Conv1D") || g_str_equal (cls, "Conv2D") || g_str_equal (cls, "Conv3D") ||
         g_str_equal (cls, "Conv2DTranspose") || g_str_equal (cls, "ConvLSTM2D");
}

/* ---- cuDNN <-> native RNN weights (_convert_rnn_weights) ---- */

typedef struct {
  gint64         rows;    /* input dim of one gate block */
  gint64         units;
  StrataRnnGates gates;
} GateMap;

static guint64
gate_map (const H5kArray *a, const gint64 *out_index, gpointer data)
{
  const GateMap *m = data;

  return strata_rnn_gates_source_index (m->gates, m->rows, m->units, a->dims[1], out_index[0], out_index[1]);
}

static gboolean
sum_or_split_bias (GPtrArray *arrays, gboolean from_cudnn, const char *layer, GError **error)
{
  H5kArray *b = g_ptr_array_index (arrays, 2);
  gint64 n = b->dims[b->rank - 1];
  gint64 out_n = from_cudnn ? n / 2 : n * 2;
  H5kArray *out = h5k_array_new (b->name, b->dtype, 1, &out_n, NULL);

  if (b->dtype != STRATA_DTYPE_FLOAT32 && b->dtype != STRATA_DTYPE_FLOAT64)
    {
      g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_DTYPE,
                   /* Translators: the first %s is a layer name, the second %s a dtype name. */
                   _("Cannot convert the cuDNN bias of layer “%s”: its dtype is %s"),
                   layer, strata_dtype_to_string (b->dtype));
      h5k_array_free (out);
      return FALSE;
    }
  if (b->data != NULL)
    {
      gsize es = strata_dtype_get_size (b->dtype);
      guint8 *dst = g_malloc (MAX (out_n * es, 1));

      strata_rnn_bias_convert (es, g_bytes_get_data (b->data, NULL), out_n, from_cudnn, dst);
      out->data = g_bytes_new_take (dst, out_n * es);
    }
  replace_at (arrays, 2, out);
  return TRUE;
}

static gboolean
convert_kernels (GPtrArray *arrays, guint n_gates, gboolean from_cudnn)
{
  H5kArray *k = g_ptr_array_index (arrays, 0);
  H5kArray *rk = g_ptr_array_index (arrays, 1);
  GateMap m;

  if (k->rank != 2 || rk->rank != 2 || k->dims[1] % n_gates != 0 || rk->dims[1] % n_gates != 0)
    return FALSE;
  m = (GateMap) { k->dims[0], k->dims[1] / n_gates,
                  from_cudnn ? STRATA_RNN_GATES_FROM_CUDNN : STRATA_RNN_GATES_TO_CUDNN };
  replace_at (arrays, 0, gather (k, 2, k->dims, gate_map, &m));
  m = (GateMap) { rk->dims[0], rk->dims[1] / n_gates, STRATA_RNN_GATES_TRANSPOSE };
  if (m.rows != m.units)
    return FALSE;
  replace_at (arrays, 1, gather (rk, 2, rk->dims, gate_map, &m));
  return TRUE;
}

static gboolean
convert_rnn (const H5kLayerInfo *layer, const char *cls, GPtrArray *arrays, const char *name,
             GError **error)
{
  H5kArray *rk, *b;
  gint64 units;
  gboolean lstm = g_str_equal (cls, "LSTM") || g_str_equal (cls, "CuDNNLSTM");
  gboolean gru = g_str_equal (cls, "GRU") || g_str_equal (cls, "CuDNNGRU");

  if ((!lstm && !gru) || arrays->len != 3)
    return TRUE;
  rk = g_ptr_array_index (arrays, 1);
  b = g_ptr_array_index (arrays, 2);
  if (rk->rank < 1)
    return TRUE;
  units = rk->dims[0];

  if (lstm)
    {
      gboolean source_cudnn;

      if (b->rank == 1 && b->dims[0] == 8 * units)
        source_cudnn = TRUE;
      else if (b->rank == 1 && b->dims[0] == 4 * units)
        source_cudnn = FALSE;
      else
        goto invalid_bias;
      if (source_cudnn == g_str_equal (cls, "CuDNNLSTM"))
        return TRUE;
      if (!convert_kernels (arrays, 4, source_cudnn))
        goto invalid_bias;
      return sum_or_split_bias (arrays, source_cudnn, name, error);
    }
  else
    {
      /* 0: CuDNNGRU, 1: GRU(reset_after=True), 2: GRU(reset_after=False) */
      static const char *names[] = { "CuDNNGRU", "GRU(reset_after=True)", "GRU(reset_after=False)" };
      int source, target;

      if (b->rank == 1 && b->dims[0] == 6 * units)
        source = 0;
      else if (b->rank == 2 && b->dims[0] == 2 && b->dims[1] == 3 * units)
        source = 1;
      else if (b->rank == 1 && b->dims[0] == 3 * units)
        source = 2;
      else
        goto invalid_bias;
      target = g_str_equal (cls, "CuDNNGRU") ? 0 : layer->gru_reset_after ? 1 : 2;
      if (source == target)
        return TRUE;
      if (source == 2 || target == 2)
        {
          g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                       /* Translators: a layer name, then two weight layouts, such as “CuDNNLSTM”
                        * and “LSTM” */
                       _("Layer “%s”: %s is not compatible with %s"), name, names[source],
                       names[target]);
          return FALSE;
        }
      if (!convert_kernels (arrays, 3, source == 0))
        goto invalid_bias;
      b->rank = source == 0 ? 2 : 1;
      b->dims[0] = source == 0 ? 2 : 6 * units;
      b->dims[1] = source == 0 ? 3 * units : 0;
      return TRUE;
    }

invalid_bias:
  {
    g_autofree char *shape = h5k_dims_to_string (b->rank, b->dims);
    g_set_error (error, STRATA_WEIGHTS_ERROR, STRATA_WEIGHTS_ERROR_SHAPE,
                 /* Translators: the first %s is a layer name, the second %s a shape such as (None,
                  * 3), %u a number of units. */
                 _("Layer “%s”: invalid bias shape %s for %u units"), name, shape, (guint) units);
  }
  return FALSE;
}

gboolean
h5k_preprocess_weights (const H5kLayerInfo *layer, GPtrArray *arrays, const char *keras_version,
                        const char *backend, GError **error)
{
  const char *cls = canonical_class (layer->class_name);
  const char *name = layer->name != NULL ? layer->name : "?";
  static const guint perm_2310[] = { 2, 3, 1, 0 };
  static const guint perm_0132[] = { 0, 1, 3, 2 };
  static const guint perm_2301[] = { 2, 3, 0, 1 };
  static const guint perm_23410[] = { 2, 3, 4, 1, 0 };
  static const guint perm_3201[] = { 3, 2, 0, 1 };

  if (arrays->len == 0)
    return TRUE;

  if (g_strcmp0 (keras_version, "1") == 0)
    {
      if (g_str_equal (cls, "Conv1D"))
        {
          H5kArray *w = g_ptr_array_index (arrays, 0);

          if (w->rank == 4)
            {
              /* Keras 1.1 kept (filters, input_dim, filter_length, 1). */
              gboolean legacy;

              if (layer->kernel_size >= 0 && layer->filters >= 0)
                legacy = w->dims[0] != layer->kernel_size || w->dims[1] != 1 ||
                         w->dims[3] != layer->filters;
              else
                legacy = w->dims[1] != 1 && w->dims[3] == 1;
              if (legacy)
                transpose_at (arrays, 0, perm_2310, 4);
              w = g_ptr_array_index (arrays, 0);
              {
                gint64 dims[3] = { w->dims[0], w->dims[2], w->dims[3] };
                replace_at (arrays, 0, gather (w, 3, dims, take_axis1_map, NULL));
              }
            }
        }
      else if (g_str_equal (cls, "Conv2D") && layer->channels_first)
        transpose_at (arrays, 0, perm_2310, 4);
      else if (g_str_equal (cls, "Conv2DTranspose"))
        transpose_at (arrays, 0, layer->channels_first ? perm_2301 : perm_0132, 4);
      else if (g_str_equal (cls, "Conv3D") && layer->channels_first)
        transpose_at (arrays, 0, perm_23410, 5);
      else if (g_str_equal (cls, "GRU") && arrays->len == 9)
        {
          static const guint order[] = { 0, 1, 2 };
          if (!regroup_gates (arrays, 3, order, name, error))
            return FALSE;
        }
      else if ((g_str_equal (cls, "LSTM") || g_str_equal (cls, "ConvLSTM2D")) && arrays->len == 12)
        {
          /* Keras 1 stores gates i, c, f, o; Keras 2 wants i, f, c, o. */
          static const guint order[] = { 0, 2, 1, 3 };
          if (!regroup_gates (arrays, 4, order, name, error))
            return FALSE;
          if (g_str_equal (cls, "ConvLSTM2D") && layer->channels_first)
            {
              transpose_at (arrays, 0, perm_2310, 4);
              transpose_at (arrays, 1, perm_2310, 4);
            }
        }
    }

  if (is_conv (cls))
    {
      gboolean two = g_str_equal (cls, "ConvLSTM2D") && arrays->len > 1;
      H5kArray *w;

      /* Theano convolves (flipped kernels); TensorFlow correlates. */
      if (g_strcmp0 (backend, "theano") == 0)
        {
          replace_at (arrays, 0, h5k_array_flip_spatial (g_ptr_array_index (arrays, 0)));
          if (two)
            replace_at (arrays, 1, h5k_array_flip_spatial (g_ptr_array_index (arrays, 1)));
        }
      w = g_ptr_array_index (arrays, 0);
      if (layer->kernel_rank > 0 &&
          (w->rank != layer->kernel_rank ||
           memcmp (w->dims, layer->kernel_dims, w->rank * sizeof (gint64)) != 0))
        {
          transpose_at (arrays, 0, perm_3201, 4);
          if (two)
            transpose_at (arrays, 1, perm_3201, 4);
        }
    }

  return convert_rnn (layer, cls, arrays, name, error);
}
