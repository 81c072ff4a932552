/* strata-layers-conv.c: convolution, pooling, padding, cropping and upsampling layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Kernels use the Keras 2 layout (*kernel_size, in / groups, filters) for
 * channels_last and channels_first alike; converting Theano-ordered Keras 1
 * kernels is the format reader's business.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

#define MAX_SPATIAL 3

enum {
  CONV_PLAIN,
  CONV_TRANSPOSE,
  CONV_SEPARABLE,
  CONV_DEPTHWISE,
  CONV_LOCAL,
};

enum {
  POOL_MAX,
  POOL_AVERAGE,
};

typedef struct {
  guint       rank;
  gint64      filters;
  gint64      kernel[MAX_SPATIAL];
  gint64      strides[MAX_SPATIAL];
  gint64      dilation[MAX_SPATIAL];
  gint64      output_padding[MAX_SPATIAL];   /* -1: not given */
  const char *padding;
  gboolean    channels_first;
  gint64      groups;
  gint64      depth_multiplier;
} ConvParams;

static const gint64 ones[MAX_SPATIAL] = { 1, 1, 1 };
static const gint64 twos[MAX_SPATIAL] = { 2, 2, 2 };
static const gint64 unset[MAX_SPATIAL] = { -1, -1, -1 };

/* Spatial axis @i of an input of @rank (batch axis included). */
static guint
spatial_axis (guint rank, gboolean channels_first, guint i)
{
  (void) rank;
  return channels_first ? 2 + i : 1 + i;
}

static guint
channel_axis (guint rank, gboolean channels_first)
{
  return channels_first ? 1 : rank - 1;
}

static gboolean
read_kernel_size (StrataLayer *self, guint rank, gint64 *kernel, GError **error)
{
  JsonNode *node = strata_cfg_node (self, "kernel_size", NULL);

  if (node != NULL)
    return strata_cfg_tuple (self, rank, ones, kernel, error, "kernel_size", NULL);

  /* Keras 1 spelled the kernel size per axis. */
  switch (rank)
    {
    case 1:
      return strata_cfg_int (self, -1, &kernel[0], error, "filter_length", NULL);
    case 2:
      return strata_cfg_int (self, -1, &kernel[0], error, "nb_row", NULL) &&
             strata_cfg_int (self, -1, &kernel[1], error, "nb_col", NULL);
    default:
      return strata_cfg_int (self, -1, &kernel[0], error, "kernel_dim1", NULL) &&
             strata_cfg_int (self, -1, &kernel[1], error, "kernel_dim2", NULL) &&
             strata_cfg_int (self, -1, &kernel[2], error, "kernel_dim3", NULL);
    }
}

static gboolean
read_conv_params (StrataLayer          *self,
                  const StrataLayerRow *row,
                  ConvParams           *p,
                  GError              **error)
{
  guint i;

  memset (p, 0, sizeof *p);
  p->rank = row->rank;
  if (!strata_cfg_int (self, -1, &p->filters, error, "filters", "nb_filter", NULL) ||
      !read_kernel_size (self, p->rank, p->kernel, error) ||
      !strata_cfg_tuple (self, p->rank, ones, p->strides, error,
                         "strides", "subsample", "subsample_length", NULL) ||
      !strata_cfg_tuple (self, p->rank, ones, p->dilation, error,
                         "dilation_rate", "atrous_rate", NULL) ||
      !strata_cfg_tuple (self, p->rank, unset, p->output_padding, error,
                         "output_padding", NULL) ||
      !strata_cfg_padding (self, &p->padding, error) ||
      !strata_cfg_channels_first (self, &p->channels_first, error) ||
      !strata_cfg_int (self, 1, &p->groups, error, "groups", NULL) ||
      !strata_cfg_int (self, 1, &p->depth_multiplier, error, "depth_multiplier", NULL))
    return FALSE;

  if (row->variant != CONV_DEPTHWISE && p->filters <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %<PRId64> is the value found. */
                                _("“filters” must be a positive integer, found %" PRId64),
                                p->filters);
      return FALSE;
    }
  for (i = 0; i < p->rank; i++)
    if (p->kernel[i] <= 0 || p->strides[i] <= 0 || p->dilation[i] <= 0)
      {
        strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                  _("kernel size, strides and dilation rate must be positive"));
        return FALSE;
      }
  if (p->groups <= 0 || p->depth_multiplier <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                _("“groups” and “depth_multiplier” must be positive"));
      return FALSE;
    }
  return TRUE;
}

/* The input of a spatial layer: rank + 2 axes (batch, channels). */
static StrataShape *
spatial_input (StrataLayer *self, GPtrArray *input_shapes, guint rank, GError **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, rank + 2, error);

  if (input != NULL && strata_shape_get_rank (input) != rank + 2)
    {
      g_autofree char *s = strata_shape_to_string (input);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %u is a rank, %s a shape such as (None, 3). */
                                _("expected an input of rank %u, found %s"), rank + 2, s);
      return NULL;
    }
  return input;
}

static void
conv_output_spatial (const ConvParams *p,
                     int               variant,
                     StrataShape      *input,
                     gint64           *out)
{
  guint rank = strata_shape_get_rank (input);
  guint i;

  for (i = 0; i < p->rank; i++)
    {
      gint64 in = strata_shape_get_dim (input, spatial_axis (rank, p->channels_first, i));
      if (variant == CONV_TRANSPOSE)
        out[i] = strata_deconv_output_length (in, p->kernel[i], p->padding, p->output_padding[i],
                                              p->strides[i], p->dilation[i]);
      else
        out[i] = strata_conv_output_length (in, p->kernel[i],
                                            variant == CONV_LOCAL ? "valid" : p->padding,
                                            p->strides[i], p->dilation[i]);
    }
}

static StrataShape *
make_spatial_shape (StrataLayer *self, GError **error, gint64 batch, const gint64 *spatial,
                    guint n, gint64 channels, gboolean channels_first)
{
  gint64 dims[MAX_SPATIAL + 2];
  guint i;

  dims[0] = batch;
  for (i = 0; i < n; i++)
    dims[channels_first ? 2 + i : 1 + i] = spatial[i];
  dims[channels_first ? 1 : n + 1] = channels;
  return strata_builtin_shape (self, error, n + 2, dims);
}

static gboolean
conv_build (StrataLayer          *self,
            const StrataLayerRow *row,
            GPtrArray            *input_shapes,
            GError              **error)
{
  StrataShape *input = spatial_input (self, input_shapes, row->rank, error);
  gint64 dims[2 * MAX_SPATIAL + 2];
  gint64 out_spatial[MAX_SPATIAL];
  ConvParams p;
  gint64 in, n_out = 1, k_size = 1;
  guint i, n = row->rank;

  if (input == NULL || !read_conv_params (self, row, &p, error) ||
      !strata_builtin_known_dim (self, input, channel_axis (n + 2, p.channels_first), &in, error))
    return FALSE;

  memcpy (dims, p.kernel, n * sizeof (gint64));
  switch (row->variant)
    {
    case CONV_PLAIN:
      if (in % p.groups != 0 || p.filters % p.groups != 0)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: the number of input channels, the number of
                                     * filters, then the number of groups */
                                    _("%" PRId64 " input channels and %" PRId64 " filters are not divisible by %" PRId64 " groups"),
                                    in, p.filters, p.groups);
          return FALSE;
        }
      dims[n] = in / p.groups;
      dims[n + 1] = p.filters;
      return strata_builtin_add_weight (self, "kernel", strata_builtin_shape (self, error, n + 2, dims),
                                        strata_cfg_initializer (self, "kernel_initializer", "init",
                                                                "glorot_uniform"),
                                        TRUE, error) &&
             strata_builtin_add_bias (self, strata_builtin_shape_1d (self, error, p.filters), error);

    case CONV_TRANSPOSE:
      dims[n] = p.filters;
      dims[n + 1] = in;
      return strata_builtin_add_weight (self, "kernel", strata_builtin_shape (self, error, n + 2, dims),
                                        strata_cfg_initializer (self, "kernel_initializer", "init",
                                                                "glorot_uniform"),
                                        TRUE, error) &&
             strata_builtin_add_bias (self, strata_builtin_shape_1d (self, error, p.filters), error);

    case CONV_SEPARABLE:
      dims[n] = in;
      dims[n + 1] = p.depth_multiplier;
      if (!strata_builtin_add_weight (self, "depthwise_kernel", strata_builtin_shape (self, error, n + 2, dims),
                                      strata_cfg_initializer (self, "depthwise_initializer", "init",
                                                              "glorot_uniform"),
                                      TRUE, error))
        return FALSE;
      memcpy (dims, ones, n * sizeof (gint64));
      dims[n] = strata_dim_mul (in, p.depth_multiplier);
      dims[n + 1] = p.filters;
      return strata_builtin_add_weight (self, "pointwise_kernel", strata_builtin_shape (self, error, n + 2, dims),
                                        strata_cfg_initializer (self, "pointwise_initializer", "init",
                                                                "glorot_uniform"),
                                        TRUE, error) &&
             strata_builtin_add_bias (self, strata_builtin_shape_1d (self, error, p.filters), error);

    case CONV_DEPTHWISE:
      dims[n] = in;
      dims[n + 1] = p.depth_multiplier;
      return strata_builtin_add_weight (self, "depthwise_kernel", strata_builtin_shape (self, error, n + 2, dims),
                                        strata_cfg_initializer (self, "depthwise_initializer", "init",
                                                                "glorot_uniform"),
                                        TRUE, error) &&
             strata_builtin_add_bias (self, strata_builtin_shape_1d (self, error, strata_dim_mul (in, p.depth_multiplier)), error);

    case CONV_LOCAL:
      {
        gint64 implementation;

        if (!strata_cfg_int (self, 1, &implementation, error, "implementation", NULL))
          return FALSE;
        conv_output_spatial (&p, CONV_LOCAL, input, out_spatial);
        for (i = 0; i < n; i++)
          {
            if (out_spatial[i] == STRATA_DIM_UNKNOWN || out_spatial[i] == 0)
              {
                g_autofree char *s = strata_shape_to_string (input);
                strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                          /* Translators: %s is a shape such as (None, 3). */
                                          _("locally connected layers need known spatial sizes, found %s"),
                                          s);
                return FALSE;
              }
            n_out = strata_dim_mul (n_out, out_spatial[i]);
            k_size = strata_dim_mul (k_size, p.kernel[i]);
          }
        if (implementation == 1)
          {
            gint64 k[3] = { n_out, strata_dim_mul (k_size, in), p.filters };
            gint64 b[MAX_SPATIAL + 1];

            memcpy (b, out_spatial, n * sizeof (gint64));
            b[n] = p.filters;
            return strata_builtin_add_weight (self, "kernel", strata_builtin_shape (self, error, 3, k),
                                              strata_cfg_initializer (self, "kernel_initializer",
                                                                      "init", "glorot_uniform"),
                                              TRUE, error) &&
                   strata_builtin_add_bias (self, strata_builtin_shape (self, error, n + 1, b), error);
          }
        if (implementation == 2)
          {
            /* (*in_spatial, in, *out_spatial, filters), channels first:
             * (in, *in_spatial, filters, *out_spatial). */
            gint64 k[2 * MAX_SPATIAL + 2];
            gint64 b[MAX_SPATIAL + 1];
            guint rank = strata_shape_get_rank (input);

            for (i = 0; i < n; i++)
              if (!strata_builtin_known_dim (self, input, spatial_axis (rank, p.channels_first, i),
                                             &k[p.channels_first ? 1 + i : i], error))
                return FALSE;
            k[p.channels_first ? 0 : n] = in;
            for (i = 0; i < n; i++)
              k[p.channels_first ? n + 2 + i : n + 1 + i] = out_spatial[i];
            k[p.channels_first ? n + 1 : 2 * n + 1] = p.filters;
            memcpy (b, out_spatial, n * sizeof (gint64));
            b[n] = p.filters;
            return strata_builtin_add_weight (self, "kernel", strata_builtin_shape (self, error, 2 * n + 2, k),
                                              strata_cfg_initializer (self, "kernel_initializer",
                                                                      "init", "glorot_uniform"),
                                              TRUE, error) &&
                   strata_builtin_add_bias (self, strata_builtin_shape (self, error, n + 1, b), error);
          }
        strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_UNSUPPORTED,
                                  /* Translators: the “implementation” number found in the config */
                                  _("implementation %" PRId64 " of locally connected layers is not supported"),
                                  implementation);
        return FALSE;
      }
    default:
      g_assert_not_reached ();
    }
}

static GPtrArray *
conv_shapes (StrataLayer          *self,
             const StrataLayerRow *row,
             GPtrArray            *input_shapes,
             GError              **error)
{
  StrataShape *input = spatial_input (self, input_shapes, row->rank, error);
  gint64 out_spatial[MAX_SPATIAL];
  gint64 channels;
  JsonNode *output_shape;
  ConvParams p;
  guint rank;

  if (input == NULL || !read_conv_params (self, row, &p, error))
    return NULL;
  rank = strata_shape_get_rank (input);

  /* Keras 1 Deconvolution2D stored its full output shape. */
  output_shape = strata_cfg_node (self, "output_shape", NULL);
  if (row->variant == CONV_TRANSPOSE && output_shape != NULL)
    {
      g_autoptr(StrataShape) shape = strata_json_to_shape (output_shape, "output_shape", error);
      gint64 dims[STRATA_MAX_RANK];

      if (shape == NULL)
        return NULL;
      if (strata_shape_get_rank (shape) != rank)
        {
          g_autofree char *s = strata_shape_to_string (shape);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %s is a shape such as (None, 3), %u a rank. */
                                    _("“output_shape” %s does not have rank %u"), s, rank);
          return NULL;
        }
      memcpy (dims, strata_shape_get_dims (shape, NULL), rank * sizeof (gint64));
      dims[0] = strata_shape_get_dim (input, 0);
      return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
    }

  conv_output_spatial (&p, row->variant, input, out_spatial);
  channels = p.filters;
  if (row->variant == CONV_DEPTHWISE)
    {
      gint64 in = strata_shape_get_dim (input, channel_axis (rank, p.channels_first));
      channels = strata_dim_mul (in, p.depth_multiplier);
    }
  return strata_shapes_one (make_spatial_shape (self, error, strata_shape_get_dim (input, 0), out_spatial,
                                                p.rank, channels, p.channels_first));
}

/* ---- pooling ---------------------------------------------------------- */

static GPtrArray *
pool_shapes (StrataLayer          *self,
             const StrataLayerRow *row,
             GPtrArray            *input_shapes,
             GError              **error)
{
  StrataShape *input = spatial_input (self, input_shapes, row->rank, error);
  gint64 pool[MAX_SPATIAL], strides[MAX_SPATIAL], out[MAX_SPATIAL];
  const char *padding;
  gboolean channels_first;
  guint rank, i;

  if (input == NULL ||
      !strata_cfg_tuple (self, row->rank, twos, pool, error, "pool_size", "pool_length", NULL) ||
      !strata_cfg_tuple (self, row->rank, pool, strides, error, "strides", "stride", NULL) ||
      !strata_cfg_padding (self, &padding, error) ||
      !strata_cfg_channels_first (self, &channels_first, error))
    return NULL;
  rank = strata_shape_get_rank (input);
  for (i = 0; i < row->rank; i++)
    {
      if (pool[i] <= 0 || strides[i] <= 0)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    _("pool size and strides must be positive"));
          return NULL;
        }
      out[i] = strata_conv_output_length (strata_shape_get_dim (input, spatial_axis (rank, channels_first, i)),
                                          pool[i], padding, strides[i], 1);
    }
  return strata_shapes_one (make_spatial_shape (self, error, strata_shape_get_dim (input, 0), out, row->rank,
                                                strata_shape_get_dim (input, channel_axis (rank, channels_first)),
                                                channels_first));
}

static GPtrArray *
global_pool_shapes (StrataLayer          *self,
                    const StrataLayerRow *row,
                    GPtrArray            *input_shapes,
                    GError              **error)
{
  StrataShape *input = spatial_input (self, input_shapes, row->rank, error);
  gboolean channels_first, keepdims;
  gint64 channels;
  guint rank;

  if (input == NULL ||
      !strata_cfg_channels_first (self, &channels_first, error) ||
      !strata_cfg_bool (self, FALSE, &keepdims, error, "keepdims", NULL))
    return NULL;
  rank = strata_shape_get_rank (input);
  channels = strata_shape_get_dim (input, channel_axis (rank, channels_first));
  if (keepdims)
    return strata_shapes_one (make_spatial_shape (self, error, strata_shape_get_dim (input, 0), ones,
                                                  row->rank, channels, channels_first));
  return strata_shapes_one (strata_builtin_shape_2d (self, error, strata_shape_get_dim (input, 0), channels));
}

/* ---- padding, cropping, upsampling ------------------------------------ */

/* Reads "padding"/"cropping": an int, one int per axis, one (before,
 * after) pair per axis, or the Keras 1 flat list (before, after, ...). */
static gboolean
read_pairs (StrataLayer *self,
            const char  *key,
            guint        rank,
            gint64       fallback,
            gint64       pairs[MAX_SPATIAL][2],
            GError     **error)
{
  JsonNode *node = strata_cfg_node (self, key, NULL);
  JsonArray *array;
  guint i, len;

  for (i = 0; i < rank; i++)
    pairs[i][0] = pairs[i][1] = fallback;
  if (node == NULL)
    return TRUE;
  if (strata_json_node_get_int (node, &pairs[0][0]))
    {
      for (i = 0; i < rank; i++)
        pairs[i][0] = pairs[i][1] = pairs[0][0];
      goto check;
    }
  if ((array = strata_json_node_get_list (node)) == NULL)
    goto invalid;
  len = json_array_get_length (array);
  if (rank == 1 && len == 2)
    {
      for (i = 0; i < 2; i++)
        if (!strata_json_node_get_int (json_array_get_element (array, i), &pairs[0][i]))
          goto invalid;
      goto check;
    }
  if (len == rank)
    {
      for (i = 0; i < rank; i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          JsonArray *pair = strata_json_node_get_list (e);

          if (strata_json_node_get_int (e, &pairs[i][0]))
            pairs[i][1] = pairs[i][0];
          else if (pair == NULL || json_array_get_length (pair) != 2 ||
                   !strata_json_node_get_int (json_array_get_element (pair, 0), &pairs[i][0]) ||
                   !strata_json_node_get_int (json_array_get_element (pair, 1), &pairs[i][1]))
            goto invalid;
        }
      goto check;
    }
  if (len == 2 * rank)
    {
      for (i = 0; i < 2 * rank; i++)
        if (!strata_json_node_get_int (json_array_get_element (array, i), &pairs[i / 2][i % 2]))
          goto invalid;
      goto check;
    }

invalid:
  strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                            /* Translators: the first %s is a config key, %u a rank, the second %s
                             * what was found instead, such as “a string” or “null”. */
                            _("“%s” must be an integer or %u (before, after) pairs, found %s"),
                            key, rank, strata_json_describe_node (node));
  return FALSE;

check:
  for (i = 0; i < rank; i++)
    if (pairs[i][0] < 0 || pairs[i][1] < 0)
      {
        strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                  /* Translators: %s is a config key. */
                                  _("“%s” must not be negative"), key);
        return FALSE;
      }
  return TRUE;
}

enum {
  RESIZE_PAD,
  RESIZE_CROP,
  RESIZE_UPSAMPLE,
};

static GPtrArray *
resize_shapes (StrataLayer          *self,
               const StrataLayerRow *row,
               GPtrArray            *input_shapes,
               GError              **error)
{
  StrataShape *input = spatial_input (self, input_shapes, row->rank, error);
  gint64 pairs[MAX_SPATIAL][2];
  gint64 size[MAX_SPATIAL];
  gint64 dims[MAX_SPATIAL + 2];
  gboolean channels_first = FALSE;
  guint rank, i;

  if (input == NULL)
    return NULL;
  /* The 1D variants have no data_format. */
  if (row->rank > 1 && !strata_cfg_channels_first (self, &channels_first, error))
    return NULL;
  rank = strata_shape_get_rank (input);
  memcpy (dims, strata_shape_get_dims (input, NULL), rank * sizeof (gint64));

  switch (row->variant)
    {
    case RESIZE_PAD:
    case RESIZE_CROP:
      if (!read_pairs (self, row->variant == RESIZE_PAD ? "padding" : "cropping", row->rank,
                       row->variant == RESIZE_PAD || row->rank != 2 ? 1 : 0, pairs, error))
        return NULL;
      for (i = 0; i < row->rank; i++)
        {
          guint axis = spatial_axis (rank, channels_first, i);
          gint64 d = dims[axis];
          if (d == STRATA_DIM_UNKNOWN)
            continue;
          if (row->variant == RESIZE_PAD)
            dims[axis] = strata_dim_add (d, strata_dim_add (pairs[i][0], pairs[i][1]));
          else if (strata_dim_add (pairs[i][0], pairs[i][1]) == STRATA_DIM_OVERFLOW ||
                   pairs[i][0] + pairs[i][1] > d)
            {
              /* tf.keras accepted (and saved) such models without a check;
               * the size is then meaningless, so unknown. */
              dims[axis] = STRATA_DIM_UNKNOWN;
            }
          else
            dims[axis] = d - pairs[i][0] - pairs[i][1];
        }
      break;
    case RESIZE_UPSAMPLE:
      if (!strata_cfg_tuple (self, row->rank, twos, size, error, "size", "length", NULL))
        return NULL;
      for (i = 0; i < row->rank; i++)
        {
          guint axis = spatial_axis (rank, channels_first, i);
          if (size[i] <= 0)
            {
              strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                        _("“size” must be positive"));
              return NULL;
            }
          dims[axis] = strata_dim_mul (dims[axis], size[i]);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

/* ---- The table -------------------------------------------------------- */

#define KERNEL_PROPS \
  STRATA_P_JSON ("activation", "\"linear\""), \
  STRATA_P_BOOL1 ("use_bias", "true", "bias"), \
  STRATA_P_JSON ("bias_initializer", "\"zeros\""), \
  STRATA_P_JSON1 ("bias_regularizer", "null", "b_regularizer"), \
  STRATA_P_JSON ("activity_regularizer", "null"), \
  STRATA_P_JSON1 ("bias_constraint", "null", "b_constraint"), \
  STRATA_P_STRING1 ("padding", "\"valid\"", "border_mode"), \
  STRATA_P_STRING ("data_format", "\"channels_last\"")

#define CONV_PROPS \
  STRATA_P_INT1 ("filters", NULL, "nb_filter"), \
  STRATA_P_JSON ("kernel_size", NULL), \
  STRATA_P_JSON1 ("strides", "1", "subsample"), \
  STRATA_P_JSON1 ("dilation_rate", "1", "atrous_rate"), \
  STRATA_P_JSON1 ("kernel_initializer", "\"glorot_uniform\"", "init"), \
  STRATA_P_JSON1 ("kernel_regularizer", "null", "W_regularizer"), \
  STRATA_P_JSON1 ("kernel_constraint", "null", "W_constraint"), \
  KERNEL_PROPS

#define DEPTHWISE_PROPS \
  STRATA_P_JSON ("kernel_size", NULL), \
  STRATA_P_JSON1 ("strides", "1", "subsample"), \
  STRATA_P_JSON ("dilation_rate", "1"), \
  STRATA_P_INT ("depth_multiplier", "1"), \
  STRATA_P_JSON1 ("depthwise_initializer", "\"glorot_uniform\"", "init"), \
  STRATA_P_JSON ("depthwise_regularizer", "null"), \
  STRATA_P_JSON ("depthwise_constraint", "null"), \
  KERNEL_PROPS

#define SEPARABLE_PROPS \
  STRATA_P_INT1 ("filters", NULL, "nb_filter"), \
  DEPTHWISE_PROPS, \
  STRATA_P_JSON ("pointwise_initializer", "\"glorot_uniform\""), \
  STRATA_P_JSON ("pointwise_regularizer", "null"), \
  STRATA_P_JSON ("pointwise_constraint", "null")

#define POOL_PROPS \
  STRATA_P_JSON1 ("pool_size", "2", "pool_length"), \
  STRATA_P_JSON1 ("strides", "null", "stride"), \
  STRATA_P_STRING1 ("padding", "\"valid\"", "border_mode"), \
  STRATA_P_STRING ("data_format", "\"channels_last\"")

#define GLOBAL_POOL_PROPS \
  STRATA_P_STRING ("data_format", "\"channels_last\""), \
  STRATA_P_BOOL ("keepdims", "false")

#define POOL_ROW(name, type, r, variant, alias) \
  { name, type, { alias, NULL }, NULL, pool_shapes, r, variant, { POOL_PROPS } }
#define GLOBAL_ROW(name, type, r, variant) \
  { name, type, { NULL }, NULL, global_pool_shapes, r, variant, { GLOBAL_POOL_PROPS } }
#define RESIZE_ROW(name, type, r, variant, alias, prop) \
  { name, type, { alias, NULL }, NULL, resize_shapes, r, variant, \
    { prop, STRATA_P_STRING ("data_format", "\"channels_last\"") } }

static const StrataLayerRow conv_rows[] = {
  { "Conv1D", "StrataConv1D", { "Convolution1D", "AtrousConvolution1D", NULL },
    conv_build, conv_shapes, 1, CONV_PLAIN, { CONV_PROPS, STRATA_P_INT ("groups", "1") } },
  { "Conv2D", "StrataConv2D", { "Convolution2D", "AtrousConvolution2D", NULL },
    conv_build, conv_shapes, 2, CONV_PLAIN, { CONV_PROPS, STRATA_P_INT ("groups", "1") } },
  { "Conv3D", "StrataConv3D", { "Convolution3D", NULL },
    conv_build, conv_shapes, 3, CONV_PLAIN, { CONV_PROPS, STRATA_P_INT ("groups", "1") } },
  { "Conv1DTranspose", "StrataConv1DTranspose", { "Convolution1DTranspose", NULL },
    conv_build, conv_shapes, 1, CONV_TRANSPOSE, { CONV_PROPS, STRATA_P_JSON ("output_padding", "null") } },
  { "Conv2DTranspose", "StrataConv2DTranspose", { "Convolution2DTranspose", "Deconvolution2D", NULL },
    conv_build, conv_shapes, 2, CONV_TRANSPOSE, { CONV_PROPS, STRATA_P_JSON ("output_padding", "null") } },
  { "Conv3DTranspose", "StrataConv3DTranspose", { "Convolution3DTranspose", "Deconvolution3D", NULL },
    conv_build, conv_shapes, 3, CONV_TRANSPOSE, { CONV_PROPS, STRATA_P_JSON ("output_padding", "null") } },
  { "SeparableConv1D", "StrataSeparableConv1D", { "SeparableConvolution1D", NULL },
    conv_build, conv_shapes, 1, CONV_SEPARABLE, { SEPARABLE_PROPS } },
  { "SeparableConv2D", "StrataSeparableConv2D", { "SeparableConvolution2D", NULL },
    conv_build, conv_shapes, 2, CONV_SEPARABLE, { SEPARABLE_PROPS } },
  { "DepthwiseConv1D", "StrataDepthwiseConv1D", { NULL },
    conv_build, conv_shapes, 1, CONV_DEPTHWISE, { DEPTHWISE_PROPS } },
  { "DepthwiseConv2D", "StrataDepthwiseConv2D", { NULL },
    conv_build, conv_shapes, 2, CONV_DEPTHWISE, { DEPTHWISE_PROPS } },
  { "LocallyConnected1D", "StrataLocallyConnected1D", { NULL },
    conv_build, conv_shapes, 1, CONV_LOCAL, { CONV_PROPS, STRATA_P_INT ("implementation", "1") } },
  { "LocallyConnected2D", "StrataLocallyConnected2D", { NULL },
    conv_build, conv_shapes, 2, CONV_LOCAL, { CONV_PROPS, STRATA_P_INT ("implementation", "1") } },

  POOL_ROW ("MaxPooling1D", "StrataMaxPooling1D", 1, POOL_MAX, "MaxPool1D"),
  POOL_ROW ("MaxPooling2D", "StrataMaxPooling2D", 2, POOL_MAX, "MaxPool2D"),
  POOL_ROW ("MaxPooling3D", "StrataMaxPooling3D", 3, POOL_MAX, "MaxPool3D"),
  POOL_ROW ("AveragePooling1D", "StrataAveragePooling1D", 1, POOL_AVERAGE, "AvgPool1D"),
  POOL_ROW ("AveragePooling2D", "StrataAveragePooling2D", 2, POOL_AVERAGE, "AvgPool2D"),
  POOL_ROW ("AveragePooling3D", "StrataAveragePooling3D", 3, POOL_AVERAGE, "AvgPool3D"),
  GLOBAL_ROW ("GlobalMaxPooling1D", "StrataGlobalMaxPooling1D", 1, POOL_MAX),
  GLOBAL_ROW ("GlobalMaxPooling2D", "StrataGlobalMaxPooling2D", 2, POOL_MAX),
  GLOBAL_ROW ("GlobalMaxPooling3D", "StrataGlobalMaxPooling3D", 3, POOL_MAX),
  GLOBAL_ROW ("GlobalAveragePooling1D", "StrataGlobalAveragePooling1D", 1, POOL_AVERAGE),
  GLOBAL_ROW ("GlobalAveragePooling2D", "StrataGlobalAveragePooling2D", 2, POOL_AVERAGE),
  GLOBAL_ROW ("GlobalAveragePooling3D", "StrataGlobalAveragePooling3D", 3, POOL_AVERAGE),

  RESIZE_ROW ("ZeroPadding1D", "StrataZeroPadding1D", 1, RESIZE_PAD, NULL, STRATA_P_JSON ("padding", "1")),
  RESIZE_ROW ("ZeroPadding2D", "StrataZeroPadding2D", 2, RESIZE_PAD, NULL, STRATA_P_JSON ("padding", "1")),
  RESIZE_ROW ("ZeroPadding3D", "StrataZeroPadding3D", 3, RESIZE_PAD, NULL, STRATA_P_JSON ("padding", "1")),
  RESIZE_ROW ("Cropping1D", "StrataCropping1D", 1, RESIZE_CROP, NULL, STRATA_P_JSON ("cropping", "[1, 1]")),
  RESIZE_ROW ("Cropping2D", "StrataCropping2D", 2, RESIZE_CROP, NULL, STRATA_P_JSON ("cropping", "[[0, 0], [0, 0]]")),
  RESIZE_ROW ("Cropping3D", "StrataCropping3D", 3, RESIZE_CROP, NULL, STRATA_P_JSON ("cropping", "[[1, 1], [1, 1], [1, 1]]")),
  RESIZE_ROW ("UpSampling1D", "StrataUpSampling1D", 1, RESIZE_UPSAMPLE, NULL, STRATA_P_JSON ("size", "2")),
  RESIZE_ROW ("UpSampling2D", "StrataUpSampling2D", 2, RESIZE_UPSAMPLE, NULL, STRATA_P_JSON ("size", "[2, 2]")),
  RESIZE_ROW ("UpSampling3D", "StrataUpSampling3D", 3, RESIZE_UPSAMPLE, NULL, STRATA_P_JSON ("size", "[2, 2, 2]")),
};

const StrataLayerRow *
strata_layers_conv_rows (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (conv_rows);
  return conv_rows;
}
