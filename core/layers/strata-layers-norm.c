/* strata-layers-norm.c: normalization layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "strata-builtin-private.h"
#include "strata-i18n-private.h"

/* Reads "axis" (an int, a list of ints; null means @null_means_last is not
 * used and all but the batch axis are kept) as sorted, non-negative axes. */
static gboolean
read_axes (StrataLayer *self,
           StrataShape *input,
           gint64       fallback,
           gint64      *axes,
           guint       *n_axes,
           GError     **error)
{
  JsonNode *node = strata_cfg_node (self, "axis", NULL);
  JsonArray *list = strata_json_node_get_list (node);
  guint rank = strata_shape_get_rank (input);
  guint n = 1, i, j;

  /* An int, or a list or tuple of them. */
  if (list != NULL)
    n = json_array_get_length (list);
  if (n == 0 || n > rank)
    {
      strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                /* Translators: %u is a rank. */
                                _("“axis” must name between 1 and %u axes"), rank);
      return FALSE;
    }
  if (node == NULL)
    axes[0] = fallback;
  else if (!strata_cfg_tuple (self, n, axes, axes, error, "axis", NULL))
    return FALSE;

  for (i = 0; i < n; i++)
    {
      if (axes[i] < 0)
        axes[i] += rank;
      if (axes[i] <= 0 || axes[i] >= (gint64) rank)
        {
          g_autofree char *s = strata_shape_to_string (input);
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: %s is a shape such as (None, 3). */
                                    _("“axis” is outside the input %s (or is the batch axis)"), s);
          return FALSE;
        }
      for (j = 0; j < i; j++)
        if (axes[j] == axes[i])
          {
            strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                      _("“axis” repeats an axis"));
            return FALSE;
          }
    }
  /* sort */
  for (i = 1; i < n; i++)
    for (j = i; j > 0 && axes[j - 1] > axes[j]; j--)
      {
        gint64 t = axes[j];
        axes[j] = axes[j - 1];
        axes[j - 1] = t;
      }
  *n_axes = n;
  return TRUE;
}

/* gamma/beta (when scale/center), each of @shape. */
static gboolean
add_scale_center (StrataLayer *self,
                  StrataShape *shape,
                  GError     **error)
{
  gboolean scale, center, rms_scaling;

  /* Keras 3 LayerNormalization(rms_scaling=True): gamma only. */
  if (!strata_cfg_bool (self, TRUE, &scale, error, "scale", NULL) ||
      !strata_cfg_bool (self, TRUE, &center, error, "center", NULL) ||
      !strata_cfg_bool (self, FALSE, &rms_scaling, error, "rms_scaling", NULL))
    return FALSE;
  scale = scale || rms_scaling;
  center = center && !rms_scaling;
  if (scale &&
      !strata_builtin_add_weight (self, "gamma", strata_shape_ref (shape),
                                  strata_cfg_initializer (self, "gamma_initializer", "gamma_init", "ones"),
                                  TRUE, error))
    return FALSE;
  if (center &&
      !strata_builtin_add_weight (self, "beta", strata_shape_ref (shape),
                                  strata_cfg_initializer (self, "beta_initializer", "beta_init", "zeros"),
                                  TRUE, error))
    return FALSE;
  return TRUE;
}

static gboolean
batch_norm_build (StrataLayer          *self,
                  const StrataLayerRow *row,
                  GPtrArray            *input_shapes,
                  GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  g_autoptr(StrataShape) param = NULL;
  gint64 axes[STRATA_MAX_RANK], dims[STRATA_MAX_RANK];
  guint n_axes, rank, i, a;

  if (input == NULL || !read_axes (self, input, -1, axes, &n_axes, error))
    return FALSE;
  rank = strata_shape_get_rank (input);
  if (n_axes == 1)
    {
      if (!strata_builtin_known_dim (self, input, axes[0], &dims[0], error))
        return FALSE;
      param = strata_builtin_shape_1d (self, error, dims[0]);
    }
  else
    {
      /* tf.keras broadcasts statistics of several axes: 1 on the others. */
      for (i = 0, a = 0; i < rank; i++)
        {
          dims[i] = 1;
          if (a < n_axes && axes[a] == (gint64) i)
            {
              if (!strata_builtin_known_dim (self, input, i, &dims[i], error))
                return FALSE;
              a++;
            }
        }
      param = strata_builtin_shape (self, error, rank, dims);
    }

  if (param == NULL)
    return FALSE;
  return add_scale_center (self, param, error) &&
         strata_builtin_add_weight (self, "moving_mean", strata_shape_ref (param),
                                    strata_cfg_initializer (self, "moving_mean_initializer", NULL, "zeros"),
                                    FALSE, error) &&
         strata_builtin_add_weight (self, "moving_variance", strata_shape_ref (param),
                                    strata_cfg_initializer (self, "moving_variance_initializer", NULL, "ones"),
                                    FALSE, error);
}

/* LayerNormalization and GroupNormalization: gamma/beta of the normalized
 * axes' sizes. */
static gboolean
layer_norm_build (StrataLayer          *self,
                  const StrataLayerRow *row,
                  GPtrArray            *input_shapes,
                  GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 2, error);
  g_autoptr(StrataShape) param = NULL;
  gint64 axes[STRATA_MAX_RANK], dims[STRATA_MAX_RANK];
  guint n_axes, i;

  if (input == NULL || !read_axes (self, input, -1, axes, &n_axes, error))
    return FALSE;
  for (i = 0; i < n_axes; i++)
    if (!strata_builtin_known_dim (self, input, axes[i], &dims[i], error))
      return FALSE;
  if (row->variant == 1)
    {
      /* GroupNormalization: the channels must split into groups. */
      gint64 groups;
      if (!strata_cfg_int (self, 32, &groups, error, "groups", NULL))
        return FALSE;
      if (groups == -1)
        groups = dims[0];
      if (groups <= 0 || dims[0] % groups != 0)
        {
          strata_builtin_set_error (error, self, STRATA_CONFIG_ERROR_INVALID,
                                    /* Translators: the number of channels, then the number of
                                     * groups */
                                    _("%" PRId64 " channels cannot be split into %" PRId64 " groups"),
                                    dims[0], groups);
          return FALSE;
        }
    }
  param = strata_builtin_shape (self, error, n_axes, dims);
  return param != NULL && add_scale_center (self, param, error);
}

/* Preprocessing Normalization: mean and variance over the kept axes (and a
 * count in tf.keras; Keras 3 has none). No weights when the config holds
 * the statistics. */
static gboolean
normalization_build (StrataLayer          *self,
                     const StrataLayerRow *row,
                     GPtrArray            *input_shapes,
                     GError              **error)
{
  StrataShape *input = strata_builtin_input (self, input_shapes, 0, 1, 1, 1, error);
  JsonObject *extras = strata_layer_peek_extras (self);
  JsonNode *axis_node = strata_cfg_node (self, "axis", NULL);
  gboolean keras3 = extras != NULL && json_object_has_member (extras, "module");
  g_autoptr(StrataShape) scalar = NULL;
  gint64 axes[STRATA_MAX_RANK], dims[STRATA_MAX_RANK];
  guint n_axes = 0, i;

  if (input == NULL)
    return FALSE;
  if (strata_cfg_node (self, "mean", NULL) != NULL)
    return TRUE;
  /* "axis": null means one statistic for everything. */
  if (json_object_has_member (strata_layer_peek_config_for_reading (self), "axis") && axis_node == NULL)
    n_axes = 0;
  else if (!read_axes (self, input, -1, axes, &n_axes, error))
    return FALSE;
  for (i = 0; i < n_axes; i++)
    if (!strata_builtin_known_dim (self, input, axes[i], &dims[i], error))
      return FALSE;

  if (!strata_builtin_add_weight (self, "mean", strata_builtin_shape (self, error, n_axes, dims),
                                  json_node_init_string (json_node_alloc (), "zeros"), FALSE, error) ||
      !strata_builtin_add_weight (self, "variance", strata_builtin_shape (self, error, n_axes, dims),
                                  json_node_init_string (json_node_alloc (), "ones"), FALSE, error))
    return FALSE;
  if (keras3)
    return TRUE;
  scalar = strata_shape_new_scalar ();
  return strata_layer_add_weight (self, "count", scalar, STRATA_DTYPE_INT64, NULL, FALSE, error) != NULL;
}

#define SCALE_CENTER_PROPS \
  STRATA_P_BOOL ("center", "true"), \
  STRATA_P_BOOL ("scale", "true"), \
  STRATA_P_DOUBLE ("epsilon", "0.001"), \
  STRATA_P_JSON1 ("beta_initializer", "\"zeros\"", "beta_init"), \
  STRATA_P_JSON1 ("gamma_initializer", "\"ones\"", "gamma_init"), \
  STRATA_P_JSON ("beta_regularizer", "null"), \
  STRATA_P_JSON ("gamma_regularizer", "null"), \
  STRATA_P_JSON ("beta_constraint", "null"), \
  STRATA_P_JSON ("gamma_constraint", "null")

static const StrataLayerRow norm_rows[] = {
  { "BatchNormalization", "StrataBatchNormalization", { "SyncBatchNormalization", NULL },
    batch_norm_build, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("axis", "-1"), STRATA_P_DOUBLE ("momentum", "0.99"), SCALE_CENTER_PROPS,
      STRATA_P_JSON ("moving_mean_initializer", "\"zeros\""),
      STRATA_P_JSON ("moving_variance_initializer", "\"ones\""),
      STRATA_P_INT ("mode", "0") } },
  { "LayerNormalization", "StrataLayerNormalization", { NULL },
    layer_norm_build, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("axis", "-1"), SCALE_CENTER_PROPS, STRATA_P_BOOL ("rms_scaling", "false") } },
  { "GroupNormalization", "StrataGroupNormalization", { NULL },
    layer_norm_build, strata_shapes_same, 0, 1,
    { STRATA_P_INT ("groups", "32"), STRATA_P_JSON ("axis", "-1"), SCALE_CENTER_PROPS } },
  { "UnitNormalization", "StrataUnitNormalization", { NULL },
    NULL, strata_shapes_same, 0, 0, { STRATA_P_JSON ("axis", "-1") } },
  { "Normalization", "StrataNormalization", { NULL },
    normalization_build, strata_shapes_same, 0, 0,
    { STRATA_P_JSON ("axis", "-1"), STRATA_P_JSON ("mean", "null"),
      STRATA_P_JSON ("variance", "null"), STRATA_P_BOOL ("invert", "false") } },
};

const StrataLayerRow *
strata_layers_norm_rows (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (norm_rows);
  return norm_rows;
}
