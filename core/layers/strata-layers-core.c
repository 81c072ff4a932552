/* strata-layers-core.c: Dense, Embedding, activations, dropout and reshaping layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

/* Keras keys shared by every layer with a kernel and a bias (Keras 1 names
 * as fallbacks). */
#define KERNEL_PROPS \
  STRATA_P_JSON ("activation", "\"linear\""), \
  STRATA_P_BOOL1 ("use_bias", "true", "bias"), \
  STRATA_P_JSON1 ("kernel_initializer", "\"glorot_uniform\"", "init"), \
  STRATA_P_JSON ("bias_initializer", "\"zeros\""), \
  STRATA_P_JSON1 ("kernel_regularizer", "null", "W_regularizer"), \
  STRATA_P_JSON1 ("bias_regularizer", "null", "b_regularizer"), \
  STRATA_P_JSON ("activity_regularizer", "null"), \
  STRATA_P_JSON1 ("kernel_constraint", "null", "W_constraint"), \
  STRATA_P_JSON1 ("bias_constraint", "null", "b_constraint")

/* ---- Dense and its Keras 1 relatives ---------------------------------- */

static gboolean
get_units (StrataLayer *self, gint64 *units, GError **error)
{
  if (!strata_cfg_int (self, -1, units, error, "units", "output_dim", NULL))
    return FALSE;
  if (*units <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %<PRId64> is the value found. */
                                _("“units” must be a positive integer, found %" PRId64),
                                *units);
      return FALSE;
    }
  return TRUE;
}

static gboolean
dense_build (StrataLayer          *self,
             const StrataLayerRow *row,
             GPtrArray            *input_shapes,
             GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gint64 in, units;

  if (input == NULL || !strata_builtin_known_dim (self, input, -1, &in, error) ||
      !get_units (self, &units, error))
    return FALSE;
  return strata_builtin_add_weight (self, "kernel", strata_builtin_shape_2d (self, error, in, units),
                                    strata_cfg_initializer (self, "kernel_initializer", "init",
                                                            "glorot_uniform"),
                                    TRUE, error) &&
         strata_builtin_add_bias (self, strata_builtin_shape_1d (self, error, units), error);
}

static GPtrArray *
dense_shapes (StrataLayer          *self,
              const StrataLayerRow *row,
              GPtrArray            *input_shapes,
              GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gint64 dims[STRATA_MAX_RANK];
  guint rank;
  gint64 units;

  if (input == NULL || !get_units (self, &units, error))
    return NULL;
  rank = strata_shape_get_rank (input);
  memcpy (dims, strata_shape_get_dims (input, NULL), rank * sizeof (gint64));
  dims[rank - 1] = units;
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

/* Keras 1 MaxoutDense: W (nb_feature, in, units), b (nb_feature, units). */
static gboolean
maxout_build (StrataLayer          *self,
              const StrataLayerRow *row,
              GPtrArray            *input_shapes,
              GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gboolean bias = TRUE;
  gint64 in, units, features;
  gint64 w[3];

  if (input == NULL || !strata_builtin_known_dim (self, input, -1, &in, error) ||
      !get_units (self, &units, error) ||
      !strata_cfg_int (self, 4, &features, error, "nb_feature", NULL) ||
      !strata_cfg_bool (self, TRUE, &bias, error, "bias", NULL))
    return FALSE;
  w[0] = features, w[1] = in, w[2] = units;
  if (!strata_builtin_add_weight (self, "W", strata_builtin_shape (self, error, 3, w),
                                  strata_cfg_initializer (self, "init", NULL, "glorot_uniform"),
                                  TRUE, error))
    return FALSE;
  if (!bias)
    return TRUE;
  return strata_builtin_add_weight (self, "b", strata_builtin_shape_2d (self, error, features, units),
                                    strata_cfg_initializer (self, NULL, NULL, "zeros"), TRUE, error);
}

/* Keras 1 Highway: W, W_carry (in, in), b, b_carry (in,). */
static gboolean
highway_build (StrataLayer          *self,
               const StrataLayerRow *row,
               GPtrArray            *input_shapes,
               GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gboolean bias = TRUE;
  gint64 in;

  if (input == NULL || !strata_builtin_known_dim (self, input, -1, &in, error) ||
      !strata_cfg_bool (self, TRUE, &bias, error, "bias", NULL))
    return FALSE;
  if (!strata_builtin_add_weight (self, "W", strata_builtin_shape_2d (self, error, in, in),
                                  strata_cfg_initializer (self, "init", NULL, "glorot_uniform"),
                                  TRUE, error) ||
      !strata_builtin_add_weight (self, "W_carry", strata_builtin_shape_2d (self, error, in, in),
                                  strata_cfg_initializer (self, "init", NULL, "glorot_uniform"),
                                  TRUE, error))
    return FALSE;
  if (!bias)
    return TRUE;
  return strata_builtin_add_weight (self, "b", strata_builtin_shape_1d (self, error, in),
                                    strata_cfg_initializer (self, NULL, NULL, "zeros"), TRUE, error) &&
         strata_builtin_add_weight (self, "b_carry", strata_builtin_shape_1d (self, error, in),
                                    strata_cfg_initializer (self, NULL, NULL, "one"), TRUE, error);
}

/* ---- Embedding -------------------------------------------------------- */

static gboolean
embedding_build (StrataLayer          *self,
                 const StrataLayerRow *row,
                 GPtrArray            *input_shapes,
                 GError              **error)
{
  gint64 input_dim, output_dim;

  if (!strata_cfg_int (self, -1, &input_dim, error, "input_dim", NULL) ||
      !strata_cfg_int (self, -1, &output_dim, error, "output_dim", NULL))
    return FALSE;
  if (input_dim <= 0 || output_dim <= 0)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: the input_dim found, then the output_dim found */
                                _("“input_dim” and “output_dim” must be positive, found %" PRId64 " and %" PRId64),
                                input_dim, output_dim);
      return FALSE;
    }
  return strata_builtin_add_weight (self, "embeddings", strata_builtin_shape_2d (self, error, input_dim, output_dim),
                                    strata_cfg_initializer (self, "embeddings_initializer", "init",
                                                            "uniform"),
                                    TRUE, error);
}

static GPtrArray *
embedding_shapes (StrataLayer          *self,
                  const StrataLayerRow *row,
                  GPtrArray            *input_shapes,
                  GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 1, error);
  gint64 dims[STRATA_MAX_RANK];
  gint64 output_dim;
  guint rank;

  if (input == NULL ||
      !strata_cfg_int (self, -1, &output_dim, error, "output_dim", NULL))
    return NULL;
  rank = strata_shape_get_rank (input);
  if (rank >= STRATA_MAX_RANK)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_LIMIT,
                                /* Translators: %d is a limit. */
                                _("the output would have more than %d axes"), STRATA_MAX_RANK);
      return NULL;
    }
  memcpy (dims, strata_shape_get_dims (input, NULL), rank * sizeof (gint64));
  dims[rank] = output_dim;
  return strata_shapes_one (strata_builtin_shape (self, error, rank + 1, dims));
}

/* ---- PReLU ------------------------------------------------------------ */

static gboolean
prelu_build (StrataLayer          *self,
             const StrataLayerRow *row,
             GPtrArray            *input_shapes,
             GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gint64 dims[STRATA_MAX_RANK];
  JsonNode *shared;
  guint rank, i;

  if (input == NULL)
    return FALSE;
  rank = strata_shape_get_rank (input);
  for (i = 1; i < rank; i++)
    dims[i - 1] = strata_shape_get_dim (input, i);

  /* shared_axes count from 1 (the batch axis is 0), as in Keras; their
   * sizes need not be known. */
  shared = strata_cfg_node (self, "shared_axes", NULL);
  if (shared != NULL)
    {
      gint64 axes[STRATA_MAX_RANK];
      JsonArray *list = strata_json_node_get_list (shared);
      guint n = list != NULL ? json_array_get_length (list) : 1;

      if (n > STRATA_MAX_RANK)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    _("too many shared_axes"));
          return FALSE;
        }
      if (!strata_cfg_tuple (self, n, axes, axes, error, "shared_axes", NULL))
        return FALSE;
      for (i = 0; i < n; i++)
        {
          if (axes[i] < 1 || axes[i] >= (gint64) rank)
            {
              strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                        /* Translators: %<PRId64> is an axis, %u a rank. */
                                        _("shared axis %" PRId64 " is outside the input of rank %u"),
                                        axes[i], rank);
              return FALSE;
            }
          dims[axes[i] - 1] = 1;
        }
    }
  for (i = 1; i < rank; i++)
    if (dims[i - 1] == STRATA_DIM_UNKNOWN &&
        !strata_builtin_known_dim (self, input, i, &dims[i - 1], error))
      return FALSE;
  return strata_builtin_add_weight (self, "alpha", strata_builtin_shape (self, error, rank - 1, dims),
                                    strata_cfg_initializer (self, "alpha_initializer", "init", "zeros"),
                                    TRUE, error);
}

/* ---- Flatten, Reshape, Permute, RepeatVector -------------------------- */

static GPtrArray *
flatten_shapes (StrataLayer          *self,
                const StrataLayerRow *row,
                GPtrArray            *input_shapes,
                GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 1, error);
  gint64 product = 1;
  guint rank, i;

  if (input == NULL)
    return NULL;
  rank = strata_shape_get_rank (input);
  for (i = 1; i < rank; i++)
    {
      gint64 d = strata_shape_get_dim (input, i);
      if (d == STRATA_DIM_UNKNOWN)
        {
          product = STRATA_DIM_UNKNOWN;
          break;
        }
      if (d != 0 && product > G_MAXINT64 / d)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_LIMIT,
                                    _("the flattened size overflows"));
          return NULL;
        }
      product *= d;
    }
  return strata_shapes_one (strata_builtin_shape_2d (self, error, strata_shape_get_dim (input, 0), product));
}

static GPtrArray *
reshape_shapes (StrataLayer          *self,
                const StrataLayerRow *row,
                GPtrArray            *input_shapes,
                GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 1, error);
  JsonNode *target = strata_cfg_node (self, "target_shape", "dims", NULL);
  JsonArray *list = strata_json_node_get_list (target);
  gint64 dims[STRATA_MAX_RANK + 1];
  gint64 in_total = 1, known = 1;
  int unknown_at = -1;
  guint n, i, rank;
  gboolean in_known = TRUE;

  if (input == NULL)
    return NULL;
  if (list == NULL || (n = json_array_get_length (list)) > STRATA_MAX_RANK - 1)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %d is a limit, %s what was found instead, such as “a
                                 * string” or “null”. */
                                _("“target_shape” must be a list of at most %d sizes, found %s"),
                                STRATA_MAX_RANK - 1, strata_json_describe_node (target));
      return NULL;
    }
  if (!strata_cfg_tuple (self, n, dims + 1, dims + 1, error, "target_shape", "dims", NULL))
    return NULL;
  dims[0] = strata_shape_get_dim (input, 0);

  rank = strata_shape_get_rank (input);
  for (i = 1; i < rank; i++)
    {
      gint64 d = strata_shape_get_dim (input, i);
      if (d == STRATA_DIM_UNKNOWN)
        in_known = FALSE;
      else if (d != 0 && in_total <= G_MAXINT64 / d)
        in_total *= d;
      else
        in_total = d == 0 ? 0 : in_total;
    }
  for (i = 1; i <= n; i++)
    {
      if (dims[i] == -1 && unknown_at < 0)
        unknown_at = i;
      else if (dims[i] < 0)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    _("“target_shape” may hold one -1 and sizes of 0 or more"));
          return NULL;
        }
      else if (dims[i] != 0 && known <= G_MAXINT64 / dims[i])
        known *= dims[i];
      else
        known = 0;
    }

  if (in_known)
    {
      g_autofree char *from = strata_shape_to_string (input);
      if (unknown_at >= 0 && known != 0 && in_total % known == 0)
        dims[unknown_at] = in_total / known;
      else if (!(unknown_at < 0 && known == in_total))
        {
          g_autofree char *to = strata_json_to_string (target, FALSE);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: the first %s is a shape such as (None, 3), the
                                     * second %s a shape such as (None, 3). */
                                    _("cannot reshape an input of shape %s to %s"), from, to);
          return NULL;
        }
    }
  else if (unknown_at >= 0)
    dims[unknown_at] = STRATA_DIM_UNKNOWN;
  return strata_shapes_one (strata_builtin_shape (self, error, n + 1, dims));
}

static GPtrArray *
permute_shapes (StrataLayer          *self,
                const StrataLayerRow *row,
                GPtrArray            *input_shapes,
                GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gint64 perm[STRATA_MAX_RANK], dims[STRATA_MAX_RANK];
  gboolean used[STRATA_MAX_RANK] = { FALSE, };
  guint rank, i;

  if (input == NULL)
    return NULL;
  rank = strata_shape_get_rank (input);
  if (!strata_cfg_tuple (self, rank - 1, perm, perm, error, "dims", NULL))
    return NULL;
  dims[0] = strata_shape_get_dim (input, 0);
  for (i = 0; i + 1 < rank; i++)
    {
      if (perm[i] < 1 || perm[i] >= (gint64) rank || used[perm[i]])
        {
          g_autofree char *s = strata_shape_to_string (input);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %u is a rank, %s a shape such as (None, 3). */
                                    _("“dims” must be a permutation of 1..%u for the input %s"),
                                    rank - 1, s);
          return NULL;
        }
      used[perm[i]] = TRUE;
      dims[i + 1] = strata_shape_get_dim (input, perm[i]);
    }
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

static GPtrArray *
repeat_vector_shapes (StrataLayer          *self,
                      const StrataLayerRow *row,
                      GPtrArray            *input_shapes,
                      GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  gint64 dims[3], n;

  if (input == NULL || !strata_cfg_int (self, 1, &n, error, "n", NULL))
    return NULL;
  if (strata_shape_get_rank (input) != 2)
    {
      g_autofree char *s = strata_shape_to_string (input);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %s is a shape such as (None, 3). */
                                _("expected an input of rank 2, found %s"), s);
      return NULL;
    }
  dims[0] = strata_shape_get_dim (input, 0);
  dims[1] = n;
  dims[2] = strata_shape_get_dim (input, 1);
  return strata_shapes_one (strata_builtin_shape (self, error, 3, dims));
}

/* ---- image preprocessing ------------------------------------------------ */

/* Resizing, CenterCrop, RandomCrop: (batch, height, width, channels), or
 * channels first; batches of one image may come without the batch axis. */
static GPtrArray *
image_resize_shapes (StrataLayer          *self,
                     const StrataLayerRow *row,
                     GPtrArray            *input_shapes,
                     GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 3, error);
  gint64 dims[4], height, width;
  gboolean channels_first;
  guint rank, h_axis;

  if (input == NULL ||
      !strata_cfg_int (self, -1, &height, error, "height", NULL) ||
      !strata_cfg_int (self, -1, &width, error, "width", NULL) ||
      !strata_cfg_channels_first (self, &channels_first, error))
    return NULL;
  rank = strata_shape_get_rank (input);
  if (rank > 4)
    {
      g_autofree char *s = strata_shape_to_string (input);
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %s is a shape such as (None, 3). */
                                _("expected images of rank 3 or 4, found %s"), s);
      return NULL;
    }
  memcpy (dims, strata_shape_get_dims (input, NULL), rank * sizeof (gint64));
  h_axis = (rank == 4 ? 1 : 0) + (channels_first ? 1 : 0);
  dims[h_axis] = height;
  dims[h_axis + 1] = width;
  return strata_shapes_one (strata_builtin_shape (self, error, rank, dims));
}

/* ---- The table -------------------------------------------------------- */

#define DROPOUT_PROPS \
  STRATA_P_DOUBLE1 ("rate", "0.5", "p"), \
  STRATA_P_JSON ("noise_shape", "null"), \
  STRATA_P_JSON ("seed", "null")

static const StrataLayerRow core_rows[] = {
  { "Dense", "StrataDense", { NULL }, dense_build, dense_shapes, 0, 0,
    { STRATA_P_INT1 ("units", NULL, "output_dim"), KERNEL_PROPS } },
  { "TimeDistributedDense", "StrataTimeDistributedDense", { NULL }, dense_build, dense_shapes, 0, 0,
    { STRATA_P_INT1 ("units", NULL, "output_dim"), KERNEL_PROPS } },
  { "MaxoutDense", "StrataMaxoutDense", { NULL }, maxout_build, dense_shapes, 0, 0,
    { STRATA_P_INT1 ("units", NULL, "output_dim"), STRATA_P_INT ("nb_feature", "4"), KERNEL_PROPS } },
  { "Highway", "StrataHighway", { NULL }, highway_build, strata_shapes_same, 0, 0,
    { KERNEL_PROPS } },
  { "Embedding", "StrataEmbedding", { NULL }, embedding_build, embedding_shapes, 0, 0,
    { STRATA_P_INT ("input_dim", NULL), STRATA_P_INT ("output_dim", NULL),
      STRATA_P_JSON1 ("embeddings_initializer", "\"uniform\"", "init"),
      STRATA_P_JSON1 ("embeddings_regularizer", "null", "W_regularizer"),
      STRATA_P_JSON ("activity_regularizer", "null"),
      STRATA_P_JSON1 ("embeddings_constraint", "null", "W_constraint"),
      STRATA_P_BOOL ("mask_zero", "false"), STRATA_P_JSON ("input_length", "null") } },
  { "PReLU", "StrataPReLU", { NULL }, prelu_build, strata_shapes_same, 0, 0,
    { STRATA_P_JSON1 ("alpha_initializer", "\"zeros\"", "init"),
      STRATA_P_JSON ("alpha_regularizer", "null"), STRATA_P_JSON ("alpha_constraint", "null"),
      STRATA_P_JSON ("shared_axes", "null") } },
  { "Activation", "StrataActivation", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("activation", "\"linear\"") } },
  { "ReLU", "StrataReLU", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("max_value", "null"), STRATA_P_DOUBLE ("negative_slope", "0.0"),
      STRATA_P_DOUBLE ("threshold", "0.0") } },
  { "LeakyReLU", "StrataLeakyReLU", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_DOUBLE1 ("alpha", "0.3", "negative_slope") } },
  { "ELU", "StrataELU", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_DOUBLE ("alpha", "1.0") } },
  { "ThresholdedReLU", "StrataThresholdedReLU", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_DOUBLE ("theta", "1.0") } },
  { "Softmax", "StrataSoftmax", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("axis", "-1") } },
  { "Dropout", "StrataDropout", { NULL }, NULL, strata_shapes_same, 0, 0, { DROPOUT_PROPS } },
  { "SpatialDropout1D", "StrataSpatialDropout1D", { NULL }, NULL, strata_shapes_same, 1, 0,
    { DROPOUT_PROPS } },
  { "SpatialDropout2D", "StrataSpatialDropout2D", { NULL }, NULL, strata_shapes_same, 2, 0,
    { DROPOUT_PROPS, STRATA_P_STRING ("data_format", "\"channels_last\"") } },
  { "SpatialDropout3D", "StrataSpatialDropout3D", { NULL }, NULL, strata_shapes_same, 3, 0,
    { DROPOUT_PROPS, STRATA_P_STRING ("data_format", "\"channels_last\"") } },
  { "AlphaDropout", "StrataAlphaDropout", { NULL }, NULL, strata_shapes_same, 0, 0,
    { DROPOUT_PROPS } },
  { "GaussianDropout", "StrataGaussianDropout", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_DOUBLE1 ("rate", "0.5", "p"), STRATA_P_JSON ("seed", "null") } },
  { "GaussianNoise", "StrataGaussianNoise", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_DOUBLE1 ("stddev", "0.1", "sigma"), STRATA_P_JSON ("seed", "null") } },
  { "ActivityRegularization", "StrataActivityRegularization", { NULL }, NULL, strata_shapes_same,
    0, 0, { STRATA_P_DOUBLE ("l1", "0.0"), STRATA_P_DOUBLE ("l2", "0.0") } },
  { "Masking", "StrataMasking", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_DOUBLE ("mask_value", "0.0") } },
  { "Identity", "StrataIdentity", { NULL }, NULL, strata_shapes_same, 0, 0, { { NULL } } },
  { "Rescaling", "StrataRescaling", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("scale", NULL), STRATA_P_JSON ("offset", "0.0") } },
  { "Flatten", "StrataFlatten", { NULL }, NULL, flatten_shapes, 0, 0,
    { STRATA_P_STRING ("data_format", "\"channels_last\"") } },
  { "Reshape", "StrataReshape", { NULL }, NULL, reshape_shapes, 0, 0,
    { STRATA_P_JSON ("target_shape", NULL) } },
  { "Permute", "StrataPermute", { NULL }, NULL, permute_shapes, 0, 0,
    { STRATA_P_JSON ("dims", NULL) } },
  { "RepeatVector", "StrataRepeatVector", { NULL }, NULL, repeat_vector_shapes, 0, 0,
    { STRATA_P_INT ("n", NULL) } },
  /* Image preprocessing: no weights (seed generator states are not saved). */
  { "Resizing", "StrataResizing", { NULL }, NULL, image_resize_shapes, 0, 0,
    { STRATA_P_INT ("height", NULL), STRATA_P_INT ("width", NULL),
      STRATA_P_STRING ("interpolation", "\"bilinear\""), STRATA_P_BOOL ("crop_to_aspect_ratio", "false") } },
  { "CenterCrop", "StrataCenterCrop", { NULL }, NULL, image_resize_shapes, 0, 0,
    { STRATA_P_INT ("height", NULL), STRATA_P_INT ("width", NULL) } },
  { "RandomCrop", "StrataRandomCrop", { NULL }, NULL, image_resize_shapes, 0, 0,
    { STRATA_P_INT ("height", NULL), STRATA_P_INT ("width", NULL), STRATA_P_JSON ("seed", "null") } },
  { "RandomFlip", "StrataRandomFlip", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_STRING ("mode", "\"horizontal_and_vertical\""), STRATA_P_JSON ("seed", "null") } },
  { "RandomRotation", "StrataRandomRotation", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("factor", NULL), STRATA_P_STRING ("fill_mode", "\"reflect\""),
      STRATA_P_JSON ("seed", "null") } },
  { "RandomZoom", "StrataRandomZoom", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("height_factor", NULL), STRATA_P_JSON ("width_factor", "null"),
      STRATA_P_JSON ("seed", "null") } },
  { "RandomTranslation", "StrataRandomTranslation", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("height_factor", NULL), STRATA_P_JSON ("width_factor", NULL),
      STRATA_P_JSON ("seed", "null") } },
  { "RandomContrast", "StrataRandomContrast", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("factor", NULL), STRATA_P_JSON ("seed", "null") } },
  { "RandomBrightness", "StrataRandomBrightness", { NULL }, NULL, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("factor", NULL), STRATA_P_JSON ("value_range", "[0, 255]"),
      STRATA_P_JSON ("seed", "null") } },
  /* A TF op recorded in a tf.keras graph: config only, no weights, the
   * output shape is not known without running TensorFlow. */
  { "TensorFlowOpLayer", "StrataTensorFlowOpLayer", { NULL }, NULL, NULL, 0, 0,
    { STRATA_P_JSON ("node_def", NULL), STRATA_P_JSON ("constants", NULL) } },
};

const StrataLayerRow *
strata_layers_core_rows (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (core_rows);
  return core_rows;
}
